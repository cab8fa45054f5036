"""PDF needs Pango: without it, a French message names the Debian packages to install."""

import builtins
import io
import threading

import pytest
from pypdf import PdfReader

from dla.deliverables import pdf
from tests.dla.deliverables.conftest import REFERENCES

# Every test here prints (or fails to print) with WeasyPrint: the `pdf` tier.
pytestmark = pytest.mark.pdf


@pytest.fixture
def no_pango(monkeypatch):
    real_import = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing)
    pdf._weasyprint.cache_clear()
    yield
    pdf._weasyprint.cache_clear()


def test_missing_system_libraries_name_the_debian_packages(no_pango):
    with pytest.raises(pdf.PdfUnavailable) as error:
        pdf.to_pdf("<p>x</p>", title="x")

    message = str(error.value)
    assert message.startswith("Génération PDF impossible : bibliothèques système manquantes")
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in message
    assert "--format html --format docx" in message


def test_a_pdf_carries_the_document_title():
    reader = PdfReader(io.BytesIO(pdf.to_pdf("<h1>Bonjour</h1>", title="Note de diagnostic")))

    assert reader.metadata.title == "Note de diagnostic"
    assert "Bonjour" in reader.pages[0].extract_text()


def test_without_pdf_support_nothing_is_generated_in_any_format(no_pango, engine, tmp_path):
    from sqlmodel import Session, func, select

    from dla.db import transaction
    from dla.deliverables import generate
    from models import Deliverable
    from tests.dla.deliverables.conftest import CLOCK
    from tests.factories import case_data, save_case

    save_case(engine, tmp_path, case_data(contexte={"demande_initiale": "Une demande."}))

    with pytest.raises(pdf.PdfUnavailable), transaction(engine) as session:
        generate(
            ["DLA99-2024-01"],
            ["note_diagnostic"],
            ["html", "pdf"],
            session=session,
            var_dir=tmp_path / "var",
            clock=CLOCK,
        )

    assert not (tmp_path / "var").exists()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Deliverable)).one() == 0


def pages(content: bytes) -> list[str]:
    """Return the text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


@pytest.mark.parametrize("reference", REFERENCES)
def test_a_sample_monographie_prints_the_same_pages_as_with_fonts_loaded_per_document(
    rendered, reference
):
    html = rendered.path(reference, "monographie", "html").read_text(encoding="utf-8")
    # The former path: WeasyPrint loads fontconfig and a new font map for this document alone.
    before = pages(pdf._weasyprint().HTML(string=html).write_pdf())
    # The shared configuration, which printed every document of the samples before this one.
    stored = pages(rendered.path(reference, "monographie", "pdf").read_bytes())
    again = pages(pdf.to_pdf(html, title="Monographie"))

    assert len(before) >= 2
    assert stored == before
    assert again == before


def test_each_thread_prints_with_one_font_configuration():
    first = pdf.font_configuration()
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_configuration()))
    thread.start()
    thread.join()

    assert pdf.font_configuration() is first
    assert other[0] is not first
