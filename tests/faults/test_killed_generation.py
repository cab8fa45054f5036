"""`dla deliver --all` killed with SIGKILL mid-way, then run again: every document exists once,
whole, in one version; the killed run recorded nothing and left no truncated file."""

import json
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

    killed = spawn(deliver, env, tmp_path / "killed.log")
    killed.kill_when(lambda: len(visible_files(var_dir)) >= 10, "dix fichiers écrits")
    partial = visible_files(var_dir)
    # Files are renamed into place whole; the versions live in one transaction, rolled back.
    assert 10 <= len(partial) < EXPECTED
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
