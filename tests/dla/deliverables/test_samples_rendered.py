"""Every document of the four sample cases, in HTML, Word and PDF, read back and checked."""

import re

import docx
import pytest

from dla.deliverables import FORMATS, KINDS, SYNTHESIS
from tests.dla.deliverables.conftest import REFERENCES
from tests.dla.deliverables.readers import READERS, docx_headings, html_text

DOCUMENTS = [(ref, kind) for ref in REFERENCES for kind in KINDS]


@pytest.mark.parametrize(("reference", "kind"), DOCUMENTS)
def test_each_sample_document_exists_in_every_format_with_its_title_and_case(
    rendered, reference, kind
):
    for fmt in FORMATS:
        text = READERS[fmt](rendered.path(reference, kind, fmt))
        assert KINDS[kind].title in text, (reference, kind, fmt)
        assert reference in text, (reference, kind, fmt)


@pytest.mark.parametrize(("reference", "kind"), DOCUMENTS)
def test_word_files_have_real_headings_matching_the_html_sections(rendered, reference, kind):
    html = rendered.path(reference, kind, "html").read_text(encoding="utf-8")
    sections = [re.sub(r"\s+", " ", h).strip() for h in re.findall(r"<h2>(.*?)</h2>", html)]
    headings = docx_headings(rendered.path(reference, kind, "docx"))

    assert headings[0] == ("Title", KINDS[kind].title)
    level_one = [text for style, text in headings if style == "Heading 1"]
    assert level_one == [s.replace("&#39;", "'") for s in sections]
    assert level_one, "a document without sections"


@pytest.mark.parametrize("reference", REFERENCES)
def test_word_tables_are_real_tables(rendered, reference):
    document = docx.Document(str(rendered.path(reference, "monographie", "docx")))
    header = document.tables[0]

    assert header.cell(0, 0).text == "Département"
    assert header.cell(1, 0).text == "Organisme de portage DLA"


@pytest.mark.parametrize("fmt", FORMATS)
def test_isere_monographie_tells_the_merger_and_its_2008_figures(rendered, fmt):
    text = READERS[fmt](rendered.path("DLA38-2006-01", "monographie", fmt))

    assert "27 novembre 2006" in text
    assert "PA-ISS" in text
    for figure in ("200 salariés", "11 salariés", "47 ETP", "85 000 heures", "1 300 000 euros"):
        assert figure in text, figure
    assert text.count("31 décembre 2008") >= 5


@pytest.mark.parametrize("fmt", FORMATS)
def test_cantal_monographie_reports_69_requests_and_35_loans(rendered, fmt):
    text = READERS[fmt](rendered.path("DLA15-2006-01", "monographie", fmt))

    assert "69 demandes" in text
    assert "35 mises à disposition" in text
    assert "AIL 46" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_monographie_follows_the_seed_structure(rendered, fmt):
    text = READERS[fmt](rendered.path("DLA15-2006-01", "monographie", fmt))
    expected = [
        "Département Cantal (15)",
        "Organisme de portage DLA",
        "SIAE concernées à l'origine Dispo Services (AI)",
        "Mobilisation des réseaux Très peu de structures",
        "Périmètre de mise en œuvre",
        "Année diagnostic DLA 2006",
        "Durée de l'accompagnement DLA",
        "1. La demande initiale",
        "2. Les objectifs stratégiques initiaux de l'accompagnement",
        "3. Les attendus opérationnels",
        "4. Le contenu de la prestation d'accompagnement",
        "5. La mise en œuvre des préconisations",
        "6. Les résultats et perspectives",
    ]
    positions = [text.find(part) for part in expected]
    assert -1 not in positions, [p for p, i in zip(expected, positions, strict=True) if i < 0]
    assert positions == sorted(positions)


def test_absent_optional_facts_show_a_visible_marker_in_every_format(rendered):
    # Bouches-du-Rhône: no governance rules were agreed (the seed's lesson).
    for fmt in FORMATS:
        text = READERS[fmt](rendered.path("DLA13-2005-01", "plan_accompagnement", fmt))
        assert "À compléter : règles de gouvernance et de validation" in text, fmt
    html = rendered.path("DLA13-2005-01", "plan_accompagnement", "html").read_text()
    assert '<span class="a-completer">À compléter : règles de gouvernance' in html


def test_the_marker_is_highlighted_in_word(rendered):
    document = docx.Document(str(rendered.path("DLA13-2005-01", "plan_accompagnement", "docx")))
    runs = [r for p in document.paragraphs for r in p.runs if r.text.startswith("À compléter")]

    assert runs and all(r.font.highlight_color is not None and r.bold for r in runs)


def test_plan_budgets_days_terrain_and_cabinet_as_annex_5_1(rendered):
    text = html_text(rendered.path("DLA38-2006-01", "plan_accompagnement", "html"))

    assert "Jours terrain Jours cabinet" in text
    assert "Entretiens individuels du prestataire avec chaque structure" in text
    assert "Total des journées d'intervention À compléter" in text


def test_follow_up_report_embeds_its_chart_as_svg_in_html_and_png_in_word(rendered):
    html = rendered.path("DLA15-2006-01", "rapport_suivi", "html").read_text()
    document = docx.Document(str(rendered.path("DLA15-2006-01", "rapport_suivi", "docx")))

    assert 'data-chart="indicateurs"' in html
    assert "data:image/svg+xml;base64," in html
    assert len(document.inline_shapes) == 1
    assert "Demandes de mise à disposition de véhicule en 2009" in html_text(
        rendered.path("DLA15-2006-01", "rapport_suivi", "html")
    )


def test_vigilance_sheet_lists_open_and_held_points(rendered):
    text = html_text(rendered.path("DLA13-2005-01", "fiche_vigilance", "html"))

    open_part, held_part = text.split("Points respectés")
    assert (
        "bloquant Gouvernance et règles de validation arrêtées avant l'intervention — "
        "Les règles de gouvernance et de validation doivent être validées" in open_part
    )
    assert "Adhésion des partenaires institutionnels (§4.1)" in held_part
    assert "n'est pas établie" not in held_part


@pytest.mark.parametrize("fmt", FORMATS)
def test_synthesis_covers_the_four_cases_with_charts(rendered, fmt):
    path = rendered.path(SYNTHESIS.key, SYNTHESIS.key, fmt)
    text = READERS[fmt](path)

    for reference in REFERENCES:
        assert reference in text
    for part in ("Formes de mutualisation", "Origine de la demande", "Durées"):
        assert part in text
    assert "Points de vigilance récurrents" in text
    assert "Injonction institutionnelle" in text
    if fmt == "docx":
        assert len(docx.Document(str(path)).inline_shapes) == 4
    if fmt == "html":
        assert path.read_text().count("data:image/svg+xml;base64,") == 4


def test_word_footer_names_the_document_the_case_and_the_version(rendered):
    document = docx.Document(str(rendered.path("DLA38-2006-01", "monographie", "docx")))
    footer = document.sections[0].footer

    assert footer.paragraphs[0].text.startswith("Monographie — DLA38-2006-01 — version 1 · page")
    assert 'w:instr="PAGE"' in footer._element.xml
