"""User data made safe where it is shown: terminal and markdown."""

import pytest
from markdown_it import MarkdownIt

from dla.shown import md, md_rows, plain, rich

RENDER = MarkdownIt("commonmark", {"html": True}).enable("table")


def test_plain_shows_escape_sequences_and_bidi_controls_as_code_points():
    assert plain("ok\x1b[2J\u202efdp.exe") == "ok<U+001B>[2J<U+202E>fdp.exe"


def test_rich_escapes_markup_so_that_it_prints_as_typed():
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(rich("[/] [aci/ai] [link=https://evil.example/]x[/link]"))
    assert console.export_text().strip() == "[/] [aci/ai] [link=https://evil.example/]x[/link]"


@pytest.mark.parametrize(
    "text",
    [
        "![x](http://evil.example/)",
        "<img src=x onerror=alert(1)>",
        "[a](javascript:alert(1))",
        "<javascript:alert(1)>",
        "- item",
        "12. item",
        "# titre",
        "**gras** _it_ `code` ~~barré~~",
        "a | b\n| --- |\nc",
        "A&amp;B",
    ],
)
def test_md_text_renders_as_the_text_itself(text):
    html = RENDER.renderInline(md(text))
    assert "<" not in html.replace("&lt;", "")  # no tag at all: only the text
    from html import unescape

    assert unescape(html) == " ".join(text.split())


def test_md_rows_escapes_text_cells_but_keeps_numbers_and_named_columns():
    rows = md_rows([{"t": "[a](b)", "n": 3, "runs": "http://ui/runs"}], keep=("runs",))
    assert rows == [{"t": "\\[a\\]\\(b\\)", "n": 3, "runs": "http://ui/runs"}]
