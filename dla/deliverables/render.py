"""Render documents as self-contained HTML with one sandboxed Jinja2 environment (autoescape, strict)."""

import hashlib
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from dla.deliverables.charts import Chart
from dla.deliverables.kinds import Kind
from dla.frenchtext import elide, fr_date
from dla.templating import Sandbox

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
# Bump when the code that turns HTML into Word or PDF changes what it produces.
RENDERER_VERSIONS = {"html": "1", "docx": "1", "pdf": "1"}


# Documents repeat the same few dates (stage bounds, deadlines): Babel formats each once.
@lru_cache(maxsize=4096)
def _day(value: date | str | None) -> str:
    # Facts of the case context keep dates as ISO strings (JSON).
    return fr_date(date.fromisoformat(value) if isinstance(value, str) else value)


@lru_cache(maxsize=1024)
def _month(day: date | None) -> str:
    return "—" if day is None else format_date(day, "MMMM y", locale="fr_FR")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return text.replace(",", "\u00a0").replace(".", ",")


def _css_text(value: str) -> Markup:
    # A CSS string where every non-alphanumeric character is a hex escape: safe in <style>.
    escaped = "".join(c if c.isalnum() else f"\\{ord(c):06x}" for c in str(value))
    return Markup(f'"{escaped}"')


@cache
def environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """Return the environment of HTML documents (built once per process and folder)."""
    # Sandboxed: the templates are files the DLA team may edit.
    env = Sandbox(
        loader=FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(fr_date=_day, mois=_month, nombre=_number, css_text=_css_text, elide=elide)
    return env


def template_version(spec: Kind, fmt: str) -> str:
    """Hash the document's template, the shared partials and the format's renderer version."""
    digest = hashlib.sha256(f"{spec.key}:{fmt}:{RENDERER_VERSIONS[fmt]}".encode())
    shared = sorted((TEMPLATES_DIR / "documents").glob("_*.html"))
    for path in [TEMPLATES_DIR / spec.template, *shared]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_html(
    spec: Kind, context: dict, *, charts: dict[str, Chart], meta: dict, template=None
) -> str:
    """Render one document; `meta` says its version and generation date."""
    # A run passes the template it loaded once (as it hashes it once): no reload check per file.
    template = template or environment().get_template(spec.template)
    return template.render(**context, charts=charts, meta=meta, document=spec)
