"""Moving a deadline and adding a task: the core functions behind every door."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.actions import (
    ActionRefused,
    Actor,
    add_task,
    advance_after,
    mark_task_done,
    move_deadline,
)
from dla.clock import FixedClock
from dla.db import transaction
from models import Stage, Step, TimelineEvent
from models.enums import StageStatus
from tests.factories import REFERENCE, all_rows

DESK = Actor("Camille Martin", "bureau")
DAY = FixedClock.on(date(2024, 1, 15))  # a Monday; the diagnostic stage ends on 22 January


def move(engine, to, reason="le conseil se réunit plus tard", task="note-diagnostic", **kw):
    with transaction(engine) as session:
        return move_deadline(
            REFERENCE, "diagnostic", task, to=to, reason=reason, session=session, clock=DAY,
            actor=DESK, **kw,
        )  # fmt: skip


def add(engine, stage="diagnostic", **fields):
    fields = {"key": "entretiens", "title": "Entretiens individuels", "owner": "prestataire",
              "due_on": date(2024, 1, 19)} | fields  # fmt: skip
    with transaction(engine) as session:
        return add_task(REFERENCE, stage, session=session, clock=DAY, actor=DESK, **fields)


def refusal(call) -> dict:
    with pytest.raises(ActionRefused) as caught:
        call()
    return {p.field: p.message for p in caught.value.problems}


def row(engine, model, key):
    with Session(engine) as session:
        return session.exec(select(model).where(model.key == key)).one()


def test_a_moved_deadline_keeps_its_old_and_new_date_and_reason_on_the_timeline(opened):
    outcome = move(opened, date(2024, 1, 19))
    assert outcome.summary == (
        "Échéance de « Note de diagnostic remise » déplacée du 22 janvier 2024 au 19 janvier "
        "2024 (motif : le conseil se réunit plus tard)"
    )
    assert row(opened, Step, "note-diagnostic").due_date == date(2024, 1, 19)
    with Session(opened) as session:
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "step.moved")).one()
    assert (event.data["old"], event.data["new"], event.data["channel"]) == (
        "2024-01-22", "2024-01-19", "bureau",
    )  # fmt: skip


def test_a_deadline_is_not_moved_without_a_reason(opened):
    rows = all_rows(opened)
    assert refusal(lambda: move(opened, date(2024, 1, 19), reason="  ")) == {
        "motif": "motif : champ vide ; attendu : un texte"
    }
    assert all_rows(opened) == rows


def test_a_deadline_on_a_weekend_is_refused_naming_the_next_working_day(opened):
    assert refusal(lambda: move(opened, date(2024, 1, 20))) == {
        "echeance": "nouvelle échéance le samedi 20 janvier 2024 : week-end ; attendu : un "
        "jour ouvré (le prochain : 22 janvier 2024)"
    }


def test_a_stage_end_on_a_public_holiday_is_refused(opened):
    problems = refusal(lambda: move(opened, date(2024, 5, 1), task=None))
    assert problems["echeance"].startswith(
        "nouvelle échéance le mercredi 1er mai 2024 : jour férié"
    )


def test_a_deadline_in_the_past_is_refused(opened):
    assert refusal(lambda: move(opened, date(2024, 1, 12)))["echeance"].startswith(
        "nouvelle échéance dans le passé : 12 janvier 2024"
    )


def test_a_task_deadline_after_its_stage_s_end_is_refused(opened):
    assert "après la fin de l'étape" in refusal(lambda: move(opened, date(2024, 1, 23)))["echeance"]


def test_a_done_task_s_deadline_no_longer_moves(opened):
    with transaction(opened) as session:
        mark_task_done(REFERENCE, "diagnostic", "note-diagnostic", session=session, clock=DAY,
                       actor=DESK)  # fmt: skip
    assert refusal(lambda: move(opened, date(2024, 1, 19)))["tache"].startswith(
        "tâche 'note-diagnostic' faite le 15 janvier 2024"
    )


def test_moving_the_end_of_a_stage_awaiting_its_gate_opens_it_again(opened):
    advance_after(opened, REFERENCE, FixedClock.on(date(2024, 1, 22)))
    assert row(opened, Stage, "diagnostic").status is StageStatus.en_attente_validation
    with transaction(opened) as session:
        move_deadline(REFERENCE, "diagnostic", None, to=date(2024, 2, 5), reason="report",
                      session=session, clock=FixedClock.on(date(2024, 1, 22)), actor=DESK)  # fmt: skip
    stage = row(opened, Stage, "diagnostic")
    assert (stage.status, stage.planned_end) == (StageStatus.ouverte, date(2024, 2, 5))


def test_the_same_deadline_again_changes_nothing(opened):
    assert not move(opened, date(2024, 1, 22)).changed


def test_a_task_added_to_an_open_stage_is_due_on_its_day(opened):
    outcome = add(opened)
    assert "Tâche « Entretiens individuels » ajoutée à l'étape « Diagnostic partagé »" in (
        outcome.summary
    )
    step = row(opened, Step, "entretiens")
    assert (step.owner, step.due_date) == ("prestataire", date(2024, 1, 19))


def test_a_task_added_to_a_stage_awaiting_its_gate_opens_it_again(opened):
    advance_after(opened, REFERENCE, FixedClock.on(date(2024, 1, 22)))
    with transaction(opened) as session:
        add_task(REFERENCE, "diagnostic", key="x", title="Relecture", owner="coordination",
                 due_on=date(2024, 1, 22), session=session, clock=FixedClock.on(date(2024, 1, 22)),
                 actor=DESK)  # fmt: skip
    assert row(opened, Stage, "diagnostic").status is StageStatus.ouverte


def test_a_task_is_not_added_to_a_stage_not_yet_open(opened):
    rows = all_rows(opened)
    problems = refusal(lambda: add(opened, stage="mise-en-oeuvre", due_on=date(2024, 2, 5)))
    assert problems["etape"].startswith("étape 'mise-en-oeuvre' pas encore ouverte")
    assert all_rows(opened) == rows


def test_a_task_is_not_added_to_a_closed_stage(opened):
    with transaction(opened) as session:
        stage = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
        stage.status = StageStatus.close
        session.add(stage)
    assert refusal(lambda: add(opened))["etape"].startswith("étape 'diagnostic' close le")


def test_a_new_task_s_key_must_be_free_and_its_owner_known(opened):
    problems = refusal(lambda: add(opened, key="note-diagnostic", owner="inconnu"))
    assert problems == {
        "cle": "clé déjà prise par la tâche « Note de diagnostic remise » : 'note-diagnostic'",
        "responsable": "responsable inconnu : 'inconnu' ; attendu parmi : coordination, membre, "
        "porteur, prestataire, aci-un, ai-deux, cabinet",
    }


def test_the_same_task_added_again_changes_nothing(opened):
    add(opened)
    rows = all_rows(opened)
    assert not add(opened).changed
    assert all_rows(opened) == rows
