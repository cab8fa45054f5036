"""A seeded synthetic portfolio written to the database in bulk, as of a given day.

`build(cases=N)` makes N active collective cases (about 100 per département, Alsace-Moselle
and overseas ones included) on the shipped journeys, plus N/5 closed ones, each with its
history: stages closed with their boards' decisions, steps done (a share overdue), gates
still waiting for decisions, appropriation periods, follow-ups, indicators, timeline, and
the reminders sent in the past. `write` inserts it, then the real planner (`plan_due_window`)
writes the outbox rows of the last week; those before today are marked sent, as the previous
days' sweeps would have left them, so that what is due is what one day's sweep finds. A
second database can take the planned rows of the first instead of planning again.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, func, select, text, update

from benchmarks import bulk
from benchmarks.cases import JOURNEY_WEIGHTS, Shape, calendar_of, journeys_loaded, mondays, plan_for
from benchmarks.history import History
from benchmarks.measure import timed
from dla.db import transaction
from dla.outbox.plan import plan_due_window
from models import Notification
from models.enums import NotificationStatus
from models.types import PARIS

TODAY = date(2025, 3, 11)  # a Tuesday: no weekly digest day, an ordinary sweep
DEPARTEMENTS = [
    "38",
    "57",
    "67",
    "13",
    "15",
    "68",
    "971",
    "974",
    "59",
    "69",
    "75",
    "33",
    "31",
    "44",
    "35",
    "29",
    "06",
    "34",
    "76",
    "62",
    "92",
    "93",
    "94",
    "95",
    "91",
    "78",
    "77",
    "45",
    "37",
    "21",
    "25",
    "39",
    "70",
    "90",
    "54",
    "55",
    "88",
    "51",
    "10",
    "08",
    "02",
    "60",
    "80",
    "14",
    "50",
    "61",
    "27",
    "72",
    "53",
    "49",
    "85",
    "79",
    "86",
    "16",
    "17",
    "87",
    "19",
    "23",
    "24",
    "47",
    "40",
    "64",
    "65",
    "32",
    "82",
    "81",
    "12",
    "46",
    "09",
    "11",
    "66",
    "30",
    "48",
    "07",
    "26",
    "05",
    "04",
    "83",
    "84",
    "73",
    "74",
    "01",
    "42",
    "43",
    "63",
    "03",
    "58",
    "71",
    "89",
    "18",
    "36",
    "41",
    "28",
    "22",
    "56",
    "2A",
    "2B",
    "52",
    "972",
    "973",
]
PER_DEPARTEMENT = 100
MEMBERS = [2, 3, 3, 4, 4, 5, 6]
T = Notification.__table__


@dataclass
class Portfolio:
    """The rows of a portfolio, and what the benchmarks report and pick from."""

    today: date
    cases: int
    closed: int
    departements: list[str]
    history: History
    shapes: int = 0
    build_seconds: float = 0.0
    plan_seconds: float | None = None  # the real planner's pass over the whole portfolio
    due: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def references(self) -> list[str]:
        return self.history.references[: self.cases]


def build(*, cases: int, seed: int = 7, today: date = TODAY) -> Portfolio:
    """Compute the rows of a portfolio of `cases` active cases (nothing written yet)."""
    rng = random.Random(seed)
    journeys = journeys_loaded()
    departements = DEPARTEMENTS[: max(3, min(len(DEPARTEMENTS), -(-cases // PER_DEPARTEMENT)))]
    history = History(today, rng)
    with bulk.no_gc():  # the history is millions of acyclic dicts
        seconds, _ = timed(lambda: _fill(history, rng, journeys, departements, cases, today))
    portfolio = Portfolio(today, cases, cases // 5, departements, history)
    portfolio.build_seconds = seconds
    portfolio.shapes = plan_for.cache_info().currsize
    portfolio.rows = history.counts()
    return portfolio


def _fill(history, rng, journeys, departements, cases, today) -> None:
    for d in departements:
        history.departement(d)
    for n in range(4):
        history.network(n)
    starts = mondays(today, 115)[::2]
    old = mondays(today, 200, 130)[::2]
    for i in range(cases + cases // 5):
        dept = departements[i % len(departements)]
        shape = Shape(
            rng.choices(journeys, JOURNEY_WEIGHTS)[0],
            calendar_of(dept),
            rng.choice(starts if i < cases else old),
            rng.random() < 0.4,
        )
        history.case(shape, plan_for(shape), dept, rng.choice(MEMBERS), closed=i >= cases)


def write(portfolio: Portfolio, engine: Engine, *, planned_from: Engine | None = None) -> None:
    """Insert the portfolio, then plan today's outbox (or copy it from `planned_from`)."""
    history = portfolio.history
    with engine.begin() as conn, _bulk_settings(conn):
        for table, rows in history.tables():
            bulk.write(conn, table, rows)
        if planned_from is not None:
            with planned_from.connect() as source:
                planned = source.execute(select(T).where(T.c.id > history.ids[Notification]))
                bulk.write(conn, T, [dict(r._mapping) for r in planned])
        if conn.dialect.name == "postgresql":
            for table, _ in history.tables():
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f'(SELECT coalesce(max(id), 1) FROM "{table.name}"))'
                    )
                )
    if conn.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    if planned_from is None:
        portfolio.plan_seconds = plan_today(engine, portfolio.today)
    with engine.begin() as conn:
        portfolio.due = conn.execute(
            select(func.count()).where(
                T.c.status == NotificationStatus.planned, T.c.due_at <= sweep_now(portfolio.today)
            )
        ).scalar_one()


@contextmanager
def _bulk_settings(conn) -> Iterator[None]:
    """Loosen what a bulk load of consistent rows does not need, for this transaction only.

    PostgreSQL: no foreign-key triggers (checking each of a million rows' parents was most of
    the server's time; superusers only). SQLite: a page cache the size of the indexes being
    filled, given back afterwards since the pooled connection then serves the measurements.
    """
    if conn.dialect.name == "postgresql":
        if conn.execute(text("SELECT current_setting('is_superuser')")).scalar_one() == "on":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("SET LOCAL synchronous_commit = off"))
        yield
        return
    size = conn.execute(text("PRAGMA cache_size")).scalar_one()
    conn.execute(text("PRAGMA cache_size = -262144"))  # 256 MiB
    try:
        yield
    finally:
        conn.execute(text(f"PRAGMA cache_size = {int(size)}"))


def plan_today(engine: Engine, today: date) -> float:
    """Run the real planner, mark the past week's rows sent; return the planner's seconds."""
    start = datetime.combine(today, time(0), tzinfo=PARIS)
    with transaction(engine) as session:
        seconds, _ = timed(
            lambda: plan_due_window(session=session, today=today, now=start + timedelta(hours=7))
        )
        session.execute(
            update(T)
            .where(T.c.status == NotificationStatus.planned, T.c.due_at < start)
            .values(status=NotificationStatus.sent, sent_at=T.c.due_at, attempts=1)
        )
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE notification"))
    return seconds


def generate(engine: Engine, *, cases: int, seed: int = 7, today: date = TODAY) -> Portfolio:
    """Build and write a portfolio in one call (tests, small sizes)."""
    portfolio = build(cases=cases, seed=seed, today=today)
    write(portfolio, engine)
    return portfolio


def sweep_now(today: date) -> datetime:
    """Return the instant the benchmarks sweep at: 10:00 in Paris, after the 8:00 sends."""
    return datetime.combine(today, time(10), tzinfo=PARIS)
