"""The accompaniment flow: one run per case, stage by stage, with validation gates."""

from datetime import date, datetime, timedelta
from functools import partial

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment
from pydantic import BaseModel, ConfigDict, Field

from dla import lifecycle, progress, steps, validations
from dla.casefile.fields import Day
from dla.clock import Clock, SystemClock, clock_for
from dla.db import make_engine
from dla.frenchtext import fr_date, label
from dla.settings import get_settings
from dla.vigilance import blocking
from flows.case_artifacts import publish_case_artifacts, publish_documents
from flows.decision_form import DecisionFields
from models.types import PARIS


class CaseRun(BaseModel):
    """Form of the "run a case" deployment."""

    model_config = ConfigDict(
        title="Suivre un accompagnement",
        json_schema_extra={"description": "Le cas à faire avancer, et la date d'un rejeu."},
    )

    reference: str = Field(
        title="Référence du cas", description="ex. DLA38-2006-01", min_length=3, max_length=40
    )
    rejouer: bool = Field(
        default=False, title="Rejouer le cas depuis son début jusqu'à la date du jour"
    )
    aujourdhui: Day | None = Field(
        default=None,
        title="Date du jour (rejeu)",
        description="Laisser vide en usage réel ; une date rejoue le cas à cette date.",
    )


class GateDecision(DecisionFields, RunInput):
    """The validation form shown in the Prefect UI's Resume dialog."""

    model_config = ConfigDict(
        title="Décision de validation",
        json_schema_extra={"description": "La décision d'une instance sur l'étape en attente."},
    )


# The stage steps of dla.steps, each a task of the run (one transaction each, idempotent).
open_stage = task(steps.open_stage, cache_policy=NO_CACHE, task_run_name="{key} · ouverture")
request_deliverables = task(
    steps.request_deliverables, cache_policy=NO_CACHE, task_run_name="{key} · livrables"
)
check_gate = task(
    steps.check_gate, cache_policy=NO_CACHE, task_run_name="{key} · vigilance et validation"
)
finish_case = task(steps.finish_case, cache_policy=NO_CACHE, task_run_name="clôture du cas")


@task(cache_policy=NO_CACHE, task_run_name="{key} · rendu des livrables")
def render_deliverables(engine, reference: str, key: str, clock: Clock) -> list[str]:
    rendered = steps.render_deliverables(engine, reference, key, clock, previews=True)
    if rendered.missing:
        get_run_logger().warning("Livrables non générés : %s", "; ".join(rendered.missing))
    publish_documents([d for d in rendered.documents if d.new])
    return [str(d.path) for d in rendered.documents]


@task(cache_policy=NO_CACHE, task_run_name="{key} · décision saisie")
def record_decision(engine, reference: str, key: str, answer: GateDecision, clock: Clock) -> bool:
    entry = answer.decision_for(reference, key)
    try:
        return validations.record_decision(
            engine, entry, clock=clock, recorded_by="interface Prefect", channel="prefect-ui"
        )
    except validations.ValidationRefused as exc:
        get_run_logger().error("Décision refusée : %s", "; ".join(exc.messages()))
        return False


def _gate_form(outcome: lifecycle.StageOutcome, question: steps.GateQuestion) -> type[GateDecision]:
    org_keys = question.organisation_keys
    awaited = (
        ", ".join(
            f"{org_keys.get(org, org) if org else 'coordination'} ({label(body)})"
            for org, body in outcome.gate.missing
        )
        if outcome.gate
        else ""
    )
    blockers = "\n".join(
        f"- **bloquant** : {f.message} (§{f.section})" for f in blocking(outcome.findings)
    )
    description = (
        f"### {question.title}\n\nValidation attendue de : {awaited or '—'}\n\n"
        f"Échéance : {fr_date(outcome.gate_deadline)}\n\n{blockers}"
    )
    return GateDecision.with_initial_data(description=description)


@flow(name="accompagnement", flow_run_name="{cas.reference}", log_prints=True)
def run_case(cas: CaseRun) -> str:
    """Run one accompaniment as far as the database and the calendar allow."""
    engine = make_engine(get_settings().resolved_database_url)
    try:
        if cas.rejouer:
            until = cas.aujourdhui or SystemClock().today()
            status = progress.replay(engine, cas.reference, until, _task_steps(engine))
        else:
            status = advance(engine, cas.reference, clock_for(cas.aujourdhui), interactive=True)
        publish_case_artifacts(engine, cas.reference, clock_for(cas.aujourdhui).today())
        print(f"{cas.reference} : {status}")
        return str(status)
    finally:
        engine.dispose()


def advance(engine, reference: str, clock: Clock, interactive: bool) -> progress.Standing:
    """Take the case stage by stage; suspend at a gate only when run from a deployment."""

    def wait_for_decisions(key: str, outcome: lifecycle.StageOutcome) -> lifecycle.StageOutcome:
        asked = 0
        while (
            outcome.state == lifecycle.StageState.awaiting
            and interactive
            and deployment.id is not None
        ):
            question = steps.gate_question(engine, reference, key)
            # One key per question of this run: a resumed run re-asks from the top and gets each
            # stored answer back (recording it again adds nothing), then suspends on a new key;
            # a key per known decision would hand back a refused answer forever.
            answer = suspend_flow_run(
                wait_for_input=_gate_form(outcome, question),
                key=f"{key}-{asked}",
                timeout=_timeout(outcome.gate_deadline, clock),
            )
            asked += 1
            record_decision(engine, reference, key, answer, clock)
            outcome = check_gate(engine, reference, key, clock)
        return outcome

    return progress.advance(engine, reference, clock, _task_steps(engine), wait_for_decisions)


def _task_steps(engine) -> progress.StageSteps:
    return progress.StageSteps(
        partial(open_stage, engine),
        partial(request_deliverables, engine),
        partial(check_gate, engine),
        partial(finish_case, engine),
        partial(render_deliverables, engine),
    )


def _timeout(deadline: date | None, clock: Clock) -> int:
    # The suspension lasts until the gate's deadline (grace included), at least one day.
    if deadline is None:
        return 86_400
    end = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), tzinfo=PARIS)
    return max(86_400, int((end - clock.now()).total_seconds()))
