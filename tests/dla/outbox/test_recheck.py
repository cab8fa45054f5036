"""The re-check trusts the day's planning pass while the case is unchanged, and only then."""

from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import event
from sqlmodel import Session, select

from dla.db import transaction
from dla.outbox.check import recheck
from dla.outbox.claim import claim
from dla.outbox.plan import plan_due_window
from models import Step
from models.enums import StepStatus
from tests.dla.outbox.conftest import rows

DAY = date(2024, 1, 11)  # the note's J-7 and the period's start are due
NOON = datetime(2024, 1, 11, 12)


def plan(engine, day=DAY):
    with transaction(engine) as session:
        plan_due_window(session=session, today=day, digests=False)


@contextmanager
def statements(engine):
    """Collect the SQL the engine runs meanwhile."""
    seen: list[str] = []

    def collect(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", collect)


def check(engine, day=DAY):
    claimed = claim(engine, now=datetime.combine(day, NOON.time()).astimezone(), limit=100)
    with statements(engine) as seen, Session(engine) as session:
        keep, cancel = recheck(claimed, session=session, today=day)
    return keep, cancel, seen


def reads_steps(seen: list[str]) -> bool:
    return any("FROM step" in s for s in seen)


def test_the_planning_pass_confirms_each_warranted_row_at_the_case_revision(engine, loaded):
    plan(engine)
    due = [r for r in rows(engine) if r.due_at.date() <= DAY]
    assert due and {(r.checked_on, r.checked_revision) for r in due} == {
        (DAY, due[0].checked_revision)
    }


def test_rows_confirmed_today_are_kept_without_reading_the_cases_state(engine, loaded):
    plan(engine)
    keep, cancel, seen = check(engine)
    assert keep and not cancel
    assert not reads_steps(seen)


def test_a_step_done_after_the_planning_pass_sends_its_case_back_to_the_full_re_check(
    engine, loaded
):
    plan(engine)
    with transaction(engine) as session:
        step = session.exec(select(Step).where(Step.key == "note-diagnostic")).one()
        step.status, step.done_on = StepStatus.faite, DAY
        session.add(step)
    keep, cancel, seen = check(engine)
    assert reads_steps(seen)
    assert [reason for _, reason in cancel] == ["tâche faite le 11 janvier 2024"]
    assert all("note-diagnostic" not in r.key for r in keep)


def test_rows_confirmed_on_an_earlier_day_are_trusted_up_to_their_last_warranted_day(
    engine, loaded
):
    plan(engine, DAY - timedelta(days=1))  # writes the next day's rows, confirmed the day before
    keep, cancel, seen = check(engine)
    assert keep and not cancel
    assert not reads_steps(seen)


def test_a_row_past_its_last_warranted_day_is_rebuilt_from_the_state(engine, loaded):
    plan(engine)  # the note's J-7 reminder, warranted until its J-1 one takes over (19 January)
    keep, cancel, seen = check(engine, date(2024, 1, 19))
    assert reads_steps(seen)
    assert ("remplacée par un rappel plus récent") in [reason for _, reason in cancel]
    assert all("j-7@2024-01-22" not in r.key for r in keep)
