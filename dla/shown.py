"""User data made safe where it is shown: a terminal (plain or Rich) or markdown (artifacts).

Case data comes from files and forms that anyone may write: a title may hold Rich markup
(`[/]` crashes the print, `[link=…]` becomes a hyperlink), terminal escape sequences, bidi
overrides, or markdown and HTML (an image from any URL, a `javascript:` link).
"""

import re

# Control characters (C0, DEL, C1), line separators and the bidi controls that reorder what
# follows them (U+202E makes "fdp.exe" read "exe.pdf").
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# Characters that open markdown inline syntax (emphasis, code, links and images, tables,
# strikethrough, headings) are backslash-escaped; HTML's are replaced by entities.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#!|~])")
# What makes a line a list item or a setext underline when it starts one.
_BLOCK_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def plain(value: object) -> str:
    """Return a value as one line of text: control and bidi characters shown as <U+XXXX>."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m[0]):04X}>", "" if value is None else str(value))


def rich(value: object) -> str:
    """Return a value for a Rich string: `plain`, with its markup escaped (printed as typed)."""
    from rich.markup import escape  # Rich is imported by the commands that print with it

    return escape(plain(value))


def md(value: object) -> str:
    """Return a value for markdown text or a table cell: shown as typed, never as markup.

    Line breaks become spaces (a cell is one line; a new line could start a block).
    """
    text = re.sub(r"\s+", " ", "" if value is None else str(value))
    text = _MARKDOWN.sub(r"\\\1", "".join(_HTML.get(c, c) for c in plain(text)))
    # "- x" becomes "\\- x", "1. x" becomes "1\\. x": text, not a list.
    return _BLOCK_START.sub(
        lambda m: f"{m[1]}\\{m[2]}" if m[2] in "-+=" else f"{m[1]}{m[2]}\\", text
    )


def md_rows(rows: list[dict], *, keep: tuple[str, ...] = ()) -> list[dict]:
    """Return table-artifact rows with every text cell escaped (Prefect renders cells as markdown).

    `keep`: columns the product writes itself (a link to the UI), left as they are.
    """
    return [
        {k: md(v) if isinstance(v, str) and k not in keep else v for k, v in row.items()}
        for row in rows
    ]
