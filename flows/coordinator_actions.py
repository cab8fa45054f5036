"""A coordinator's action on a case from the Prefect UI: the same `dla.actions` as the desk."""

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

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
from dla.actions.budget import set_budget_days
from dla.actions.closing import abandon_case, close_case
from dla.actions.contacts import set_contact, set_contact_role
from dla.actions.facts import edit_facts
from dla.actions.followups import record_follow_up
from dla.actions.measures import record_measure
from dla.actions.members import set_member
from dla.clock import clock_for
from dla.db import make_engine, transaction
from dla.frenchtext import standing_label
from dla.settings import get_settings
from flows.action_form import ActionForm, CoordinatorAction
from flows.forms import named_after, refuse_bad_forms
from flows.live_artifacts import refresh_cases


class ActionFailed(Exception):
    """The action was refused; the run fails with its reasons in one line, nothing written."""


def _needed(form: ActionForm, **fields: str) -> None:
    """Refuse the action when a field it needs is empty (field → its French title)."""
    problems = [
        FieldProblem(name, f"{title} : champ requis pour « {form.action.value} »")
        for name, title in fields.items()
        if getattr(form, name) in (None, "", {})
    ]
    if problems:
        raise ActionRefused(problems)


def _task(form: ActionForm, **frame) -> Outcome:
    _needed(form, etape="Étape", tache="Tâche")
    if form.action is CoordinatorAction.tache_a_faire:
        return mark_task_not_done(form.reference, form.etape, form.tache, **frame)
    return mark_task_done(form.reference, form.etape, form.tache, done_on=form.fait_le, **frame)


def _deadline(form: ActionForm, **frame) -> Outcome:
    _needed(form, etape="Étape", echeance="Échéance")
    return move_deadline(
        form.reference, form.etape, form.tache or None, to=form.echeance, reason=form.motif,
        **frame,
    )  # fmt: skip


def _new_task(form: ActionForm, **frame) -> Outcome:
    _needed(form, etape="Étape", tache="Tâche", echeance="Échéance", responsable="Responsable")
    return add_task(
        form.reference, form.etape, key=form.tache, title=form.titre, owner=form.responsable,
        due_on=form.echeance, **frame,
    )  # fmt: skip


def _start(form: ActionForm, **frame) -> Outcome:
    _needed(form, type_periode="Type de période", fin="Fin de la période")
    return start_period(
        form.reference, kind=form.type_periode.value, end_on=form.fin, start_on=form.debut,
        key=form.periode or None, note=form.note or None, **frame,
    )  # fmt: skip


def _end(form: ActionForm, **frame) -> Outcome:
    _needed(form, periode="Clé de la période")
    return end_period(form.reference, form.periode, end_on=form.fin, **frame)


def _member(form: ActionForm, **frame) -> Outcome:
    _needed(form, organisation="Structure", role_membre="Rôle de la structure")
    return set_member(
        form.reference, form.organisation, role=form.role_membre.value, name=form.nom,
        kind=_code(form.type_structure), siae=_code(form.siae), siret=form.siret,
        update_shared=form.modifier_partage, **frame,
    )  # fmt: skip


def _contact(form: ActionForm, **frame) -> Outcome:
    _needed(form, email="Adresse e-mail du contact")
    return set_contact(
        form.reference, form.email, organisation=form.organisation or None,
        role=_code(form.role_contact), name=form.nom, phone=form.telephone,
        new_email=form.nouvelle_adresse, update_shared=form.modifier_partage, **frame,
    )  # fmt: skip


def _contact_role(form: ActionForm, **frame) -> Outcome:
    _needed(form, email="Adresse e-mail du contact", role_contact="Rôle du contact")
    return set_contact_role(
        form.reference, form.email, role=form.role_contact.value,
        organisation=form.organisation or None, **frame,
    )  # fmt: skip


def _measure(form: ActionForm, **frame) -> Outcome:
    _needed(form, indicateur="Indicateur", valeur="Valeur mesurée")
    return record_measure(
        form.reference, form.indicateur, value=form.valeur, measured_on=form.mesure_le,
        unit=form.unite, **frame,
    )  # fmt: skip


def _follow_up(form: ActionForm, **frame) -> Outcome:
    _needed(form, mois="Suivi à (mois)")
    return record_follow_up(
        form.reference, form.mois, done_on=form.fait_le, summary=form.resume,
        measures=form.mesures, **frame,
    )  # fmt: skip


def _facts(form: ActionForm, **frame) -> Outcome:
    _needed(form, faits="Faits du cas à modifier")
    return edit_facts(form.reference, dict(form.faits), **frame)


def _budget(form: ActionForm, **frame) -> Outcome:
    _needed(form, tache="Tâche")
    return set_budget_days(
        form.reference, form.tache, terrain=form.terrain, cabinet=form.cabinet, **frame
    )


def _close(form: ActionForm, **frame) -> Outcome:
    return close_case(form.reference, reason=form.motif, **frame)


def _abandon(form: ActionForm, **frame) -> Outcome:
    return abandon_case(form.reference, reason=form.motif, **frame)


def _code(value) -> str | None:
    return value.value if value is not None else None


A = CoordinatorAction
# Each action of the form, and the `dla.actions` function it runs (the desk's and the CLI's).
PERFORM = {
    A.tache_faite: _task, A.tache_a_faire: _task, A.tache_ajoutee: _new_task,
    A.echeance: _deadline, A.periode_ouverte: _start, A.periode_terminee: _end,
    A.membre: _member, A.contact: _contact, A.role_contact: _contact_role,
    A.mesure: _measure, A.suivi: _follow_up, A.faits: _facts, A.budget: _budget,
    A.cloture: _close, A.abandon: _abandon,
}  # fmt: skip


def perform(form: ActionForm, **frame) -> Outcome:
    """Run the form's action with `frame` (session, clock, actor) as every door does."""
    return PERFORM[form.action](form, **frame)


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
            return f"{outcome.summary} ; cas : {standing_label(status)}"
        return outcome.summary
    except ActionRefused as exc:
        raise ActionFailed(exc.one_line()) from None
    finally:
        engine.dispose()


@flow(
    name="action-de-coordination",
    flow_run_name=named_after("demande", "reference", "action", fallback="action sur un cas"),
    validate_parameters=False,
)
@refuse_bad_forms
def coordinator_action(demande: ActionForm) -> str:
    """Apply one coordinator action to a case (the same checks as the desk and the CLI)."""
    message = act(demande)
    # Whether changed or not (an action refused raised above), the case shows as it stands.
    refresh_cases([demande.reference], clock_for(demande.aujourdhui).today())
    get_run_logger().info(message)
    return message
