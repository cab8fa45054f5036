"""Versioning: unchanged data and template make no new version; a change makes exactly one."""

from datetime import date

import yaml
from sqlalchemy import event
from sqlmodel import Session, select

from dla.casefile.loader import load_case_file
from dla.cases import save_plan
from dla.db import transaction
from dla.deliverables import generate, generate_synthesis, render
from models import Case, Deliverable, TimelineEvent
from models.enums import CaseStatus
from tests.dla.deliverables.conftest import CLOCK, SAMPLES
from tests.factories import write_case

ISERE = "DLA38-2006-01"
FORMATS = ["html", "docx"]


def run(engine, var_dir, kinds, formats=FORMATS, references=(ISERE,)):
    with transaction(engine) as session:
        return generate(
            list(references), kinds, formats, session=session, var_dir=var_dir, clock=CLOCK
        )


def versions(engine, kind):
    with Session(engine) as session:
        rows = session.exec(select(Deliverable).where(Deliverable.kind == kind)).all()
        return sorted((d.fmt, d.version) for d in rows)


def reload_isere(engine, tmp_path, **context):
    data = yaml.safe_load((SAMPLES / "isere-2006.yaml").read_text(encoding="utf-8"))
    data["contexte"].update(context)
    with transaction(engine) as session:
        save_plan(
            load_case_file(write_case(tmp_path, data)),
            session=session,
            clock=CLOCK,
            actor="test",
            reason="test",
        )


def test_first_generation_makes_version_1_under_the_case_folder(samples, tmp_path):
    done = run(samples, tmp_path / "var", ["monographie"])

    assert [(d.fmt, d.version, d.new) for d in done] == [("html", 1, True), ("docx", 1, True)]
    assert done[0].path == tmp_path / "var/livrables/dla38-2006-01/monographie-v1.html"
    assert done[0].path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with Session(samples) as session:
        row = session.exec(select(Deliverable).where(Deliverable.fmt == "html")).one()
    assert row.path == "livrables/dla38-2006-01/monographie-v1.html"
    assert len(row.data_hash) == 64 and len(row.template_version) == 64


def test_regenerating_unchanged_data_adds_no_version_and_keeps_the_file(samples, tmp_path):
    first = run(samples, tmp_path / "var", ["monographie", "note_diagnostic"])
    stamp = first[0].path.stat().st_mtime_ns

    again = run(samples, tmp_path / "var", ["monographie", "note_diagnostic"])

    assert [d.new for d in again] == [False] * 4
    assert [d.path for d in again] == [d.path for d in first]
    assert first[0].path.stat().st_mtime_ns == stamp
    assert versions(samples, "monographie") == [("docx", 1), ("html", 1)]


def test_a_changed_fact_adds_exactly_one_version_and_keeps_the_previous_one(samples, tmp_path):
    run(samples, tmp_path / "var", ["monographie", "compte_rendu_validation"])
    reload_isere(samples, tmp_path, perspectives="Nouvelles perspectives pour PA-ISS en 2010.")

    done = run(samples, tmp_path / "var", ["monographie", "compte_rendu_validation"])

    assert [(d.kind, d.fmt, d.version, d.new) for d in done] == [
        ("monographie", "html", 2, True),
        ("monographie", "docx", 2, True),
        ("compte_rendu_validation", "html", 1, False),  # reads no changed fact
        ("compte_rendu_validation", "docx", 1, False),
    ]
    assert versions(samples, "monographie") == [("docx", 1), ("docx", 2), ("html", 1), ("html", 2)]
    folder = tmp_path / "var/livrables/dla38-2006-01"
    assert "Nouvelles perspectives" in (folder / "monographie-v2.html").read_text()
    assert "Nouvelles perspectives" not in (folder / "monographie-v1.html").read_text()
    assert "Version 2 du" in (folder / "monographie-v2.html").read_text()
    assert all(not d.new for d in run(samples, tmp_path / "var", ["monographie"]))


def test_a_changed_template_makes_a_new_version(samples, tmp_path, monkeypatch):
    run(samples, tmp_path / "var", ["note_diagnostic"], ["html"])
    monkeypatch.setitem(render.RENDERER_VERSIONS, "html", "changed")

    done = run(samples, tmp_path / "var", ["note_diagnostic"], ["html"])

    assert [(d.version, d.new) for d in done] == [(2, True)]


def test_a_deleted_file_is_rendered_again_under_its_version(samples, tmp_path):
    (first,) = run(samples, tmp_path / "var", ["rapport_suivi"], ["html"])
    first.path.unlink()

    (again,) = run(samples, tmp_path / "var", ["rapport_suivi"], ["html"])

    assert (again.version, again.new, again.path) == (1, False, first.path)
    assert again.path.exists()
    assert versions(samples, "rapport_suivi") == [("html", 1)]


def test_synthesis_versions_follow_the_same_rule(samples, tmp_path):
    def synthesis():
        with transaction(samples) as session:
            return generate_synthesis(
                None, ["html"], session=session, var_dir=tmp_path / "var", clock=CLOCK
            )

    assert [(d.version, d.new) for d in synthesis()] == [(1, True)]
    assert [(d.version, d.new) for d in synthesis()] == [(1, False)]
    reload_isere(samples, tmp_path, resultats="Résultats révisés de l'entité PA-ISS.")
    assert [(d.version, d.new) for d in synthesis()] == [(2, True)]
    folder = tmp_path / "var/livrables/synthese"
    assert sorted(p.name for p in folder.iterdir()) == [
        "synthese-v1.html",
        "synthese-v2.html",
        "versions.json",
    ]


def test_vigilance_sheet_changes_version_only_when_findings_change(samples, tmp_path):
    with transaction(samples) as session:
        generate([ISERE], ["fiche_vigilance"], ["html"], session=session,
                 var_dir=tmp_path / "var", clock=CLOCK)  # fmt: skip
    with transaction(samples) as session:
        later = type(CLOCK).on(date(2011, 1, 3))
        (again,) = generate([ISERE], ["fiche_vigilance"], ["html"], session=session,
                            var_dir=tmp_path / "var", clock=later)  # fmt: skip

    assert (again.version, again.new) == (1, False)


def test_gathering_costs_the_same_queries_for_one_case_or_four(samples, tmp_path):
    def selects(references):
        seen = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        event.listen(samples, "before_cursor_execute", count)
        try:
            run(samples, tmp_path / "var", ["cahier_des_charges"], ["html"], references)
        finally:
            event.remove(samples, "before_cursor_execute", count)
        return len(seen)

    four = ["DLA13-2005-01", "DLA15-2006-01", ISERE, "DLA57-2007-01"]
    assert selects([ISERE]) == selects(four)


def test_each_new_version_leaves_one_timeline_event_and_a_rerun_none(samples, tmp_path):
    def events():
        with Session(samples) as session:
            query = select(TimelineEvent.summary).where(
                TimelineEvent.kind == "deliverable.generated"
            )
            return list(session.exec(query))

    run(samples, tmp_path / "var", ["monographie"])
    run(samples, tmp_path / "var", ["monographie"])

    assert events() == ["Livrable généré : Monographie (html v1, docx v1)"]


def test_a_case_status_change_alone_makes_no_new_case_document(samples, tmp_path):
    run(samples, tmp_path / "var", ["monographie"], ["html"])
    with transaction(samples) as session:
        case = session.exec(select(Case).where(Case.reference == ISERE)).one()
        case.status = CaseStatus.suivi
        session.add(case)

    (again,) = run(samples, tmp_path / "var", ["monographie"], ["html"])

    assert (again.version, again.new) == (1, False)
