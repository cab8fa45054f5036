"""Read generated files back as plain text, the way a user's software would open them."""

import html
import re
from functools import cache
from pathlib import Path

import docx
from docx.table import Table
from pypdf import PdfReader


def flat(text: str) -> str:
    """Collapse whitespace (line breaks of PDF extraction, non-breaking spaces)."""
    return " ".join(text.split())


@cache
def html_text(path: Path) -> str:
    body = path.read_text(encoding="utf-8").split("<body>", 1)[1]
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", body)))


@cache
def docx_text(path: Path) -> str:
    parts = []
    for block in docx.Document(str(path)).iter_inner_content():  # in reading order
        if isinstance(block, Table):
            parts += [c.text for row in block.rows for c in row.cells]
        else:
            parts.append(block.text)
    return flat(" ".join(parts))


def docx_headings(path: Path) -> list[tuple[str, str]]:
    """Return (style, text) of the Word headings and title."""
    document = docx.Document(str(path))
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading") or p.style.name == "Title"
    ]


@cache  # files are immutable once written: read each once
def pdf_text(path: Path) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(str(path)).pages))


READERS = {"html": html_text, "docx": docx_text, "pdf": pdf_text}
