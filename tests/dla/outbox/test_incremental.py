"""The daily pass plans again only the cases whose plan may have changed, and misses nothing."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select, update

from dla.actions import Actor, mark_task_done, move_deadline
from dla.clock import FixedClock
from dla.daily import advance_due
from dla.db import transaction
from dla.outbox.plan import DEFAULT_HORIZON, plan_day, plan_due_window
from dla.outbox.state import LOOKBACK
from models import Case, Notification, ReminderPlan
from tests.dla.outbox.conftest import outbox_case
from tests.factories import save_case

DESK = Actor("Camille Martin", "bureau")
REFS = ("DLA99-2024-01", "DLA99-2024-02", "DLA99-2024-03")


@pytest.fixture
def three(engine, tmp_path):
    """Three copies of the outbox's case, their diagnostic opened on 8 January 2024."""
    from dla import lifecycle

    for ref in REFS:
        save_case(engine, tmp_path, outbox_case() | {"reference": ref})
        with transaction(engine) as session:
            lifecycle.open_stage(
                ref, "diagnostic", session=session, clock=FixedClock.on(date(2024, 1, 8))
            )
    return engine


def task_done(session, ref: str, day: date) -> None:
    mark_task_done(
        ref, "diagnostic", "note-diagnostic", done_on=day, session=session,
        clock=FixedClock.on(day), actor=DESK,
    )  # fmt: skip


def deadline_moved(session, ref: str, day: date) -> None:
    move_deadline(
        ref, "diagnostic", "note-diagnostic", to=date(2024, 1, 25), reason="absence",
        session=session, clock=FixedClock.on(day), actor=DESK,
    )  # fmt: skip


def planned_on(engine) -> dict[str, date]:
    with Session(engine) as session:
        return dict(
            session.exec(
                select(Case.reference, ReminderPlan.planned_on).join(
                    ReminderPlan, ReminderPlan.case_id == Case.id
                )
            ).all()
        )


@pytest.mark.parametrize("action", [task_done, deadline_moved])
def test_a_case_changed_through_an_action_is_planned_again_and_an_unchanged_one_is_not(
    three, action
):
    first = plan_day(three, FixedClock.on(date(2024, 1, 15)))
    assert first.planned_cases == 3
    with transaction(three) as session:
        action(session, REFS[0], date(2024, 1, 16))
    again = plan_day(three, FixedClock.on(date(2024, 1, 16)))
    assert again.planned_cases == 1
    assert planned_on(three) == {
        REFS[0]: date(2024, 1, 16),
        REFS[1]: date(2024, 1, 15),
        REFS[2]: date(2024, 1, 15),
    }


def test_a_case_is_planned_again_the_day_a_reminder_reaches_the_window(three):
    plan_day(three, FixedClock.on(date(2024, 1, 15)))
    # The consultant's interviews are due on 19 January: their J-1 reminder goes on the 18th.
    assert plan_day(three, FixedClock.on(date(2024, 1, 16))).planned_cases == 0
    again = plan_day(three, FixedClock.on(date(2024, 1, 17)))
    assert again.planned_cases == 3
    assert any("entretiens:j-1@2024-01-19" in key for key in again.inserted)


def fresh(row: Notification, revision: int, day: date) -> bool:
    """Tell whether the sweep would trust the row on `day` (dla/outbox/claim.py, `_fresh`)."""
    if row.checked_on is None or row.checked_revision != revision:
        return False
    return row.checked_on <= day <= (row.checked_until or row.checked_on)


def window_rows(session, day: date) -> dict[str, tuple]:
    """Return the planned rows a pass of `day` looks at: whether each is trusted, its data."""
    revisions = dict(session.exec(select(Case.id, Case.revision)).all())
    start, end = day - LOOKBACK, day + DEFAULT_HORIZON
    return {
        r.key: (fresh(r, revisions[r.case_id], day), r.status, r.due_at, str(r.payload))
        for r in session.exec(select(Notification))
        if start <= r.due_at.date() <= end
    }


def act(engine, day: date) -> None:
    """What the coordinators do along the weeks (through the actions, as the desk would)."""
    changes = {
        date(2024, 1, 10): lambda s: task_done(s, REFS[0], day),
        date(2024, 1, 16): lambda s: deadline_moved(s, REFS[1], day),
        date(2024, 2, 5): lambda s: task_done(s, REFS[1], day),
    }
    if day in changes:
        with transaction(engine) as session:
            changes[day](session)


@pytest.mark.slow
def test_each_incremental_day_leaves_the_outbox_a_full_pass_would_leave(three):
    day, skipped, trusted = date(2024, 1, 8), 0, 0
    while day <= date(2024, 4, 30):
        clock = FixedClock.on(day)
        advance_due(three, clock, render=False)
        act(three, day)
        result = plan_day(three, clock)
        skipped += 3 - result.planned_cases
        with Session(three) as session:
            before = window_rows(session, day)
            # A full pass from blank confirmations: it confirms exactly what it finds warranted.
            session.execute(
                update(Notification).values(
                    checked_on=None, checked_revision=None, checked_until=None
                )
            )
            full = plan_due_window(session=session, today=day, now=clock.now(), digests=False)
            session.flush()
            after = window_rows(session, day)
            session.rollback()
        assert (day, full.inserted, full.held) == (day, [], [])
        # A full pass trusts today exactly the rows the incremental one left trusted.
        assert (day, before) == (day, after)
        trusted += sum(1 for v in before.values() if v[0])
        day += timedelta(days=1)
    assert skipped > 200  # most days, most cases are left as they are
    assert trusted > 500  # and their rows, confirmed on an earlier day, are trusted
