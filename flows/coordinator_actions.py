"""A coordinator's action on a case from the Prefect UI: the same `dla.actions` as the desk."""

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict, Field

from dla.actions import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    add_task,
    advance_after,
    end_period,
    mark_task_done,
    mark_task_not_done,
    move_deadline,
    start_period,
)
from dla.casefile.fields import Day
from dla.clock import clock_for
from dla.db import make_engine, transaction
from dla.settings import get_settings
from models.enums import PeriodKind, Vocabulary


class CoordinatorAction(Vocabulary):
    """The actions of the form, as the UI lists them (values are what coordinators read)."""

    tache_faite = "Marquer une tâche faite"
    tache_a_faire = "Remettre une tâche à faire"
    tache_ajoutee = "Ajouter une tâche à une étape ouverte"
    echeance = "Déplacer une échéance"
    periode_ouverte = "Ouvrir une période"
    periode_terminee = "Terminer une période"


class ActionForm(BaseModel):
    """Form of the "agir sur un cas" deployment: each action reads the fields it names."""

    model_config = ConfigDict(
        title="Action sur un cas",
        json_schema_extra={
            "description": "Une action de la chargée ou du chargé de mission : tâche, "
            "échéance, période. Seuls les champs de l'action choisie sont lus."
        },
    )

    reference: str = Field(title="Référence du cas", min_length=3, max_length=40)
    action: CoordinatorAction = Field(title="Action")
    etape: str = Field(default="", title="Étape (clé)", description="ex. diagnostic", max_length=80)
    tache: str = Field(
        default="",
        title="Tâche (clé)",
        description="Pour « Déplacer une échéance », vide : la fin de l'étape",
        max_length=80,
    )
    fait_le: Day | None = Field(default=None, title="Faite le", description="Défaut : aujourd'hui")
    echeance: Day | None = Field(
        default=None,
        title="Échéance",
        description="Nouvelle échéance, ou celle de la tâche ajoutée",
    )
    motif: str = Field(default="", title="Motif (échéance déplacée)", max_length=500)
    titre: str = Field(default="", title="Intitulé (tâche ajoutée)", max_length=300)
    responsable: str = Field(
        default="",
        title="Responsable (tâche ajoutée)",
        description="coordination, un rôle (prestataire, porteur…) ou la clé d'une structure",
        max_length=80,
    )
    type_periode: PeriodKind | None = Field(default=None, title="Type de période")
    periode: str = Field(
        default="",
        title="Clé de la période",
        description="Période à terminer ; pour une nouvelle période, facultative",
        max_length=80,
    )
    debut: Day | None = Field(
        default=None, title="Début de la période", description="Défaut : aujourd'hui"
    )
    fin: Day | None = Field(
        default=None,
        title="Fin de la période",
        description="Prévue, pour l'ouvrir ; pour la terminer, défaut : aujourd'hui",
    )
    note: str = Field(default="", title="Note (période)", max_length=1000)
    par: str = Field(default="interface Prefect", title="Saisi par", min_length=1, max_length=200)
    aujourdhui: Day | None = Field(
        default=None,
        title="Date du jour (rejeu)",
        description="Laisser vide en usage réel",
    )


class ActionFailed(Exception):
    """The action was refused; the run fails with its reasons in one line, nothing written."""


def _needed(form: ActionForm, **fields: str) -> None:
    """Refuse the action when a field it needs is empty (field → its French title)."""
    problems = [
        FieldProblem(name, f"{title} : champ requis pour « {form.action.value} »")
        for name, title in fields.items()
        if getattr(form, name) in (None, "")
    ]
    if problems:
        raise ActionRefused(problems)


def perform(form: ActionForm, **frame) -> Outcome:
    """Run the form's action with `frame` (session, clock, actor) as every door does."""
    ref, kind = form.reference, form.action
    if kind in (CoordinatorAction.tache_faite, CoordinatorAction.tache_a_faire):
        _needed(form, etape="Étape", tache="Tâche")
        if kind is CoordinatorAction.tache_a_faire:
            return mark_task_not_done(ref, form.etape, form.tache, **frame)
        return mark_task_done(ref, form.etape, form.tache, done_on=form.fait_le, **frame)
    if kind is CoordinatorAction.echeance:
        _needed(form, etape="Étape", echeance="Échéance")
        task_key = form.tache or None
        return move_deadline(
            ref, form.etape, task_key, to=form.echeance, reason=form.motif, **frame
        )
    if kind is CoordinatorAction.tache_ajoutee:
        _needed(form, etape="Étape", tache="Tâche", echeance="Échéance", responsable="Responsable")
        return add_task(
            ref, form.etape, key=form.tache, title=form.titre, owner=form.responsable,
            due_on=form.echeance, **frame,
        )  # fmt: skip
    if kind is CoordinatorAction.periode_ouverte:
        _needed(form, type_periode="Type de période", fin="Fin de la période")
        return start_period(
            ref, kind=form.type_periode.value, end_on=form.fin, start_on=form.debut,
            key=form.periode or None, note=form.note or None, **frame,
        )  # fmt: skip
    _needed(form, periode="Clé de la période")
    return end_period(ref, form.periode, end_on=form.fin, **frame)


@task(cache_policy=NO_CACHE, task_run_name="{demande.action}")
def act(demande: ActionForm) -> str:
    """Check and write the action, then let the case take it into account at once."""
    engine = make_engine(get_settings().resolved_database_url)
    clock = clock_for(demande.aujourdhui)
    try:
        with transaction(engine) as session:
            outcome = perform(
                demande, session=session, clock=clock, actor=Actor(demande.par, "prefect")
            )
        if outcome.changed:
            status = advance_after(engine, demande.reference, clock, render=True)
            return f"{outcome.summary} ; cas : {status}"
        return outcome.summary
    except ActionRefused as exc:
        raise ActionFailed(exc.one_line()) from None
    finally:
        engine.dispose()


@flow(name="action-de-coordination", flow_run_name="{demande.reference} · {demande.action}")
def coordinator_action(demande: ActionForm) -> str:
    """Apply one coordinator action to a case (the same checks as the desk and the CLI)."""
    message = act(demande)
    get_run_logger().info(message)
    return message
