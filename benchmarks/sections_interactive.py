"""What a person waits for, as report figures (benchmarks/bench_interactive.py); run once."""

import os
import statistics
from datetime import date
from pathlib import Path

from benchmarks import bench_interactive
from benchmarks.report import Figure, Report, log, seconds

UP_TARGET, FORM_TARGET = 60.0, 5.0  # seconds
SECTION = "Interactive"


def interactive(report: Report, work: Path, runs: int) -> None:
    """`make up` from the existing .venv, then the form → first gate, several times."""
    today = date.today()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    log("make up on private ports")
    with bench_interactive.stack(work / "up") as s:
        opened = [
            bench_interactive.open_case(s.api, f"DLA63-BENCH-{i:02d}", today)
            for i in range(max(3, runs))
        ]
    median = statistics.median(opened)
    poll = s.env.get("PREFECT_RUNNER_POLL_FREQUENCY", "1 (deployments/env.sh)")
    report.add(
        Figure(
            SECTION,
            "`make up` from an existing .venv to the desk's sign-in page (HTTP 200): Prefect "
            "server, deployments served, samples loaded and replayed, desk",
            seconds(s.seconds),
            f"≤ {UP_TARGET:.0f} s",
            s.seconds <= UP_TARGET,
            "empty var/ folder (first start); seconds by step: "
            + ", ".join(f"{k} {v}" for k, v in s.phases.items())
            + f"; load average before (1, 5, 15 min): {load}",
        ),
        Figure(
            SECTION,
            "Form `ouvrir-un-cas` submitted → the case's run suspended at its first gate "
            "(served deployment), median",
            seconds(median),
            f"≤ {FORM_TARGET:.0f} s",
            median <= FORM_TARGET,
            f"{len(opened)} cases opened one after the other; runs: "
            + ", ".join(seconds(x) for x in opened)
            + f"; two runs taken up by the served runner (the opening, then the case's own), "
            f"which polls every {poll} s",
        ),
    )
