"""Print documents to PDF with WeasyPrint (needs Pango on the system)."""

from functools import cache

DEBIAN_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here: the message says what to install."""


@cache
def _weasyprint():
    try:
        import weasyprint
    except OSError as exc:  # missing shared libraries (Pango, HarfBuzz)
        raise PdfUnavailable(
            "Génération PDF impossible : bibliothèques système manquantes pour WeasyPrint "
            f"({exc}). Sous Debian ou Ubuntu : apt-get install {DEBIAN_PACKAGES}. "
            "Les formats HTML et Word restent disponibles (--format html --format docx)."
        ) from exc
    except ImportError as exc:
        raise PdfUnavailable(
            "Génération PDF impossible : le paquet Python weasyprint n'est pas installé "
            "(pip install -e . dans l'environnement du projet)."
        ) from exc
    return weasyprint


def to_pdf(html: str, *, title: str) -> bytes:
    """Return the PDF (bytes) of a self-contained HTML document."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=None).render()
    document.metadata.title = title
    return document.write_pdf()


def check_available() -> None:
    """Fail early, with the French message, when PDF cannot be produced here."""
    _weasyprint()
