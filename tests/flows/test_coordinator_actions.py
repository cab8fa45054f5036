"""The "agir sur un cas" deployment's flow: the same actions as the desk, on a real engine."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.actions import ActionRefused, Actor
from dla.clock import FixedClock
from dla.db import make_engine, transaction
from flows.coordinator_actions import ActionFailed, ActionForm, coordinator_action, perform
from models import Case, Indicator, Stage, TimelineEvent
from models.enums import IndicatorKind, StageStatus
from tests.factories import REFERENCE, all_rows, open_case_stage

DONE = {"reference": REFERENCE, "action": "Marquer une tâche faite", "etape": "diagnostic",
        "tache": "note-diagnostic", "aujourdhui": date(2024, 1, 15), "par": "Léa"}  # fmt: skip


def test_a_task_done_from_the_form_moves_the_stage_to_its_gate(prefect_server, dla_env, tmp_path):
    engine = make_engine(dla_env)
    open_case_stage(engine, tmp_path)
    message = coordinator_action(ActionForm(**DONE))
    assert message.startswith("Tâche « Note de diagnostic remise » (Diagnostic partagé) marquée")
    assert message.endswith("cas : en attente de validation")
    with Session(engine) as session:
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "task.done")).one()
        stage = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
    assert (event.actor, event.data["channel"]) == ("Léa", "prefect")
    assert stage.status is StageStatus.en_attente_validation
    engine.dispose()


def test_a_refused_action_fails_the_run_in_one_french_line(prefect_server, dla_env, tmp_path):
    engine = make_engine(dla_env)
    open_case_stage(engine, tmp_path)
    rows = all_rows(engine)
    form = ActionForm(**DONE | {"action": "Déplacer une échéance", "echeance": date(2024, 1, 20)})
    with pytest.raises(ActionFailed) as caught:
        coordinator_action(form)
    assert str(caught.value) == (
        "Action refusée, rien n'a été enregistré : nouvelle échéance le samedi 20 janvier 2024 : "
        "week-end ; attendu : un jour ouvré (le prochain : 22 janvier 2024) ; motif : champ vide "
        "; attendu : un texte"
    )
    assert all_rows(engine) == rows
    engine.dispose()


DAY = date(2024, 1, 15)
EVERY_ACTION = {
    "Ajouter ou modifier une structure membre": (
        {"organisation": "reseau-iae", "role_membre": "reseau", "nom": "Réseau IAE 38",
         "type_structure": "reseau"},
        "« Réseau IAE 38 » (réseau IAE) rejoint le cas",
    ),
    "Ajouter ou modifier un contact": (
        {"email": "dg@aci-un.example.org", "organisation": "aci-un", "role_contact": "direction",
         "nom": "Direction ACI Un"},
        "Contact dg@aci-un.example.org ajouté au cas",
    ),
    "Changer le rôle d'un contact dans le cas": (
        {"email": "presidence@aci-un.example.org", "role_contact": "direction"},
        "Contact presidence@aci-un.example.org modifié : rôle présidence → direction",
    ),
    "Enregistrer la mesure d'un indicateur": (
        {"indicateur": "postes", "valeur": "1,5", "mesure_le": DAY},
        "Indicateur « Postes partagés pourvus » mesuré le 15 janvier 2024 : 1,5 ETP",
    ),
    "Enregistrer un suivi": (
        {"mois": 3, "fait_le": DAY, "resume": "Poste pourvu", "mesures": {"postes": "1"}},
        "Suivi à 3 mois fait le 15 janvier 2024",
    ),
    "Modifier les faits du cas": (
        {"faits": {"contexte.demande_initiale": "Mutualiser un poste", "contexte.enjeux": "Un\nDeux"}},
        "Faits du cas modifiés",
    ),
    "Fixer les jours d'une tâche du prestataire": (
        {"tache": "note-diagnostic", "terrain": 2, "cabinet": 1.5},
        "Budget de « Note de diagnostic remise » : 2 jour(s) terrain, 1,5 jour(s) cabinet",
    ),
    "Clore le cas": ({"motif": "Accompagnement terminé"}, "Accompagnement clos"),
    "Abandonner le cas": ({"motif": "Le collectif s'est dissous"}, "Accompagnement abandonné"),
}  # fmt: skip


@pytest.mark.parametrize("action", list(EVERY_ACTION))
def test_each_action_of_the_form_runs_the_core_action_as_the_person_named(engine, tmp_path, action):
    fields, summary = EVERY_ACTION[action]
    open_case_stage(engine, tmp_path)
    with transaction(engine) as session:
        session.add(
            Indicator(
                case_id=session.exec(select(Case.id)).one(), key="postes",
                label="Postes partagés pourvus", kind=IndicatorKind.quantitatif, unit="ETP",
            )
        )  # fmt: skip
    form = ActionForm(reference=REFERENCE, action=action, par="Léa", aujourdhui=DAY, **fields)
    with transaction(engine) as session:
        outcome = perform(
            form, session=session, clock=FixedClock.on(DAY), actor=Actor(form.par, "prefect")
        )
    assert outcome.changed and outcome.summary.startswith(summary), outcome.summary
    with Session(engine) as session:
        latest = session.exec(select(TimelineEvent).order_by(TimelineEvent.id.desc())).first()
    assert (latest.actor, latest.data["channel"]) == ("Léa", "prefect")


def test_a_field_the_action_needs_is_asked_for_in_french(engine, tmp_path):
    open_case_stage(engine, tmp_path)
    rows = all_rows(engine)
    form = ActionForm(reference=REFERENCE, action="Enregistrer un suivi", resume="Vu")
    with pytest.raises(ActionRefused) as caught, transaction(engine) as session:
        perform(form, session=session, clock=FixedClock.on(DAY), actor=Actor("t", "prefect"))
    assert caught.value.messages() == [
        "Suivi à (mois) : champ requis pour « Enregistrer un suivi »"
    ]
    assert all_rows(engine) == rows
