"""A template error in one document: that document fails with its reason (result, timeline,
`dla deliver` output), the other documents are generated, and a re-run repeats nothing."""

import shutil
from collections.abc import Iterator

import pytest
from jinja2 import FileSystemLoader
from sqlmodel import Session, select
from typer.testing import CliRunner

from dla.cli import app
from dla.db import transaction
from dla.deliverables import KINDS, generate, render
from models import Deliverable, TimelineEvent
from tests.dla.deliverables.conftest import CLOCK, load_samples
from tests.faults.conftest import LEDGER

ISERE = "DLA38-2006-01"
BROKEN = "charte_cooperation"
FORMATS = ["html", "docx"]
FAULT = "{{ cas.signataire_absent.nom }}"  # an attribute the case context does not have


@pytest.fixture
def broken_template(tmp_path, monkeypatch) -> Iterator[int]:
    """Render from a copy of templates/ where one document's template fails; yield its line."""
    copy = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES_DIR, copy)
    path = copy / "documents" / f"{BROKEN}.html"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("{% block content %}") + 1
    path.write_text("\n".join([*lines[:at], FAULT, *lines[at:]]) + "\n", encoding="utf-8")
    # The documents' one environment now loads from the copy; the version hash reads it too.
    monkeypatch.setattr(render.environment(), "loader", FileSystemLoader(copy))
    monkeypatch.setattr(render, "TEMPLATES_DIR", copy)
    yield at + 1


def repair(monkeypatch) -> None:
    monkeypatch.undo()


def run(engine, var_dir):
    with transaction(engine) as session:
        return generate([ISERE], None, FORMATS, session=session, var_dir=var_dir, clock=CLOCK)


def stored(engine) -> set[tuple[str, str, int]]:
    with Session(engine) as session:
        return {(d.kind, d.fmt, d.version) for d in session.exec(select(Deliverable))}


def failure_events(engine) -> list[str]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(TimelineEvent.summary).where(TimelineEvent.kind == "deliverable.failed")
            )
        )


def test_a_template_error_fails_only_its_document_with_the_template_line_and_reason(
    engine, broken_template, tmp_path, monkeypatch
):
    load_samples(engine, ["isere-2006.yaml"])
    var_dir = tmp_path / "var"

    done = run(engine, var_dir)

    others = {k for k in KINDS if k != BROKEN}
    assert {(d.kind, d.fmt) for d in done} == {(k, f) for k in others for f in FORMATS}
    assert all(d.path.exists() for d in done)
    assert [(f.kind, f.fmt) for f in done.failures] == [(BROKEN, f) for f in FORMATS]
    where = f"documents/{BROKEN}.html, ligne {broken_template}"
    assert all(where in f.reason and "signataire_absent" in f.reason for f in done.failures)
    assert stored(engine) == {(k, f, 1) for k in others for f in FORMATS}
    assert not list((var_dir / "livrables").rglob("charte-cooperation-*"))
    [event] = failure_events(engine)
    assert "Charte de coopération (html, docx)" in event and where in event

    again = run(engine, var_dir)  # the same fault again: no new version, no second event
    assert [d.new for d in again] == [False] * len(again) and len(again.failures) == 2
    assert len(failure_events(engine)) == 1

    repair(monkeypatch)  # the template fixed, the next run renders the missing document only
    fixed = run(engine, var_dir)
    assert {(d.kind, d.fmt) for d in fixed if d.new} == {(BROKEN, f) for f in FORMATS}
    assert fixed.failures == []
    LEDGER.tried("erreur de modèle dans un livrable (generate)")


def test_dla_deliver_names_the_broken_document_exits_1_and_keeps_the_others(
    engine, dla_env, broken_template, tmp_path
):
    load_samples(engine, ["isere-2006.yaml"])

    result = CliRunner().invoke(
        app, ["deliver", ISERE, "--today", "2010-06-01", "--format", "html"]
    )

    assert result.exit_code == 1, result.output
    assert (
        f"{ISERE} · Charte de coopération · html : non généré, erreur dans le modèle "
        f"documents/{BROKEN}.html, ligne {broken_template}"
    ) in result.output
    assert "1 fichier(s) non généré(s)." in result.output
    assert "7 fichier(s) dans" in result.output
    assert stored(engine) == {(k, "html", 1) for k in KINDS if k != BROKEN}
    LEDGER.tried("erreur de modèle dans un livrable (`dla deliver`)")
