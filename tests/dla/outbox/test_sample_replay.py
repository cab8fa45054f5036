"""Replaying sample cases: reminders on the case's working days, none to a resting consultant."""

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dla import progress
from dla.calendar import calendar_for
from dla.casefile.loader import load_case_file
from dla.cases import save_plan
from dla.clock import FixedClock
from dla.db import transaction
from dla.outbox.days import replay
from models import Case, Notification, Period
from models.enums import NotificationStatus, PeriodKind

# Each test replays samples along their real dates: left to `make test`.
pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "cases"


def replay_sample(engine, name: str, start: date, end: date, transport, renderer_for):
    with transaction(engine) as session:
        plan = load_case_file(SAMPLES / name)
        save_plan(plan, session=session, clock=FixedClock.on(start), actor="test", reason="test")
    progress.replay(engine, plan.case.reference, end, progress.plain_steps(engine))
    return replay(
        engine=engine,
        transport=transport,
        renderer_for=renderer_for,
        start=start,
        end=end,
        digests=False,
    )


def sent(engine, reference: str) -> list[Notification]:
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.reference == reference)).one()
        return list(
            session.exec(
                select(Notification).where(
                    Notification.case_id == case.id,
                    Notification.status == NotificationStatus.sent,
                )
            )
        )


def test_the_moselle_case_is_reminded_on_its_own_working_days_only(engine, transport, renderer_for):
    replay_sample(
        engine, "moselle-2007.yaml", date(2007, 6, 1), date(2009, 6, 30), transport, renderer_for
    )
    days = {n.sent_at.date() for n in sent(engine, "DLA57-2007-01")}
    moselle = calendar_for("57")
    assert len(days) > 20
    assert all(moselle.is_working_day(d) for d in days)
    # Good Friday 2008 and 2009, 26 December 2007 and 2008: working days elsewhere in France.
    local = {date(2008, 3, 21), date(2009, 4, 10), date(2007, 12, 26), date(2008, 12, 26)}
    assert all(calendar_for("38").is_working_day(d) for d in local) and not days & local


def test_the_isere_consultant_hears_nothing_during_the_non_intervention_period(
    engine, transport, renderer_for
):
    report = replay_sample(
        engine, "isere-2006.yaml", date(2006, 1, 16), date(2007, 6, 29), transport, renderer_for
    )
    with Session(engine) as session:
        rest = session.exec(select(Period).where(Period.kind == PeriodKind.non_intervention)).one()
    consultant = [n for n in sent(engine, "DLA38-2006-01") if n.recipient.startswith("consultant@")]
    assert consultant and report.held
    assert not [n for n in consultant if rest.start_on <= n.sent_at.date() <= rest.end_on]
