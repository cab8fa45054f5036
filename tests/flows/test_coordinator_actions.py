"""The "agir sur un cas" deployment's flow: the same actions as the desk, on a real engine."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.db import make_engine
from flows.coordinator_actions import ActionFailed, ActionForm, coordinator_action
from models import Stage, TimelineEvent
from models.enums import StageStatus
from tests.factories import REFERENCE, all_rows, open_case_stage

DONE = {"reference": REFERENCE, "action": "Marquer une tâche faite", "etape": "diagnostic",
        "tache": "note-diagnostic", "aujourdhui": date(2024, 1, 15), "par": "Léa"}  # fmt: skip


def test_a_task_done_from_the_form_moves_the_stage_to_its_gate(prefect_server, dla_env, tmp_path):
    engine = make_engine(dla_env)
    open_case_stage(engine, tmp_path)
    message = coordinator_action(ActionForm(**DONE))
    assert message.startswith("Tâche « Note de diagnostic remise » (Diagnostic partagé) marquée")
    assert message.endswith("cas : en-attente-de-validation")
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
