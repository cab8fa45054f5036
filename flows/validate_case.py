"""Recording a validation from the UI's form, then resuming the case's waiting run."""

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict, Field

from dla.clock import SystemClock
from dla.db import make_engine, transaction
from dla.settings import get_settings
from dla.validations import DecisionInput, ValidationRefused, record_validation
from flows.resume import decision_answer, resume_waiting_runs
from models.enums import Body, Decision


class ValidationForm(BaseModel):
    """Form of the "enregistrer une validation" deployment."""

    model_config = ConfigDict(
        title="Décision de validation",
        json_schema_extra={"description": "La décision d'une instance sur une étape d'un cas."},
    )

    reference: str = Field(title="Référence du cas", min_length=3, max_length=40)
    etape: str = Field(title="Étape (clé)", description="ex. diagnostic", max_length=60)
    structure: str = Field(
        default="", title="Structure (clé)", description="Vide pour la coordination DLA"
    )
    instance: Body = Field(title="Instance qui décide")
    decision: Decision = Field(title="Décision")
    date_decision: date = Field(title="Date de la décision")
    commentaire: str = Field(default="", title="Commentaire", max_length=2000)
    report_au: date | None = Field(default=None, title="Reporté au (si reportée)")

    def entry(self) -> DecisionInput:
        return DecisionInput(
            self.reference,
            self.etape,
            self.structure or None,
            self.instance,
            self.decision,
            self.date_decision,
            self.commentaire or None,
            self.report_au,
        )


class DecisionRefused(Exception):
    """The decision failed its checks; the run fails with the reasons, nothing is written."""


@task(cache_policy=NO_CACHE, task_run_name="enregistrement de la décision")
def record(form: ValidationForm) -> bool:
    engine = make_engine(get_settings().resolved_database_url)
    try:
        with transaction(engine) as session:
            return record_validation(
                form.entry(),
                session=session,
                clock=SystemClock(),
                recorded_by="formulaire Prefect",
                channel="prefect-formulaire",
            )[1]
    except ValidationRefused as exc:
        raise DecisionRefused(
            "Décision refusée, rien n'a été enregistré : " + " ; ".join(exc.problems)
        ) from None
    finally:
        engine.dispose()


@task(cache_policy=NO_CACHE, task_run_name="reprise du flux en attente")
def resume(form: ValidationForm) -> int:
    return resume_waiting_runs(form.reference, decision_answer(form.entry()), stage=form.etape)


@flow(name="validation", flow_run_name="{decision.reference} · {decision.etape}")
def validate_case(decision: ValidationForm) -> str:
    """Record a board's or committee's decision, then resume the case where it waits."""
    new = record(decision)
    resumed = resume(decision)
    message = ("décision enregistrée" if new else "décision déjà enregistrée") + (
        f" ; flux repris : {resumed}" if resumed else ""
    )
    get_run_logger().info(message)
    return message
