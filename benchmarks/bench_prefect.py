"""Prefect's share: task runs created by one sweep and by one case flow, and the sweep flow's
wall time against the same work called without Prefect (`advance_due` then `remind`).

Runs on a local Prefect server (the test harness, on its own temporary database); the flow
reads the portfolio's database through DLA_DATABASE_URL and writes its .eml into DLA_VAR_DIR.
"""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from benchmarks.measure import Timing, timed


@contextmanager
def prefect_server():
    """Start a local Prefect server for the duration (about 20 s to start)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@contextmanager
def dla_settings(url: str, var_dir: Path):
    """Point the `dla` settings at a database and a var/ folder for the duration."""
    with environment({"DLA_DATABASE_URL": url, "DLA_VAR_DIR": str(var_dir)}):
        yield


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set these environment variables for the duration, the `dla` settings read again."""
    from dla.settings import get_settings

    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()


def task_runs(run_id) -> int:
    """Count a flow run's task runs once the server has recorded them all (it does so async)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    seen, end = None, time.monotonic() + 120
    with get_client(sync_client=True) as client:
        while time.monotonic() < end:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
            )
            settled = runs and all(r.state and r.state.is_final() for r in runs)
            if settled and len(runs) == seen:
                return len(runs)
            seen = len(runs) if settled else None
            time.sleep(0.5)
    raise RuntimeError("task runs not recorded in time")


def sweep_flow(url: str, var_dir: Path, today: date) -> tuple[float, dict, int]:
    """Run the sweep flow once; return (seconds, its counts, its task runs)."""
    from flows.reminders import SweepRequest, sweep_reminders

    with dla_settings(url, var_dir):
        seconds, state = timed(
            lambda: sweep_reminders(SweepRequest(aujourdhui=today), return_state=True)
        )
        counts = state.result()
    return seconds, counts, task_runs(state.state_details.flow_run_id)


def sweep_plain(url: str, var_dir: Path, today: date) -> tuple[float, dict]:
    """Do the same work without Prefect: advance the due cases, plan, send (to .eml)."""
    from dla.clock import FixedClock
    from dla.daily import advance_due
    from dla.db import make_engine
    from dla.outbox.days import remind
    from dla.outbox.sending import mail_renderer, mail_transport
    from dla.settings import get_settings

    with dla_settings(url, var_dir):
        settings, clock = get_settings(), FixedClock.on(today, 8)
        engine = make_engine(url)

        def work():
            advanced = advance_due(engine, clock)
            _, report = remind(
                engine=engine,
                transport=mail_transport(settings),
                renderer=mail_renderer(settings, clock),
                clock=clock,
                digests=False,
            )
            return {"advanced": len(advanced.statuses), "sent": report.count("sent")}

        seconds, counts = timed(work)
        engine.dispose()
    return seconds, counts


def case_flow(url: str, var_dir: Path, reference: str, today: date) -> tuple[float, int]:
    """Run one case's flow up to `today`; return (seconds, task runs)."""
    from flows.case_flow import CaseRun, run_case

    with dla_settings(url, var_dir):
        seconds, state = timed(
            lambda: run_case(CaseRun(reference=reference, aujourdhui=today), return_state=True)
        )
    return seconds, task_runs(state.state_details.flow_run_id)


def figures(flow_runs: list[tuple[float, dict, int]], plain_runs: list[tuple[float, dict]]):
    """Summarise paired runs: timings and what each did."""
    return {
        "flow": Timing([s for s, _, _ in flow_runs]),
        "plain": Timing([s for s, _ in plain_runs]),
        "flow_counts": flow_runs[0][1],
        "plain_counts": plain_runs[0][1],
        "tasks": [n for _, _, n in flow_runs],
    }
