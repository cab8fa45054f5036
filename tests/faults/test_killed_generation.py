"""`dla deliver --all` killed with SIGKILL mid-way, then run again: every document exists once,
whole, in one version; the killed run recorded nothing and left no truncated file."""

import json
import os
import zipfile
from collections import Counter
from pathlib import Path

from sqlmodel import Session, select

from dla.deliverables import KINDS
from models import Deliverable, TimelineEvent
from tests.dla.deliverables.conftest import REFERENCES, load_samples
from tests.faults.conftest import BIN, LEDGER, dla_env, run, spawn

FORMATS = ("html", "docx")  # PDF would only make the run slower: files are written alike
EXPECTED = len(REFERENCES) * len(KINDS) * len(FORMATS)
HELD = 10  # documents in place when the killed run is held, then killed
# Put first on a child's PYTHONPATH: its sitecustomize.py holds the child after a count of files.
HOOKS = Path(__file__).resolve().parent / "hooks"


def held_after(env: dict[str, str], count: int, folder: Path, marker: Path) -> dict[str, str]:
    """The environment of a child that stops for good once `count` files are placed in
    `folder` (tests/faults/hooks/sitecustomize.py), having written `marker`."""
    path = os.pathsep.join(filter(None, [str(HOOKS), env.get("PYTHONPATH")]))
    return env | {
        "PYTHONPATH": path,
        "DLA_FAULT_HOLD_AFTER": str(count),
        "DLA_FAULT_HOLD_UNDER": str(folder),
        "DLA_FAULT_HOLD_MARKER": str(marker),
    }


def visible_files(var_dir: Path) -> list[Path]:
    """The documents a user would see (temporary files start with a dot)."""
    root = var_dir / "livrables"
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def whole(path: Path) -> bool:
    """Tell whether a document file is complete (HTML closed, DOCX a valid archive)."""
    if path.suffix == ".html":
        return path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None and "word/document.xml" in archive.namelist()
    return path.name == "versions.json" and isinstance(json.loads(path.read_text()), dict)


def rows(engine) -> list[Deliverable]:
    with Session(engine) as session:
        return list(session.exec(select(Deliverable)))


def events(engine, kind: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(TimelineEvent.id).where(TimelineEvent.kind == kind)).all())


def test_a_generation_killed_midway_then_rerun_leaves_each_document_once_and_whole(
    engine, database_url, tmp_path
):
    load_samples(engine)
    var_dir = tmp_path / "var"
    env = dla_env(database_url, var_dir)
    formats = [arg for fmt in FORMATS for arg in ("--format", fmt)]
    deliver = [str(BIN / "dla"), "deliver", "--all", "--today", "2010-06-01", *formats]

    # Held by the hook right after its HELD-th file is in place, killed there: the kill can no
    # longer land after the run has written everything (a poller on the files could, loaded).
    marker = tmp_path / "held"
    holding = held_after(env, HELD, var_dir / "livrables", marker)
    killed = spawn(deliver, holding, tmp_path / "killed.log")
    killed.kill_when(marker.exists, f"le {HELD}e fichier placé, signalé par tests/faults/hooks")
    assert marker.read_text().split() == [str(HELD), str(killed.process.pid)]
    partial = visible_files(var_dir)
    # Files are renamed into place whole; the versions live in one transaction, rolled back.
    assert len(partial) == HELD < EXPECTED
    assert all(whole(p) for p in partial)
    assert rows(engine) == [] and events(engine, "deliverable.generated") == 0

    run(deliver, env, tmp_path / "rerun.log")

    stored = rows(engine)
    assert len(stored) == EXPECTED
    assert Counter((d.case_id, d.kind, d.fmt) for d in stored).most_common(1)[0][1] == 1
    assert {d.version for d in stored} == {1}
    assert events(engine, "deliverable.generated") == len(REFERENCES) * len(KINDS)
    files = visible_files(var_dir)
    case_files = {p for p in files if p.parent.name != "synthese"}
    assert case_files == {var_dir / d.path for d in stored}
    assert all(whole(p) for p in files)
    assert not [p for p in (var_dir / "livrables").rglob(".*")]  # no temporary file left
    manifest = json.loads((var_dir / "livrables/synthese/versions.json").read_text())
    assert {fmt: [v["version"] for v in versions] for fmt, versions in manifest.items()} == {
        fmt: [1] for fmt in FORMATS
    }
    LEDGER.tried("SIGKILL pendant la génération des livrables (`dla deliver --all`)")
