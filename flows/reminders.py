"""The reminders: a daily sweep of the outbox ("relances") and a weekly digest flow.

The daily sweep first advances the cases with something due (stages whose day has come) and
resumes the runs whose decision was entered while they could not be told, then plans and sends. A fixed number of tasks (advance, plan, send, publish), whatever the volume.
"""

from datetime import timedelta

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from dla.boardsigner import Signer
from dla.casefile.fields import Day
from dla.clock import Clock, SystemClock, clock_for
from dla.daily import Advanced, advance_due
from dla.db import make_engine
from dla.forms import blank, optional
from dla.outbox.days import Line, held_lines, line, preview
from dla.outbox.plan import PlanResult, plan_day
from dla.outbox.record import Verdict
from dla.outbox.sending import mail_renderer
from dla.outbox.sweep import run_async, sweep
from dla.settings import get_settings
from dla.shown import md_rows
from flows.case_events import emit_case_events
from flows.forms import refuse_bad_forms
from flows.live_artifacts import refresh_artifacts
from flows.mail_blocks import aload_transport
from flows.reminder_links import waiting_run_links
from flows.resume import resume_decided_runs

ARTIFACT_KEY = "relances"
DIGEST_ARTIFACT_KEY = "resume-hebdomadaire"


class SweepRequest(BaseModel):
    """Form of the "relances" deployment."""

    model_config = ConfigDict(
        title="Relances",
        json_schema_extra={"description": "Envoi des relances dues (ou simulation)."},
    )

    aujourdhui: optional(Day) = blank(
        title="Date du jour (rejeu)",
        description="Laisser vide en usage réel ; une date rejoue les relances de ce jour.",
    )
    simulation: bool = Field(
        default=False, title="Simulation : afficher ce qui partirait, sans rien envoyer"
    )
    lot: int = Field(default=200, ge=1, le=5000, title="Nombre de messages par lot")


# Scheduled runs pass no parameter: today, real sending, default batch size.
TODAY = SweepRequest()


def _run_name(prefix: str):
    """Name runs after the day they handle (the replayed day, else today)."""

    def name() -> str:
        from prefect.runtime import flow_run

        asked = flow_run.parameters.get("demande")
        day = (
            asked.get("aujourdhui")
            if isinstance(asked, dict)
            else getattr(asked, "aujourdhui", None)
        )
        return f"{prefix}-{day or SystemClock().today()}"

    return name


def _transport_and_renderer(clock: Clock):
    """Build the transport (Prefect block when DLA_SMTP_BLOCK is set) and the renderer."""
    settings = get_settings()
    transport, sender = run_async(aload_transport(settings))
    return transport, mail_renderer(settings, clock, sender)


@task(cache_policy=NO_CACHE, task_run_name="avancer les cas dus")
def advance_cases(engine: Engine, clock: Clock) -> Advanced:
    """Open the stages whose day has come and pass the gates whose decisions arrived."""
    done = advance_due(engine, clock)
    for reference, reason in done.failures.items():
        get_run_logger().error("%s n'a pas pu avancer : %s", reference, reason)
    return done


@task(cache_policy=NO_CACHE, task_run_name="reprendre les flux dont la décision est arrivée")
def resume_decided(engine: Engine) -> int:
    """Hand the waiting runs the decisions entered while the Prefect server did not answer."""
    try:
        resumed = resume_decided_runs(engine)
    except Exception:  # noqa: BLE001  (the reminders go out all the same; tomorrow's pass retries)
        get_run_logger().exception("flux en attente non repris")
        return 0
    if resumed:
        get_run_logger().info("%d flux en attente repris avec leur décision", resumed)
    return resumed


@task(cache_policy=NO_CACHE, task_run_name="planifier les relances")
def plan(engine: Engine, clock: Clock, digests_only: bool = False) -> PlanResult:
    """Write today's notification rows (idempotent)."""
    return plan_day(engine, clock, digests_only=digests_only)


@task(cache_policy=NO_CACHE, task_run_name="envoyer les relances dues")
def send_due(engine: Engine, clock: Clock, limit: int) -> list[Verdict]:
    """Claim, re-check, send and record the due rows, batch after batch (one task in all)."""
    transport, renderer = _transport_and_renderer(clock)
    report = sweep(
        engine=engine,
        transport=transport,
        renderer=renderer,
        clock=clock,
        limit=limit,
        links=waiting_run_links,
        backoff=timedelta(seconds=get_settings().outbox_retry_backoff),
        signer=Signer.from_settings(get_settings()),
    )
    get_run_logger().info(
        "%d lot(s), %d relance(s) traitée(s)", report.batches, len(report.verdicts)
    )
    return report.verdicts


def _publish(lines: list[Line], key: str, title: str) -> None:
    rows = [
        {
            "référence": x.reference,
            "relance": x.rule,
            "destinataire": x.recipient,
            "objet": x.subject,
            "statut": x.status,
            "motif": x.why,
        }
        for x in lines
    ]
    create_table_artifact(md_rows(rows), key=key, description=title)


# A sweep that failed (the database or the SMTP server down at 08:00) is tried again: re-running
# it never re-sends what was recorded as sent, and what was claimed comes back after its lease.
@flow(
    name="relances",
    flow_run_name=_run_name("relances"),
    log_prints=True,
    retries=2,
    retry_delay_seconds=300,
    validate_parameters=False,
)
@refuse_bad_forms
def sweep_reminders(demande: SweepRequest = TODAY) -> dict[str, int]:
    """Plan and send the reminders due; publish what was sent, held and failed."""
    engine = make_engine(get_settings().resolved_database_url)
    clock = clock_for(demande.aujourdhui)
    title = f"Relances du {clock.today():%d/%m/%Y}"
    try:
        if demande.simulation:
            lines = preview(engine=engine, clock=clock, digests=False)
            _publish(lines, ARTIFACT_KEY, f"{title} (simulation)")
            return {"simulation": len(lines)}
        advanced = advance_cases(engine, clock)
        resumed = resume_decided(engine)
        planned = plan(engine, clock)
        verdicts = send_due(engine, clock, demande.lot)
        refresh_artifacts(engine, sorted(advanced.statuses), clock.today())
        # Every case's timeline, whatever wrote it (this pass, the CLI, the desk).
        emit_case_events(engine)
        lines = [line(v.row, v.status, v.detail or "") for v in verdicts]
        lines += held_lines(engine, planned.held)
        _publish(lines, ARTIFACT_KEY, title)
        counts = {s: sum(1 for v in verdicts if v.status == s) for s in _STATUSES}
        counts["held"] = len(planned.held)
        counts["advanced"] = len(advanced.statuses)
        counts["advance_failed"] = len(advanced.failures)
        counts["resumed"] = resumed
        get_run_logger().info("%s : %s", title, counts)
        return counts
    finally:
        engine.dispose()


_STATUSES = ("sent", "retry", "failed", "cancelled")


@flow(
    name="resume-hebdomadaire",
    flow_run_name=_run_name("resume"),
    log_prints=True,
    validate_parameters=False,
)
@refuse_bad_forms
def weekly_digest(demande: SweepRequest = TODAY) -> dict[str, int]:
    """Plan this week's digests and send what is due (the daily sweep would send them too)."""
    engine = make_engine(get_settings().resolved_database_url)
    clock = clock_for(demande.aujourdhui)
    try:
        plan(engine, clock, digests_only=True)
        verdicts = send_due(engine, clock, demande.lot)
        lines = [line(v.row, v.status, v.detail or "") for v in verdicts]
        _publish(lines, DIGEST_ARTIFACT_KEY, f"Résumés de la semaine du {clock.today():%d/%m/%Y}")
        return {s: sum(1 for v in verdicts if v.status == s) for s in _STATUSES}
    finally:
        engine.dispose()
