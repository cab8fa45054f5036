"""Print documents to PDF with WeasyPrint (needs Pango on the system)."""

import threading
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


# One font configuration per thread, reused by every document the thread prints: WeasyPrint
# otherwise loads the fontconfig configuration and a new Pango font map (cold glyph and
# shaping caches) for each document, about a tenth of its time on a monographie. The PDF bytes
# are the same. Per thread, as a Pango font map must not be shared by concurrent threads.
_local = threading.local()


def font_configuration():
    """Return this thread's WeasyPrint font configuration (built on its first document)."""
    fonts = getattr(_local, "fonts", None)
    if fonts is None:
        _weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        fonts = _local.fonts = FontConfiguration()
    return fonts


def to_pdf(html: str, *, title: str) -> bytes:
    """Return the PDF (bytes) of a self-contained HTML document."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=None).render(font_config=font_configuration())
    document.metadata.title = title
    return document.write_pdf()


def check_available() -> None:
    """Fail early, with the French message, when PDF cannot be produced here."""
    _weasyprint()
