"""Marking a task done or not done: the core function behind every door."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.actions import ActionRefused, Actor, advance_after, mark_task_done, mark_task_not_done
from dla.clock import FixedClock
from dla.db import transaction
from models import Case, Stage, Step, TimelineEvent
from models.enums import StageStatus, StepStatus
from tests.factories import REFERENCE, all_rows

DESK = Actor("Camille Martin", "bureau")

DAY = FixedClock.on(date(2024, 1, 15))


def done(engine, clock=DAY, **kwargs):
    with transaction(engine) as session:
        return mark_task_done(
            REFERENCE, "diagnostic", "note-diagnostic", session=session, clock=clock, actor=DESK,
            **kwargs,
        )  # fmt: skip


def undo(engine, clock=DAY, stage="diagnostic", **kwargs):
    with transaction(engine) as session:
        return mark_task_not_done(
            REFERENCE, stage, "note-diagnostic", session=session, clock=clock, actor=DESK, **kwargs
        )


def refusal(call) -> list[str]:
    with pytest.raises(ActionRefused) as caught:
        call()
    return [p.message for p in caught.value.problems]


def stage(engine, key="diagnostic") -> Stage:
    with Session(engine) as session:
        return session.exec(select(Stage).where(Stage.key == key)).one()


def revision(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(Case.revision)).first()


def test_marking_the_last_task_done_sends_the_stage_to_its_gate_at_once(opened):
    outcome = done(opened, done_on=date(2024, 1, 12))
    assert outcome.changed and "marquée faite le 12 janvier 2024" in outcome.summary
    advance_after(opened, REFERENCE, DAY)
    assert stage(opened).status is StageStatus.en_attente_validation


def test_the_timeline_says_who_did_it_when_and_through_which_door(opened):
    done(opened)
    with Session(opened) as session:
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "task.done")).one()
    assert (event.actor, event.data["channel"], event.at) == ("Camille Martin", "bureau", DAY.now())
    assert event.data["step"] == "note-diagnostic"


def test_an_action_moves_the_case_revision(opened):
    before = revision(opened)
    done(opened)
    assert revision(opened) > before


def test_the_same_day_again_changes_nothing(opened):
    done(opened)
    rows = all_rows(opened)
    assert not done(opened).changed
    assert all_rows(opened) == rows


def test_a_day_in_the_future_is_refused_and_nothing_is_written(opened):
    rows = all_rows(opened)
    problems = refusal(lambda: done(opened, done_on=date(2024, 1, 16)))
    assert problems == [
        "date de réalisation dans le futur : 16 janvier 2024 ; attendu : au plus tard "
        "aujourd'hui (15 janvier 2024)"
    ]
    assert all_rows(opened) == rows


def test_a_day_before_the_case_began_is_refused(opened):
    assert (
        "antérieure au début de l'accompagnement"
        in refusal(lambda: done(opened, done_on=date(2023, 12, 1)))[0]
    )


def test_an_unknown_task_is_refused_naming_the_stage_s_tasks(opened):
    with transaction(opened) as session, pytest.raises(ActionRefused) as caught:
        mark_task_done(REFERENCE, "diagnostic", "note", session=session, clock=DAY, actor=DESK)
    (problem,) = caught.value.problems
    assert problem.field == "tache"
    assert problem.message == (
        "tâche inconnue dans l'étape 'diagnostic' : 'note' ; attendu parmi : note-diagnostic"
    )


def test_an_unknown_case_is_refused(opened):
    with transaction(opened) as session, pytest.raises(ActionRefused) as caught:
        mark_task_done("DLA00-0000-00", "diagnostic", "x", session=session, clock=DAY, actor=DESK)
    assert str(caught.value) == "cas inconnu : 'DLA00-0000-00'"


def test_a_task_of_a_stage_not_yet_open_is_refused(opened):
    with transaction(opened) as session, pytest.raises(ActionRefused) as caught:
        mark_task_done(
            REFERENCE, "mise-en-oeuvre", "recrutement", session=session, clock=DAY, actor=DESK
        )
    assert caught.value.problems[0].message.startswith(
        "étape 'mise-en-oeuvre' pas encore ouverte (début prévu le"
    )


def test_a_form_of_an_older_revision_is_refused_naming_who_changed_the_case(opened):
    seen = revision(opened)
    done(opened)
    rows = all_rows(opened)
    problems = refusal(lambda: undo(opened, revision=seen))
    assert problems[0].startswith("modifié entre-temps par Camille Martin, le 15 janvier 2024")
    assert all_rows(opened) == rows


def test_the_current_revision_is_accepted(opened):
    assert done(opened, revision=revision(opened)).changed


def test_undoing_a_task_reopens_a_stage_awaiting_its_gate(opened):
    done(opened)
    advance_after(opened, REFERENCE, DAY)
    outcome = undo(opened)
    assert "l'étape n'attend plus sa validation" in outcome.summary
    assert stage(opened).status is StageStatus.ouverte
    with Session(opened) as session:
        step = session.exec(select(Step).where(Step.key == "note-diagnostic")).one()
    assert (step.status, step.done_on) == (StepStatus.a_faire, None)


def test_undoing_a_task_not_done_changes_nothing(opened):
    assert not undo(opened).changed


def test_undoing_a_task_of_a_closed_stage_is_refused(opened):
    done(opened)
    with transaction(opened) as session:
        row = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
        row.status = StageStatus.close
        session.add(row)
    assert refusal(lambda: undo(opened))[0].startswith("étape 'diagnostic' close le")
