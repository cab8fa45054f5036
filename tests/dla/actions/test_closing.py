"""Closing or abandoning a case: nothing moves it again, no reminder goes out for it."""

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from dla.actions import ActionRefused, Actor, advance_after
from dla.actions.closing import abandon_case, close_case
from dla.clock import FixedClock
from dla.daily import cases_due
from dla.db import transaction
from dla.outbox.check import recheck
from dla.outbox.claim import LEASE, claim
from dla.outbox.plan import plan_due_window
from dla.progress import Standing
from models import Case, FollowUp, Notification, Stage, Step, TimelineEvent
from models.enums import CaseStatus, NotificationStatus, StageStatus, StepStatus
from models.labels import label
from tests.dla.outbox.conftest import open_stages, outbox_case
from tests.factories import REFERENCE, all_rows, save_case

CLI = Actor("lea", "cli")
DAY = date(2024, 1, 11)  # the note's first reminder and the period's start are due
CLOCK = FixedClock.on(DAY)


@pytest.fixture
def planned(engine, tmp_path):
    """The outbox's case, its diagnostic open, its reminders of the next weeks planned."""
    save_case(engine, tmp_path, outbox_case(), day=date(2024, 1, 5))
    open_stages(engine, date(2024, 1, 8))
    with transaction(engine) as session:
        plan_due_window(session=session, today=DAY, horizon=timedelta(days=30), digests=False)
    return engine


def end(engine, action=close_case, reason="Objectifs atteints", **kwargs):
    with transaction(engine) as session:
        return action(REFERENCE, reason=reason, session=session, clock=CLOCK, actor=CLI, **kwargs)


def refusal(call) -> list[tuple[str | None, str]]:
    with pytest.raises(ActionRefused) as caught:
        call()
    return [(p.field, p.message) for p in caught.value.problems]


def statuses(engine) -> set[NotificationStatus]:
    with Session(engine) as session:
        return set(session.exec(select(Notification.status)))


def test_closing_cancels_every_planned_reminder_and_settles_the_plan(planned):
    assert NotificationStatus.planned in statuses(planned)
    outcome = end(planned)
    assert outcome.summary.startswith(
        "Accompagnement clos le 11 janvier 2024 (motif : Objectifs atteints) ; 2 étape(s) "
        "close(s), 3 tâche(s) annulée(s), suivi(s) retiré(s) : 3 mois, 6 mois, 12 mois, "
    )
    assert statuses(planned) == {NotificationStatus.cancelled}
    with Session(planned) as session:
        assert session.exec(select(Case.status)).one() is CaseStatus.close
        assert set(session.exec(select(Stage.status))) == {StageStatus.close}
        assert set(session.exec(select(Step.status))) == {StepStatus.annulee}
        assert session.exec(select(FollowUp)).all() == []
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "case.closed")).one()
        reasons = set(session.exec(select(Notification.last_error)))
    assert (event.actor, event.data["channel"], event.data["motif"]) == (
        "lea",
        "cli",
        "Objectifs atteints",
    )
    assert reasons == {"accompagnement clos"}


def test_an_ended_case_is_left_alone_by_every_pass(planned):
    end(planned, abandon_case, "Le collectif s'est dissous")
    later = FixedClock.on(DAY + timedelta(days=40))
    assert advance_after(planned, REFERENCE, later) is Standing.done
    with transaction(planned) as session:
        assert cases_due(session=session, today=later.today()) == []
        result = plan_due_window(session=session, today=later.today(), digests=False)
    assert result.inserted == []
    with Session(planned) as session:
        assert session.exec(select(Case.status)).one() is CaseStatus.abandonne
    assert label(CaseStatus.abandonne) == "abandonné"


def test_a_reminder_held_by_a_sweep_that_died_is_cancelled_when_claimed_again(planned):
    noon = datetime(2024, 1, 11, 12).astimezone()
    assert claim(planned, now=noon, limit=100, wall=noon)  # in flight when the case ends
    end(planned, abandon_case, "Le collectif s'est dissous")
    later = noon + LEASE + timedelta(minutes=1)
    again = claim(planned, now=noon, limit=100, wall=later)
    with Session(planned) as session:
        keep, cancel = recheck(again, session=session, today=DAY)
    assert again and keep == []
    assert {why for _, why in cancel} == {"accompagnement abandonné"}


def test_a_reason_is_required_and_nothing_is_written(planned):
    rows = all_rows(planned)
    assert refusal(lambda: end(planned, reason=" ")) == [
        ("motif", "motif : champ vide ; attendu : un texte")
    ]
    assert all_rows(planned) == rows


def test_closing_twice_changes_nothing_and_an_abandon_after_a_close_is_refused(planned):
    end(planned)
    rows = all_rows(planned)
    assert not end(planned).changed
    assert refusal(lambda: end(planned, abandon_case)) == [
        (
            None,
            "accompagnement déjà clos ; attendu : un accompagnement en cours pour le dire abandonné",
        )
    ]
    assert all_rows(planned) == rows
