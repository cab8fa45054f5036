"""Build editable Word documents: real headings, lists and tables from the document's structure.

The templates' HTML is our own, semantic markup (h1–h4, p, ul/ol, table, figure); each element
maps to its Word counterpart, so users edit a proper document afterwards.
"""

import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dla.deliverables.charts import Chart
from dla.deliverables.htmltree import Node, parse

HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3}
SPACES = re.compile(r"\s+")


def to_docx(html: str, *, charts: dict[str, Chart], title: str, footer: str = "") -> bytes:
    """Return the Word file (bytes) of a rendered document."""
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.language = "fr-FR"
    doc.styles["Normal"].font.size = Pt(10)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2)
        _footer(section, footer or title)
    _blocks(doc, parse(html), charts)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _footer(section, text: str) -> None:
    # "<document> — version N · page X", the page number being a Word field.
    paragraph = section.footer.paragraphs[0]
    run = paragraph.add_run(f"{text} · page ")
    run.font.size = Pt(8)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    number_text = OxmlElement("w:t")
    number_text.text = "1"
    number.append(number_text)
    field.append(number)
    paragraph._p.append(field)


def _blocks(doc, node: Node, charts: dict[str, Chart]) -> None:
    for child in node.children:
        if isinstance(child, str):
            if child.strip():
                _runs(doc.add_paragraph(), [child])
            continue
        tag = child.tag
        if tag in HEADINGS:
            doc.add_heading(child.text(), HEADINGS[tag])
        elif tag == "p":
            _paragraph(doc, child)
        elif tag in ("ul", "ol"):
            _list(doc, child, 1)
        elif tag == "table":
            _table(doc, child)
        elif tag == "figure":
            _figure(doc, child, charts)
        else:  # header, section, div…: containers
            _blocks(doc, child, charts)


def _paragraph(doc, node: Node):
    classes = node.classes()
    style = "Subtitle" if "sous-titre" in classes else None
    paragraph = doc.add_paragraph(style=style)
    _runs(paragraph, node.children)
    if "meta" in classes:
        for run in paragraph.runs:
            run.font.size = Pt(8)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    return paragraph


def _list(doc, node: Node, depth: int) -> None:
    style = ("List Bullet" if node.tag == "ul" else "List Number") + (
        f" {depth}" if depth > 1 else ""
    )
    for item in (c for c in node.children if isinstance(c, Node) and c.tag == "li"):
        inline = [c for c in item.children if not (isinstance(c, Node) and c.tag in ("ul", "ol"))]
        _runs(doc.add_paragraph(style=style), inline)
        for sub in (c for c in item.children if isinstance(c, Node) and c.tag in ("ul", "ol")):
            _list(doc, sub, min(depth + 1, 3))


def _table(doc, node: Node) -> None:
    rows = node.find_all("tr")
    cells = [[c for c in r.children if isinstance(c, Node) and c.tag in ("th", "td")] for r in rows]
    width = max((sum(int(c.attrs.get("colspan", 1)) for c in row) for row in cells), default=0)
    if not width:
        return
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, (row_node, row) in enumerate(zip(rows, cells, strict=True)):
        col, word_cells = 0, table.rows[r].cells  # one lookup per row: cell() is slow
        for cell_node in row:
            span = int(cell_node.attrs.get("colspan", 1))
            cell = word_cells[col]
            if span > 1:
                cell = cell.merge(word_cells[col + span - 1])
            paragraph = cell.paragraphs[0]
            _runs(paragraph, cell_node.children, bold=cell_node.tag == "th")
            if "nombre" in cell_node.classes():
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            col += span
        if all(c.tag == "th" for c in row) and _in_head(node, row_node):
            # Repeat header rows on each page, as Word users expect.
            tr_pr = table.rows[r]._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            tr_pr.append(header)
    doc.add_paragraph()


def _in_head(table: Node, row: Node) -> bool:
    return any(row in head.children for head in table.find_all("thead"))


def _figure(doc, node: Node, charts: dict[str, Chart]) -> None:
    chart = charts.get(node.attrs.get("data-chart", ""))
    if chart is None:
        return
    doc.add_picture(io.BytesIO(chart.png), width=Cm(15))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = doc.add_paragraph(chart.title, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _runs(paragraph, children, *, bold=False, italic=False, todo=False) -> None:
    segments: list[tuple[str, bool, bool, bool]] = []
    _collect(children, bold, italic, todo, segments)
    text_so_far = ""
    for i, (text, b, it, td) in enumerate(segments):
        text = SPACES.sub(" ", text)
        if not text_so_far or text_so_far.endswith(" "):
            text = text.lstrip()
        if i == len(segments) - 1:
            text = text.rstrip()
        if not text:
            continue
        run = paragraph.add_run(text)
        run.bold = (b or td) or None
        run.italic = it or None
        if td:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        text_so_far += text


def _collect(children, bold, italic, todo, out) -> None:
    for child in children:
        if isinstance(child, str):
            out.append((child, bold, italic, todo))
        elif child.tag == "br":
            out.append(("\n", bold, italic, todo))
        else:
            _collect(
                child.children,
                bold or child.tag in ("strong", "b", "th"),
                italic or child.tag in ("em", "i"),
                todo or "a-completer" in child.classes(),
                out,
            )
