"""How long `make check` and `make test` take, written from the runs themselves.

`make check` and `make test` set DLA_TEST_TIER; at the end of such a run its figures go to
var/test-timings/<tier>.json and docs/test-timings.md is rewritten from every tier measured.
"""

import json
import os
import platform
import resource
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "var" / "test-timings"
PAGE = ROOT / "docs" / "test-timings.md"
TIERS = {
    "check": "`make check` (rapide : ni Prefect, ni processus, ni navigateur, ni PDF, ni tests lents, ni bancs d'essai ; SQLite)",
    "test": "`make test` (tout)",
}
started = time.monotonic()


_phases: list[tuple[str, str, float, float, float]] = []


def cpu_seconds() -> float:
    """Return the CPU this process has used so far.

    Its own only: a child's CPU reaches RUSAGE_CHILDREN when it is reaped, which for a
    server kept for a session or a module is during some later test, not the one it served.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def phase(report) -> None:
    """Note which worker ran a test phase, from when to when, with the CPU of its own process (controller side)."""
    node = getattr(report, "node", None)
    worker = node.gateway.id if node is not None else "main"
    cpu = dict(report.user_properties).get("cpu", 0.0)
    _phases.append((worker, report.nodeid, report.start, report.stop, cpu))


def record(tier: str, *, tests: int, failed: int, workers: int, postgres: bool) -> None:
    """Save this run's figures and rewrite the page from every tier measured."""
    RECORDS.mkdir(parents=True, exist_ok=True)
    figures = {
        "seconds": round(time.monotonic() - started),
        "tests": tests,
        "failed": failed,
        "workers": workers,
        "postgres": postgres,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "at": datetime.now().strftime("%Y-%m-%d %H:%M"),
    }
    (RECORDS / f"{tier}.json").write_text(json.dumps(figures), encoding="utf-8")
    # Each worker's tests in order, to see which group makes the run's tail (tests/conftest.py).
    (RECORDS / f"{tier}-timeline.json").write_text(json.dumps(_phases), encoding="utf-8")
    rows = []
    for name, title in TIERS.items():
        path = RECORDS / f"{name}.json"
        if path.is_file():
            f = json.loads(path.read_text(encoding="utf-8"))
            base = "SQLite et PostgreSQL" if f["postgres"] else "SQLite"
            minutes, seconds = divmod(f["seconds"], 60)
            rows.append(
                f"| {title} | {minutes} min {seconds:02d} s | {f['tests']} ({f['failed']} en échec)"
                f" | {base} | {f['workers']} | {f['cores']} | {f['at']} |"
            )
    PAGE.write_text(
        "# Durée des tests\n\n"
        "Écrit par `make check` et `make test` à la fin de chaque exécution (tests/timings.py) ;"
        " ne pas modifier à la main.\n\n"
        "| commande | durée | tests | bases | processus | cœurs | mesuré le |\n"
        "|---|---:|---:|---|---:|---:|---|\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
