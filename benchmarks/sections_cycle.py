"""The daily cycle through Prefect, as report figures (benchmarks/bench_cycle.py)."""

import os
from pathlib import Path

from benchmarks import bench_cycle, bench_prefect, loopback
from benchmarks.databases import copy_sqlite, sqlite_database
from benchmarks.measure import Timing
from benchmarks.portfolio import Portfolio, build, write
from benchmarks.report import Figure, Report, runs_of, seconds
from dla.db import make_engine

WALL_TARGET, RATIO_TARGET = 60.0, 1.3  # seconds at 10,000 cases; flow ÷ the same work bare
SECTION = "Daily cycle through Prefect"
RATIO_LIMIT = (
    "Daily cycle, flow ÷ without Prefect: Prefect's share is about 3 s at 10,000 cases. The "
    "largest part is mirroring the day's timeline (about 2,400 rows) as Prefect events: the "
    "server validates and stores each one before answering (about 1 s for 2,500 events on this "
    "machine, whatever the batch size), and the rows are marked only then. The rest: the flow "
    "and its six task runs, their state events and logs sent by background threads, the "
    "artifacts posted. The portfolio artifact, 5 MB at 10,000 cases (refused by Prefect's event "
    "feed), now stops at 500 rows, the cases needing attention first."
)


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def cycle(
    report: Report,
    work: Path,
    p: Portfolio,
    url: str,
    runs: int,
    profile=None,
    server=bench_prefect.prefect_server,
) -> None:
    """The daily sweep flow and the same work bare, interleaved, each on a fresh copy.

    `server` starts the Prefect server for the duration (a test passes the one it runs).
    """
    copies = iter(range(1000))

    def fresh() -> tuple[str, Path]:
        i = next(copies)
        copy = copy_sqlite(url, work / f"cycle-{i}.db")
        bench_cycle.mark_mirrored(copy, run=i)
        return copy, work / f"cycle-var-{i}"

    flows, plains, loads = [], [], []
    with server(), loopback.smtp_sink() as port:
        _warm_up(work, port, p.today)
        for i in range(max(1, min(runs, 3))):
            loads.append(load())
            # Each goes first in turn: the machine's drift then falls on both.
            order = (flows, plains) if i % 2 == 0 else (plains, flows)
            for runs_of_kind in order:
                run = bench_cycle.cycle_flow if runs_of_kind is flows else bench_cycle.cycle_plain
                runs_of_kind.append(run(*fresh(), port, p.today))
            _drop(work)
        flow, plain = Timing([r.seconds for r in flows]), Timing([r.seconds for r in plains])
        ratio = flow.median / plain.median
        missed = flow.median > WALL_TARGET or ratio > RATIO_TARGET
        if missed and profile is not None:
            copy, var = fresh()
            with bench_cycle.cycle_settings(copy, var, port):
                from flows.reminders import SweepRequest, sweep_reminders

                report.profiles[f"daily cycle flow, {p.cases:,} cases"] = profile(
                    lambda: sweep_reminders(SweepRequest(aujourdhui=p.today))
                )
            _drop(work)
    if ratio > RATIO_TARGET:
        report.notes.append(RATIO_LIMIT)
    f, b = flows[0].counts, plains[0].counts
    report.add(
        Figure(
            SECTION,
            f"Daily sweep flow (`relances-quotidiennes`: advance, plan, claim, send to aiosmtpd, "
            f"record, artifacts, events), SQLite, {p.cases:,} cases",
            seconds(flow.median),
            f"≤ {WALL_TARGET:.0f} s",
            flow.median <= WALL_TARGET,
            f"{f['sent']:,} sent, {f['advanced']} cases advanced, {f['held']} held; "
            f"{flows[0].tasks} task runs; {runs_of(flow)}; load average before each run "
            f"(1, 5, 15 min): {' / '.join(loads)}",
        ),
        Figure(
            SECTION,
            f"Same work without Prefect (same functions, artifacts built but not posted), "
            f"{p.cases:,} cases",
            seconds(plain.median),
            detail=f"{b['sent']:,} sent, {b['advanced']} advanced, {b['planned_cases']:,} "
            f"cases planned again (incremental), {b['events']:,} timeline events marked, "
            f"{b['artifacts']} artifacts built; seconds by phase (first run): "
            + ", ".join(f"{k} {v}" for k, v in b["phases"].items())
            + f"; {runs_of(plain)}",
        ),
        Figure(
            SECTION,
            "Flow ÷ without Prefect",
            f"{ratio:.2f}×",
            f"≤ {RATIO_TARGET}×",
            ratio <= RATIO_TARGET,
            "medians of interleaved runs (flow, bare, bare, flow, …), each on a fresh copy of the "
            "portfolio whose past timeline is already mirrored, after an untimed run of each on "
            "a dozen cases",
        ),
    )


def _warm_up(work: Path, port: int, today) -> None:
    """Run both once on a dozen cases, untimed: imports and first connections paid by neither."""
    small = build(cases=12, seed=8, today=today)
    with sqlite_database(work, "cycle-warm") as url:
        engine = make_engine(url)
        write(small, engine)
        engine.dispose()
        for i, run in enumerate((bench_cycle.cycle_flow, bench_cycle.cycle_plain)):
            copy = copy_sqlite(url, work / f"cycle-warm-{i}.db")
            bench_cycle.mark_mirrored(copy)
            run(copy, work / f"cycle-warm-var-{i}", port, today)
            Path(copy.removeprefix("sqlite:///")).unlink()


def _drop(work: Path) -> None:
    """Remove the copies of the portfolio made so far (a 10,000-case copy is large)."""
    for path in work.glob("cycle-*.db*"):
        path.unlink(missing_ok=True)
