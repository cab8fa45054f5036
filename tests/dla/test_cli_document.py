"""`dla document attach|list`: the core's checks and French refusals, through the command line."""

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from dla.cli import app
from dla.db import make_engine
from dla.uploads import Upload, upload_problems
from models import Attachment, TimelineEvent
from tests.factories import document_bytes, save_case, snapshot

runner = CliRunner(env={"COLUMNS": "250"})
REF = "DLA99-2024-01"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def engine_with_case(dla_env, tmp_path):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path)
    yield engine
    engine.dispose()


def test_attach_stores_the_file_and_says_so(engine_with_case, tmp_path):
    source = tmp_path / "Convention signée.pdf"
    source.write_bytes(document_bytes("pdf"))
    result = run(
        "document", "attach", REF, str(source), "--kind", "convention_signee",
        "--title", "Convention du poste partagé", "--by", "Camille", "--today", "2024-03-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Pièce jointe enregistrée : DLA99-2024-01 n° 1 — Convention du poste partagé" in (
        result.output
    )
    with Session(engine_with_case) as session:
        row = session.exec(select(Attachment)).one()
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "document.attached")
        ).one()
    assert row.filename == "Convention signée.pdf" and row.channel == "cli"
    assert event.actor == "Camille" and event.data["channel"] == "cli"
    assert (tmp_path / "var" / row.path).read_bytes() == document_bytes("pdf")


def test_attaching_the_same_file_again_says_unchanged(engine_with_case, tmp_path):
    source = tmp_path / "pv.pdf"
    source.write_bytes(document_bytes("pdf"))
    args = ["document", "attach", REF, str(source), "--kind", "proces_verbal"]
    run(*args)
    before = snapshot(engine_with_case)
    result = run(*args)
    assert result.exit_code == 0 and "inchangé" in result.output
    assert snapshot(engine_with_case) == before


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("rapport.pdf", b"MZ\x90\x00 un programme", "rapport_consultant"),
        ("page.html", b"<html></html>", "autre"),
        ("bon.pdf", document_bytes("pdf"), "facture"),
        ("vide.pdf", b"", "autre"),
    ],
)
def test_a_bad_file_gets_the_cores_refusal_word_for_word_and_nothing_is_written(
    engine_with_case, tmp_path, name, content, kind
):
    source = tmp_path / name
    source.write_bytes(content)
    before = snapshot(engine_with_case)
    result = run("document", "attach", REF, str(source), "--kind", kind)
    assert result.exit_code == 2
    problems, _ = upload_problems(
        Upload(name, content), kind=kind, title=None, max_bytes=10_000_000
    )
    assert result.output.startswith("Pièce refusée, rien n'a été enregistré :")
    for problem in problems:
        assert f"- {problem.message}" in result.output
    assert snapshot(engine_with_case) == before
    assert not (tmp_path / "var" / "pieces").exists()


def test_a_file_over_the_limit_is_refused_on_its_size_without_being_read(
    engine_with_case, tmp_path, monkeypatch
):
    from dla.settings import get_settings

    monkeypatch.setenv("DLA_MAX_ATTACHMENT_BYTES", "1000")
    get_settings.cache_clear()
    source = tmp_path / "gros.pdf"
    source.write_bytes(document_bytes("pdf") + b"0" * 5000)
    result = run("document", "attach", REF, str(source), "--kind", "autre")
    assert result.exit_code == 2
    assert "fichier « gros.pdf » : trop volumineux (5 Ko, au plus 1 Ko)" in result.output


def test_a_missing_file_or_an_unknown_case_is_refused(engine_with_case, tmp_path):
    missing = run("document", "attach", REF, str(tmp_path / "absent.pdf"), "--kind", "autre")
    assert missing.exit_code == 2 and "Fichier illisible" in missing.output
    source = tmp_path / "a.pdf"
    source.write_bytes(document_bytes("pdf"))
    unknown = run("document", "attach", "DLA00-0000-00", str(source), "--kind", "autre")
    assert unknown.exit_code == 2 and "cas inconnu : 'DLA00-0000-00'" in unknown.output
    path = run("document", "attach", "../../etc", str(source), "--kind", "autre")
    assert path.exit_code == 2 and "Référence invalide" in path.output


def test_list_shows_each_attachment_with_who_and_channel(engine_with_case, tmp_path):
    source = tmp_path / "rapport[bold].docx"
    source.write_bytes(document_bytes("docx"))
    run("document", "attach", REF, str(source), "--kind", "rapport_consultant", "--by", "Léa")
    result = run("document", "list", REF)
    assert result.exit_code == 0, result.output
    assert "rapport du consultant" in result.output and "rapport[bold].docx" in result.output
    assert "Léa (via cli)" in result.output and "1 pièce(s) jointe(s)." in result.output
    assert run("document", "list", "DLA00-0000-00").exit_code == 2
