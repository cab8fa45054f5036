"""A markdown preview of a rendered document (shown as a Prefect artifact); text escaped."""

from dla.deliverables.htmltree import Node, parse
from dla.shown import md

LIMIT = 20_000


def to_markdown(html: str) -> str:
    """Return the document as markdown: headings, paragraphs, lists and tables."""
    lines: list[str] = []
    _blocks(parse(html), lines)
    text = "\n".join(lines).strip() + "\n"
    if len(text) > LIMIT:
        text = text[:LIMIT].rsplit("\n", 1)[0] + "\n\n… (aperçu tronqué : voir le document)\n"
    return text


def _blocks(node: Node, lines: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            if child.strip():
                lines += [md(child).strip(), ""]
            continue
        tag = child.tag
        if tag in ("h1", "h2", "h3", "h4"):
            lines += ["#" * int(tag[1]) + " " + md(child.text()), ""]
        elif tag == "p":
            lines += [_inline(child.children), ""]
        elif tag in ("ul", "ol"):
            for item in (c for c in child.children if isinstance(c, Node) and c.tag == "li"):
                lines.append("- " + _inline(item.children))
            lines.append("")
        elif tag == "table":
            lines += _table(child) + [""]
        elif tag == "figure":
            lines += [f"*\\[graphique : {md(child.text())}\\]*", ""]
        else:
            _blocks(child, lines)


def _table(node: Node) -> list[str]:
    rows = []
    for tr in node.find_all("tr"):
        cells = []
        for cell in (c for c in tr.children if isinstance(c, Node) and c.tag in ("th", "td")):
            cells += [_inline(cell.children)] * int(cell.attrs.get("colspan", 1))
        rows.append(cells)
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    out = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    return out + ["| " + " | ".join(r) + " |" for r in rows[1:]]


def _inline(children) -> str:
    parts = []
    for child in children:
        if isinstance(child, str):
            parts.append(md(child))
        elif "a-completer" in child.classes():
            parts.append(f" **⚠ {md(child.text())}** ")
        elif child.tag in ("strong", "b"):
            parts.append(f" **{_inline(child.children).strip()}** ")
        elif child.tag in ("em", "i"):
            parts.append(f" *{_inline(child.children).strip()}* ")
        else:
            parts.append(_inline(child.children))
    return " ".join("".join(parts).split())
