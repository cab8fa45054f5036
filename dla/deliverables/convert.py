"""Turn a rendered HTML document into the bytes of each format."""

from dla.deliverables.charts import Chart


def convert(
    fmt: str, html: str, *, charts: dict[str, Chart], title: str, footer: str = ""
) -> bytes:
    """Return the document in `fmt` (html, docx or pdf)."""
    if fmt == "html":
        return html.encode("utf-8")
    if fmt == "docx":
        from dla.deliverables.docx import to_docx

        return to_docx(html, charts=charts, title=title, footer=footer)
    from dla.deliverables.pdf import to_pdf

    return to_pdf(html, title=title)
