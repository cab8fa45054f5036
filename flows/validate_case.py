"""Recording a validation from the UI's form, then resuming the case's waiting run."""

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict, Field

from dla import progress
from dla.casefile.fields import SLUG_PATTERN, Reference
from dla.clock import SystemClock
from dla.db import make_engine
from dla.settings import get_settings
from dla.validations import DecisionInput, ValidationRefused, record_decision
from flows.case_events import emit_case_events
from flows.decision_form import DecisionFields, decision_answer
from flows.forms import named_after, refuse, refuse_bad_forms
from flows.live_artifacts import refresh_cases
from flows.resume import resume_waiting_runs


class ValidationTarget(BaseModel):
    """The case and stage a decision is about (first in the form)."""

    reference: Reference = Field(
        title="Référence du cas",
        description="Majuscules, chiffres et tirets, 3 à 40 caractères (ex. DLA38-2006-01)",
    )
    etape: str = Field(
        title="Étape (clé)",
        description="La clé de l'étape dans le fichier de cas, en minuscules (ex. diagnostic)",
        max_length=60,
        pattern=SLUG_PATTERN,
    )


class ValidationForm(DecisionFields, ValidationTarget):
    """Form of the "enregistrer une validation" deployment."""

    model_config = ConfigDict(
        title="Décision de validation",
        json_schema_extra={"description": "La décision d'une instance sur une étape d'un cas."},
    )

    def entry(self) -> DecisionInput:
        return self.decision_for(self.reference, self.etape)


def refused(problems: list[str]) -> str:
    """Word a refused decision in one line: the reasons, and that nothing was written."""
    return "Décision refusée, rien n'a été enregistré : " + " ; ".join(problems)


@task(cache_policy=NO_CACHE, task_run_name="enregistrement de la décision")
def save_decision(form: ValidationForm) -> bool | str:
    """Record the decision; return whether it is new, or why it was refused (a handled case)."""
    engine = make_engine(get_settings().resolved_database_url)
    try:
        return record_decision(
            engine,
            form.entry(),
            clock=SystemClock(),
            recorded_by="formulaire Prefect",
            channel="prefect-formulaire",
        )
    except ValidationRefused as exc:
        return refused(exc.messages())
    finally:
        engine.dispose()


@task(cache_policy=NO_CACHE, task_run_name="reprise du flux en attente")
def resume(form: ValidationForm) -> int:
    return resume_waiting_runs(form.reference, decision_answer(form.entry()), stage=form.etape)


@task(cache_policy=NO_CACHE, task_run_name="avancement du cas")
def advance_case(form: ValidationForm) -> str:
    """Take the case as far as the decision allows when no run waited for it."""
    engine = make_engine(get_settings().resolved_database_url)
    try:
        return progress.advance(
            engine, form.reference, SystemClock(), progress.plain_steps(engine, render=True)
        )
    finally:
        engine.dispose()


@flow(
    name="validation",
    flow_run_name=named_after("decision", "reference", "etape", fallback="décision"),
    validate_parameters=False,
)
@refuse_bad_forms
def validate_case(decision: ValidationForm) -> str:
    """Record a board's or committee's decision, then resume the case where it waits."""
    new = save_decision(decision)
    if isinstance(new, str):
        return refuse(new)  # the run fails with the reasons; nothing was written
    # A resumed run refreshes them again when it has taken the decision.
    refresh_cases([decision.reference])
    resumed = resume(decision)
    # No run waited on this stage (the case is driven by the daily pass, or its run is gone):
    # the decision takes effect now rather than at tomorrow's pass.
    status = "" if resumed else f" ; cas : {advance_case(decision)}"
    if not resumed:  # a resumed run sends its case's events itself
        engine = make_engine(get_settings().resolved_database_url)
        try:
            emit_case_events(engine, [decision.reference])
        finally:
            engine.dispose()
    message = ("décision enregistrée" if new else "décision déjà enregistrée") + (
        f" ; flux repris : {resumed}" if resumed else status
    )
    get_run_logger().info(message)
    return message
