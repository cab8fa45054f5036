"""A replay gives the same timeline in one go or in several steps, every event on its own day."""

import random
from datetime import date, datetime, timedelta

import pytest
import yaml
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from dla.casefile.loader import build_plan
from dla.cases import save_plan
from dla.clock import FixedClock
from dla.db import transaction
from dla.progress import plain_steps, replay
from models import Case, Stage, TimelineEvent
from tests.test_samples import REFERENCES, SAMPLES

# Each test replays samples along their real dates: left to `make test`.
pytestmark = pytest.mark.slow

END = date(2011, 12, 31)
# The Cantal sample moved so that its plan stage opens on 20 April 2026, a few days before the
# replay days of the issue; its governance is agreed on 2 March 2026, between two replay days.
NEAR = date(2026, 4, 20) - date(2006, 10, 2)


def shifted(value, delta: timedelta):
    """Return the parsed case file with every date moved by `delta`."""
    if isinstance(value, dict):
        return {k: shifted(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [shifted(v, delta) for v in value]
    if isinstance(value, date) and not isinstance(value, datetime):
        return value + delta
    return value


def sample(name: str) -> dict:
    return yaml.safe_load((SAMPLES / name).read_text(encoding="utf-8"))


def near_case() -> dict:
    data = shifted(sample("cantal-2006.yaml"), NEAR)
    data["contexte"]["gouvernance_validee_le"] = date(2026, 3, 2)
    return data


def load(engine, data: dict) -> str:
    plan = build_plan(data, {}, "cas.yaml")
    with transaction(engine) as session:
        save_plan(
            plan, session=session, clock=FixedClock.on(plan.case.debut), actor="test", reason="t"
        )
    return plan.case.reference


def timeline(engine) -> list[tuple]:
    with Session(engine) as session:
        events = session.exec(select(TimelineEvent).order_by(TimelineEvent.at, TimelineEvent.id))
        return [(e.at, e.kind, e.key, e.summary, e.actor, e.data) for e in events]


def stage_rows(engine) -> list[tuple]:
    with Session(engine) as session:
        rows = session.exec(select(Stage).order_by(Stage.position))
        return [(s.key, s.status, s.planned_end, s.opened_at, s.closed_at) for s in rows]


def empty(engine) -> None:
    """Empty every table and restart the ids, so that two replays compare key for key."""
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


def replayed(engine, data: dict, days: list[date]) -> tuple[list, list]:
    """Load the case into an empty database, replay it up to each day in turn."""
    empty(engine)
    reference = load(engine, data)
    for day in days:
        replay(engine, reference, day, plain_steps(engine))
    return timeline(engine), stage_rows(engine)


def splits(first: date, last: date, seed: str) -> list[list[date]]:
    """Two and three steps at days drawn between `first` and `last` (seeded: reproducible)."""
    draw = random.Random(seed)
    span = (last - first).days

    def day() -> date:
        return first + timedelta(days=draw.randrange(span))

    return [sorted({day()}) + [last], sorted({day(), day()}) + [last]]


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_a_sample_replayed_in_several_steps_has_the_timeline_of_one_replay(engine, name):
    data = sample(name)
    whole = replayed(engine, data, [END])

    for days in splits(data["debut"], END, name):
        assert replayed(engine, data, days) == whole, days


def test_a_case_near_its_replay_day_has_the_same_timeline_however_it_is_split(engine):
    data = near_case()
    last = date(2026, 10, 30)
    whole = replayed(engine, data, [last])

    for days in [
        [date(2026, 4, 24), date(2026, 4, 27), last],
        [date(2026, 4, 19), date(2026, 4, 20), date(2026, 4, 21), last],
        *splits(date(2026, 3, 1), last, "near"),
    ]:
        assert replayed(engine, data, days) == whole, days


def test_replaying_again_to_a_later_day_writes_no_event_before_a_stage_opened(engine):
    """The issue's scenario: `--replay --today 2026-04-24`, then `--today 2026-04-27`."""
    data = near_case()
    reference = load(engine, data)

    replay(engine, reference, date(2026, 4, 24), plain_steps(engine))
    replay(engine, reference, date(2026, 4, 27), plain_steps(engine))

    with Session(engine) as session:
        opened = dict(session.exec(select(Stage.key, Stage.opened_at)).all())
        reviews = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "vigilance.reviewed")
        ).all()
        advanced_on = session.exec(select(Case.advanced_on)).one()
    plan_reviews = [e for e in reviews if e.data["stage"] == "plan"]
    assert [e.at.date() for e in plan_reviews] == [date(2026, 4, 20)]
    # Governance was agreed on 2 March: on 20 April only the indicators' rule blocks the plan.
    assert "gouvernance-avant-intervention" not in plan_reviews[0].data["findings"]
    assert all(e.at >= opened[e.data["stage"]] for e in reviews)
    assert advanced_on == date(2026, 4, 27)


def test_a_replay_to_a_day_before_the_case_clock_changes_nothing(engine):
    data = near_case()
    reference = load(engine, data)
    replay(engine, reference, date(2026, 4, 27), plain_steps(engine))
    before = timeline(engine), stage_rows(engine)

    status = replay(engine, reference, date(2026, 1, 5), plain_steps(engine))

    assert status == "en-cours"
    assert (timeline(engine), stage_rows(engine)) == before
