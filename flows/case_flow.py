"""The accompaniment flow: one run per case, stage by stage, with validation gates."""

from functools import partial

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import deployment
from pydantic import BaseModel, ConfigDict, Field

from dla import lifecycle, progress, steps
from dla.casefile.fields import Day, Reference
from dla.clock import Clock, SystemClock, clock_for
from dla.db import make_engine
from dla.forms import blank, optional
from dla.portfolio import unknown_references
from dla.settings import get_settings
from flows import gates
from flows.case_artifacts import publish_documents
from flows.case_events import emit_case_events
from flows.forms import named_after, refuse, refuse_bad_forms
from flows.live_artifacts import refresh_artifacts


class CaseRun(BaseModel):
    """Form of the "run a case" deployment."""

    model_config = ConfigDict(
        title="Suivre un accompagnement",
        json_schema_extra={"description": "Le cas à faire avancer, et la date d'un rejeu."},
    )

    reference: Reference = Field(
        title="Référence du cas",
        description="Majuscules, chiffres et tirets, 3 à 40 caractères (ex. DLA38-2006-01)",
    )
    rejouer: bool = Field(
        default=False, title="Rejouer le cas depuis son début jusqu'à la date du jour"
    )
    aujourdhui: optional(Day) = blank(
        title="Date du jour (rejeu)",
        description="Laisser vide en usage réel ; une date rejoue le cas à cette date.",
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


@flow(
    name="accompagnement",
    flow_run_name=named_after("cas", "reference", fallback="cas sans référence"),
    log_prints=True,
    validate_parameters=False,
)
@refuse_bad_forms
def run_case(cas: CaseRun) -> str:
    """Run one accompaniment as far as the database and the calendar allow."""
    engine = make_engine(get_settings().resolved_database_url)
    try:
        if unknown_references(engine, [cas.reference]):
            return refuse(
                f"Formulaire refusé : « Référence du cas » (reference) : cas inconnu : "
                f"{cas.reference!r} (voir la liste des cas du bureau ou « dla case list »)"
            )
        if cas.rejouer:
            until = cas.aujourdhui or SystemClock().today()
            status = progress.replay(engine, cas.reference, until, _task_steps(engine))
        else:
            status = advance(engine, cas.reference, clock_for(cas.aujourdhui), interactive=True)
        refresh_artifacts(engine, [cas.reference], clock_for(cas.aujourdhui).today())
        emit_case_events(engine, [cas.reference])
        print(f"{cas.reference} : {status}")
        return str(status)
    finally:
        engine.dispose()


def advance(engine, reference: str, clock: Clock, interactive: bool) -> progress.Standing:
    """Take the case stage by stage; suspend at a gate only when run from a deployment."""

    def on_awaiting(key: str, outcome: lifecycle.StageOutcome) -> lifecycle.StageOutcome:
        if not interactive or deployment.id is None:
            return outcome
        return gates.wait_for_decisions(engine, reference, key, outcome, clock, check_gate)

    return progress.advance(engine, reference, clock, _task_steps(engine), on_awaiting)


def _task_steps(engine) -> progress.StageSteps:
    return progress.StageSteps(
        partial(open_stage, engine),
        partial(request_deliverables, engine),
        partial(check_gate, engine),
        partial(finish_case, engine),
        partial(render_deliverables, engine),
    )
