"""Planning writes each notification once, however often it runs."""

from datetime import date, timedelta

from sqlmodel import func, select

from dla.outbox.plan import plan_case, plan_due_window
from models import Notification, TimelineEvent

MONTH = timedelta(days=31)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_planning_twice_adds_nothing(loaded, session):
    first = plan_due_window(session=session, today=date(2024, 1, 8), horizon=MONTH)
    session.commit()
    before = (count(session, Notification), count(session, TimelineEvent))
    again = plan_due_window(session=session, today=date(2024, 1, 8), horizon=MONTH)
    plan_case(loaded, session=session, today=date(2024, 1, 8), horizon=MONTH)
    session.commit()
    assert first.inserted and again.inserted == []
    assert before[0] == len(first.inserted)
    assert (count(session, Notification), count(session, TimelineEvent)) == before


def test_the_case_planner_and_the_batched_planner_write_the_same_keys(loaded, session):
    one = plan_case(loaded, session=session, today=date(2024, 1, 8), horizon=MONTH)
    session.rollback()
    batched = plan_due_window(session=session, today=date(2024, 1, 8), horizon=MONTH)
    case_keys = {k for k in batched.inserted if not k.startswith("resume_hebdo")}
    assert set(one.inserted) == case_keys


def test_only_the_window_is_planned(loaded, session):
    plan_due_window(session=session, today=date(2024, 1, 8), horizon=timedelta(days=1))
    session.flush()
    due = session.exec(select(func.max(Notification.due_at))).one()
    assert due.date() <= date(2024, 1, 9)
    later = plan_due_window(session=session, today=date(2024, 1, 18), horizon=timedelta(days=1))
    assert later.inserted  # the days in between come when their turn comes


def test_planning_case_by_case_writes_the_same_rows_as_all_cases_at_once(
    engine, session, tmp_path, monkeypatch
):
    from dla import lifecycle
    from dla.clock import FixedClock
    from dla.db import transaction
    from dla.outbox import plan as planning
    from tests.dla.outbox.conftest import outbox_case
    from tests.factories import save_case

    for n in range(1, 4):
        save_case(engine, tmp_path, outbox_case() | {"reference": f"DLA99-2024-0{n}"})
        with transaction(engine) as tx:
            lifecycle.open_stage(
                f"DLA99-2024-0{n}", "diagnostic", session=tx, clock=FixedClock.on(date(2024, 1, 8))
            )

    def planned(chunk: int) -> list[tuple]:
        monkeypatch.setattr(planning, "CHUNK", chunk)
        plan_due_window(session=session, today=date(2024, 1, 8), horizon=MONTH)
        rows = session.exec(select(Notification.key, Notification.payload, Notification.status))
        result = sorted((k, str(p), s) for k, p, s in rows)
        session.rollback()
        return result

    together = planned(500)
    assert any(k.startswith("resume_hebdo") for k, _, _ in together)
    assert planned(1) == together
