"""Opening an accompaniment: from the UI's form or a case file, then its case flow starts."""

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.deployments import run_deployment
from prefect.runtime import deployment
from pydantic import BaseModel, ConfigDict, Field

from dla import opening
from dla.casefile.form import NewCaseForm
from dla.casefile.problems import CaseFileError
from dla.cases import CaseConflict
from dla.clock import SystemClock
from dla.db import make_engine
from dla.settings import get_settings
from flows.case_flow import CaseRun, run_case
from flows.forms import named_after, refuse, refuse_bad_forms
from flows.live_artifacts import refresh_cases


class CaseFileChoice(BaseModel):
    """Form of the "charger un fichier de cas" deployment."""

    model_config = ConfigDict(
        title="Fichier de cas",
        json_schema_extra={"description": "Un fichier du dossier des cas (var/cas/)."},
    )

    fichier: str = Field(
        title="Fichier de cas",
        description="Nom d'un fichier YAML déposé dans le dossier des cas, sans chemin "
        "(ex. cantal-2006.yaml)",
        min_length=6,
        max_length=120,
        pattern=r"^[^/\\]+\.ya?ml$",
    )
    modifier_donnees_partagees: bool = Field(
        default=False,
        title="Modifier les organisations et contacts d'autres cas",
        description="Si le fichier change le nom, le type… d'une organisation ou d'un contact "
        "qui sert déjà à un autre cas : appliquer ce changement à tous ces cas (noté dans leur "
        "journal) au lieu de refuser le chargement.",
    )


class Refused(str):
    """Why a case was not saved (a handled outcome, not an error of the task)."""


def refusal(exc: CaseFileError | CaseConflict) -> Refused:
    """Word a refused case in one line: every problem, and that nothing was saved."""
    if isinstance(exc, CaseFileError):
        problems = " ; ".join(p.render(exc.file) for p in exc.problems)
    else:
        problems = str(exc)
    return Refused(f"Cas refusé, rien n'a été enregistré : {problems}")


@task(cache_policy=NO_CACHE, task_run_name="enregistrement du cas")
def save_from_form(form: NewCaseForm) -> str:
    """Save the case; return its reference, or why it was refused (`Refused`)."""
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        outcome = opening.save_from_form(
            engine, form, clock=SystemClock(), actor="interface Prefect"
        )
    except (CaseFileError, CaseConflict) as exc:
        return refusal(exc)
    finally:
        engine.dispose()
    return outcome.reference


@task(cache_policy=NO_CACHE, task_run_name="chargement de {name}")
def save_from_file(name: str, update_shared: bool = False) -> str:
    """Load the case file; return the case's reference, or why it was refused (`Refused`)."""
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        outcome = opening.save_from_file(
            engine,
            name,
            settings.resolved_cases_dir,
            settings.max_case_file_bytes,
            clock=SystemClock(),
            actor="interface Prefect",
            update_shared=update_shared,
        )
    except (CaseFileError, CaseConflict) as exc:
        return refusal(exc)
    finally:
        engine.dispose()
    get_run_logger().info("%s : %s", outcome.reference, outcome.status)
    return outcome.reference


def start_case_run(reference: str) -> str:
    """Start the case's own run: its deployment when deployed (so gates can suspend), else inline."""
    if deployment.id is None:
        return run_case(CaseRun(reference=reference))
    refresh_cases([reference])  # the case shows at once, before its run is taken up
    run = run_deployment(
        get_settings().case_deployment,
        parameters={"cas": {"reference": reference}},
        timeout=0,
        # Its own run, not a subflow: only a top-level run can suspend at a gate.
        as_subflow=False,
        # Opening the same case twice must not start two runs of it.
        idempotency_key=f"ouverture-{reference}",
    )
    return f"run {run.name} lancé"


@flow(
    name="ouverture",
    flow_run_name=named_after("nouveau", "reference", fallback="nouveau cas"),
    log_prints=True,
    validate_parameters=False,
)
@refuse_bad_forms
def open_case(nouveau: NewCaseForm) -> str:
    """Open a new accompaniment from a template and a few fields, then start following it."""
    reference = save_from_form(nouveau)
    if isinstance(reference, Refused):
        return refuse(reference)
    return start_case_run(reference)


@flow(
    name="chargement",
    flow_run_name=named_after("choix", "fichier", fallback="fichier de cas"),
    log_prints=True,
    validate_parameters=False,
)
@refuse_bad_forms
def load_case(choix: CaseFileChoice) -> str:
    """Load a case file of the cases folder, then take the case as far as it goes."""
    reference = save_from_file(choix.fichier, choix.modifier_donnees_partagees)
    if isinstance(reference, Refused):
        return refuse(reference)
    return start_case_run(reference)
