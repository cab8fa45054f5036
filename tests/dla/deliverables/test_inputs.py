"""Bad input at the door: missing required facts, hostile text, unknown names, unsafe paths."""

import docx
import pytest
from sqlmodel import Session, func, select

from dla.db import transaction
from dla.deliverables import DeliverableError, MissingFacts, generate
from dla.deliverables.data import UnknownCase
from dla.deliverables.store import relative_path, slug, write_file
from models import Deliverable
from tests.dla.deliverables.conftest import CLOCK
from tests.factories import case_data, save_case

REF = "DLA99-2024-01"


def run(engine, var_dir, kinds, formats=("html",), references=(REF,)):
    with transaction(engine) as session:
        return generate(
            list(references), kinds, list(formats), session=session, var_dir=var_dir, clock=CLOCK
        )


def rows(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Deliverable)).one()


def test_a_missing_required_fact_names_the_case_the_document_and_the_field(engine, tmp_path):
    save_case(engine, tmp_path, case_data())  # no contexte.demande_initiale

    with pytest.raises(MissingFacts) as error:
        run(engine, tmp_path / "var", ["note_diagnostic"])

    assert error.value.problems == [
        "DLA99-2024-01 — Note de diagnostic : champ obligatoire manquant "
        "« contexte.demande_initiale » ; renseignez-le dans le fichier du cas puis rechargez-le."
    ]


def test_a_missing_fact_in_one_document_means_nothing_is_written(engine, tmp_path):
    data = case_data(contexte={"valeurs": ["Solidarité"]}, objectifs_strategiques=["Partager"])
    save_case(engine, tmp_path, data)

    with pytest.raises(MissingFacts) as error:
        run(engine, tmp_path / "var", ["charte_cooperation", "rapport_suivi", "monographie"])

    assert [p.split(" : ")[0] for p in error.value.problems] == [
        "DLA99-2024-01 — Rapport de suivi",
        "DLA99-2024-01 — Monographie",
    ]
    assert "« indicateurs »" in error.value.problems[0]
    assert rows(engine) == 0
    assert not (tmp_path / "var").exists()


def test_absent_optional_facts_render_a_visible_marker_not_an_empty_section(engine, tmp_path):
    data = case_data(contexte={"demande_initiale": "Deux SIAE veulent partager un poste."})
    save_case(engine, tmp_path, data)

    (done,) = run(engine, tmp_path / "var", ["note_diagnostic"])
    html = done.path.read_text(encoding="utf-8")

    assert "À compléter : analyse synthétique de la situation" in html
    assert "À compléter : points de blocage potentiels" in html
    assert "Deux SIAE veulent partager un poste." in html


def test_a_hostile_title_appears_as_text(engine, tmp_path):
    title = "Poste <script>alert('x')</script> & co"
    demand = {"demande_initiale": "<b>gras</b> non interprété"}
    save_case(engine, tmp_path, case_data(titre=title, contexte=demand))

    html_file, docx_file = run(engine, tmp_path / "var", ["note_diagnostic"], ("html", "docx"))
    html = html_file.path.read_text(encoding="utf-8")

    assert "<script>" not in html and "<b>gras" not in html
    assert "Poste &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert "&lt;b&gt;gras&lt;/b&gt; non interprété" in html
    paragraphs = [p.text for p in docx.Document(str(docx_file.path)).paragraphs]
    assert title in paragraphs


def test_unknown_case_kind_or_format_is_refused_by_name(engine, tmp_path):
    save_case(engine, tmp_path, case_data())

    with pytest.raises(UnknownCase, match="DLA00-0000-00"):
        run(engine, tmp_path / "var", ["note_diagnostic"], references=("DLA00-0000-00",))
    with pytest.raises(DeliverableError, match="livrable inconnu : '../../etc'"):
        run(engine, tmp_path / "var", ["../../etc"])
    with pytest.raises(DeliverableError, match="format inconnu : 'odt'"):
        run(engine, tmp_path / "var", ["note_diagnostic"], ("odt",))
    assert rows(engine) == 0


def test_file_names_are_slugs_that_cannot_leave_the_deliverables_folder(tmp_path):
    assert slug("DLA38-2006-01") == "dla38-2006-01"
    assert relative_path("DLA38-2006-01", "note_diagnostic", 3, "html") == (
        "livrables/dla38-2006-01/note-diagnostic-v3.html"
    )
    with pytest.raises(DeliverableError, match="nom de dossier ou de fichier refusé"):
        relative_path("../../etc/passwd", "x/../y", 3, "html")
    with pytest.raises(DeliverableError):
        slug("../..")
    with pytest.raises(DeliverableError, match="chemin de livrable refusé"):
        write_file(tmp_path, "livrables/../../evil.html", b"x")
    assert not (tmp_path.parent / "evil.html").exists()
