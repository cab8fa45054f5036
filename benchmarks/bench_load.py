"""Loading case files (read, validate, plan; save into an empty database; reload) and CLI start."""

import random
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import Engine

from benchmarks.cases import JOURNEY_WEIGHTS, JOURNEYS, Shape, calendar_of, document, mondays
from benchmarks.measure import Timing, side_by_side, timed
from dla.casebatch import save_plans
from dla.casefile.loader import load_case_file
from dla.clock import FixedClock
from dla.db import transaction

DEPARTEMENTS = ["38", "57", "67", "13", "15", "971"]


def write_files(directory: Path, count: int, today: date, seed: int = 11) -> list[Path]:
    """Write `count` distinct case files (own structures and contacts) as YAML."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    starts = mondays(today, 100)
    paths = []
    for i in range(count):
        dept = DEPARTEMENTS[i % len(DEPARTEMENTS)]
        shape = Shape(
            rng.choices(JOURNEYS, JOURNEY_WEIGHTS)[0],
            calendar_of(dept),
            rng.choice(starts),
            rng.random() < 0.4,
        )
        reference = f"DLA{dept}-{shape.start.year}-{i:04d}"
        data = document(
            shape,
            reference=reference,
            departement=dept,
            host=f"dla-{dept}",
            coordinator=f"coordination@dla-{dept}.example.org",
            rng=rng,
            prefix=f"c{i}-",
        )
        path = directory / f"{reference}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        paths.append(path)
    return paths


def read_all(paths: list[Path]) -> list:
    """Read, validate and plan every file (what `dla case load` does before writing)."""
    return [load_case_file(p) for p in paths]


def save_all(engine: Engine, plans: list, today: date) -> dict[str, int]:
    """Save the plans in one transaction, as `dla case load` does; count the outcomes."""
    with transaction(engine) as session:
        outcomes = save_plans(
            plans, session=session, clock=FixedClock.on(today), actor="bench", reason="bench"
        )
    return Counter(o.status for o in outcomes)


def cli_start(runs: int) -> dict[str, Timing]:
    """Time `dla --help` and `dla case --help` in fresh processes."""
    dla = str(Path(sys.executable).with_name("dla"))

    def command(*args):
        return lambda: subprocess.run([dla, *args], check=True, capture_output=True)

    return side_by_side(
        {
            "dla --help": command("--help"),
            "dla case load --help": command("case", "load", "--help"),
        },
        runs=runs,
    )


def load_once(engine: Engine, paths: list[Path], today: date) -> dict:
    """Read then save the files once into `engine`; return both durations."""
    read, plans = timed(lambda: read_all(paths))
    saved, _ = timed(lambda: save_all(engine, plans, today))
    return {"read": read, "save": saved}
