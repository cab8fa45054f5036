"""Fixtures of deliverables: the four sample cases loaded, and rendered once in every format."""

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from dla.casefile.loader import load_case_file
from dla.cases import save_plan
from dla.clock import FixedClock
from dla.db import make_engine, transaction
from dla.deliverables import FORMATS, Generated, generate, generate_synthesis

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "cases"
REFERENCES = ["DLA13-2005-01", "DLA15-2006-01", "DLA38-2006-01", "DLA57-2007-01"]
CLOCK = FixedClock.on(date(2010, 6, 1))


def load_samples(engine, names=None) -> None:
    """Load sample case files (all by default) as `dla case load` would."""
    with transaction(engine) as session:
        for path in sorted(SAMPLES.glob("*.yaml")):
            if names is None or path.name in names:
                plan = load_case_file(path)
                save_plan(plan, session=session, clock=CLOCK, actor="test", reason="test")


@dataclass
class Rendered:
    var_dir: Path
    files: dict[tuple[str, str, str], Generated]  # (owner, kind, format)

    def path(self, owner: str, kind: str, fmt: str) -> Path:
        return self.files[(owner, kind, fmt)].path


@pytest.fixture(scope="session")
def rendered(sqlite_template, tmp_path_factory) -> Rendered:
    """Render every document of the four samples and the synthesis, in every format, once.

    PDF rendering is slow: the tests that read the files share this one rendering (SQLite).
    """
    folder = tmp_path_factory.mktemp("rendered")
    shutil.copy(sqlite_template, folder / "dla.db")
    engine = make_engine(f"sqlite:///{folder / 'dla.db'}")
    load_samples(engine)
    var_dir = folder / "var"
    with transaction(engine) as session:
        done = generate(REFERENCES, None, FORMATS, session=session, var_dir=var_dir, clock=CLOCK)
        done += generate_synthesis(None, FORMATS, session=session, var_dir=var_dir, clock=CLOCK)
    engine.dispose()
    return Rendered(var_dir, {(d.owner, d.kind, d.fmt): d for d in done})


@pytest.fixture
def samples(engine, snapshots) -> Session:
    """The four sample cases in the test's database (SQLite, and PostgreSQL when configured).

    Loaded by the session's first test, copied for the others (tests/snapshots.py).
    """
    snapshots.build_or_copy(engine, "samples", lambda: load_samples(engine))
    return engine
