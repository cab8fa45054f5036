"""The daily cycle end to end: the daily sweep deployment's flow against the same work bare.

The flow (`sweep_reminders`, what `relances-quotidiennes` runs each working day) advances the
due cases, plans the day (incremental), claims, sends to an SMTP server on loopback, records,
then publishes the artifacts and mirrors the timeline as Prefect events. The bare run calls the
same `dla` functions in the same order, builds the same artifact content and marks the same
timeline rows, but posts nothing to Prefect: the difference is Prefect's share.

Each run takes a fresh copy of the portfolio, whose past timeline is marked as already mirrored
(the previous days' sweeps did it), so that both runs do one ordinary day's work.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

from sqlalchemy import func, insert, select, update

from benchmarks.bench_prefect import dla_settings, environment, task_runs
from benchmarks.measure import timed
from dla.db import make_engine
from models import TimelineEvent

SMTP = {"DLA_SMTP_HOST": "127.0.0.1", "DLA_SMTP_SECURITY": "none"}


@dataclass
class Run:
    """One run of the cycle: its wall time and what it did."""

    seconds: float
    counts: dict
    tasks: int | None = None  # task runs (the flow only)


def mark_mirrored(url: str, run: int = 0) -> int:
    """Mark the whole timeline as already sent to Prefect; return the rows marked.

    The day's new rows are numbered from `run` million past the last one: an event's id
    derives from its row's, and every run of a benchmark posts to the same Prefect server,
    whose SQLite event store fails on a batch made only of events it already holds.
    """
    t = TimelineEvent.__table__
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            marked = conn.execute(
                update(t).where(t.c.emitted_at.is_(None)).values(emitted_at=datetime.now(UTC))
            ).rowcount
            if run:
                last = conn.execute(select(t).order_by(t.c.id.desc()).limit(1)).one()._asdict()
                first = last["id"] + run * 1_000_000
                conn.execute(insert(t).values(last | {"id": first, "key": f"benchmark:{first}"}))
            return marked
    finally:
        engine.dispose()


def unmirrored(url: str) -> int:
    """Count the timeline rows not yet mirrored as Prefect events."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            t = TimelineEvent.__table__
            return conn.execute(select(func.count()).where(t.c.emitted_at.is_(None))).scalar_one()
    finally:
        engine.dispose()


@contextmanager
def cycle_settings(url: str, var_dir: Path, port: int) -> Iterator[None]:
    """Point `dla` at the database, var/ and the SMTP server on `port` for the duration."""
    with environment(SMTP | {"DLA_SMTP_PORT": str(port)}), dla_settings(url, var_dir):
        yield


def cycle_flow(url: str, var_dir: Path, port: int, today: date) -> Run:
    """Run the daily sweep flow once, as its deployment does (a replayed day)."""
    from flows.reminders import SweepRequest, sweep_reminders

    with cycle_settings(url, var_dir, port):
        seconds, state = timed(
            lambda: sweep_reminders(SweepRequest(aujourdhui=today), return_state=True)
        )
    counts = dict(state.result())
    counts["unmirrored"] = unmirrored(url)
    return Run(seconds, counts, task_runs(state.state_details.flow_run_id))


def cycle_plain(url: str, var_dir: Path, port: int, today: date) -> Run:
    """Do the flow's work by calling the same functions directly, posting nothing to Prefect."""
    with cycle_settings(url, var_dir, port):
        seconds, counts = timed(lambda: plain_work(today))
    counts["unmirrored"] = unmirrored(url)
    return Run(seconds, counts)


class Posted:
    """Stand-in for Prefect's artifact calls: keeps the content, sends it nowhere."""

    def __init__(self) -> None:
        self.artifacts: list[str] = []

    def __call__(self, content, *args, **kwargs) -> None:
        self.artifacts.append(kwargs.get("key") or "")


def plain_work(today: date) -> dict:
    """The body of `sweep_reminders` without Prefect (flows/reminders.py, step for step)."""
    from dla.boardsigner import Signer
    from dla.case_events import mark_emitted, pending_events
    from dla.clock import FixedClock
    from dla.daily import advance_due
    from dla.outbox.days import held_lines, line
    from dla.outbox.plan import plan_day
    from dla.outbox.sending import mail_renderer, mail_transport
    from dla.outbox.sweep import sweep
    from dla.settings import get_settings
    from dla.shown import md_rows
    from flows import case_artifacts, portfolio_artifacts
    from flows.case_events import BATCH

    settings, clock = get_settings(), FixedClock.on(today)
    engine = make_engine(settings.resolved_database_url)
    posted, phases = Posted(), {}
    mark = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name], mark = round(now - mark, 2), now

    try:
        advanced = advance_due(engine, clock)
        phase("advance")
        planned = plan_day(engine, clock)
        phase("plan")
        report = sweep(
            engine=engine,
            transport=mail_transport(settings),
            renderer=mail_renderer(settings, clock),
            clock=clock,
            limit=200,
            backoff=timedelta(seconds=settings.outbox_retry_backoff),
            signer=Signer.from_settings(settings),
        )
        phase("claim, send, record")
        with (
            mock.patch.object(case_artifacts, "create_table_artifact", posted),
            mock.patch.object(case_artifacts, "create_markdown_artifact", posted),
            mock.patch.object(portfolio_artifacts, "create_table_artifact", posted),
        ):
            for reference in sorted(advanced.statuses):
                case_artifacts.publish_case_artifacts(engine, reference, clock.today())
            portfolio_artifacts.portfolio_artifact(engine, clock.today())
        phase("artifacts")
        events = 0
        while batch := pending_events(engine, now=datetime.now(UTC), limit=BATCH):
            events += mark_emitted(engine, [p.row_id for p in batch], datetime.now(UTC))
        lines = [line(v.row, v.status, v.detail or "") for v in report.verdicts]
        lines += held_lines(engine, planned.held)
        posted(md_rows([vars(x) for x in lines]), key="relances")
        phase("events, table")
    finally:
        engine.dispose()
    return {
        "sent": sum(1 for v in report.verdicts if v.status == "sent"),
        "held": len(planned.held),
        "advanced": len(advanced.statuses),
        "planned_cases": planned.planned_cases,
        "events": events,
        "artifacts": len(posted.artifacts),
        "phases": phases,
    }
