"""The desk's HTML templates: one autoescaping, strict Jinja2 environment (templates/web/)."""

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dla.frenchtext import case_status_label, fr_date, label
from dla.timeline import through
from dla.uploads import size_text
from web.choices import case_choices, choices
from web.security import csrf_token

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "web"


def case_url(reference: str) -> str:
    """Return the desk path of a case page."""
    return f"/cas/{quote(reference, safe='')}"


def case_link(reference: str) -> Markup:
    """Return the link to a case page, its reference as text (a function, not an include:
    lists call it once per line, and an include builds a new template context each time)."""
    return Markup('<a href="{}">{}</a>').format(case_url(reference), reference)


@lru_cache
def environment() -> Environment:
    """Build the environment once: our own files (not user-edited), escaped, strict.

    Templates are compiled once per process (no `auto_reload`): they ship with the code, and a
    check of each file's date on every render and include is time a page waits for.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        auto_reload=False,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = fr_date
    env.filters["label"] = label
    env.filters["statut_cas"] = case_status_label
    env.filters["urlencode_query"] = urlencode
    env.filters["taille"] = size_text
    env.filters["par_canal"] = through
    env.globals["case_url"] = case_url
    env.globals["case_link"] = case_link
    env.globals["choices"] = choices
    env.globals["case_choices"] = case_choices
    return env


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render a page with what every page needs (the person, the CSRF token, the path)."""
    html = (
        environment()
        .get_template(template)
        .render(
            user=getattr(request.state, "user", None),
            csrf=csrf_token(request.session),
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def public_page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render a page for someone without an account (a board's link): no session, no cookie."""
    html = (
        environment()
        .get_template(template)
        .render(**{"user": None, "csrf": "", "path": request.url.path} | context)
    )
    return HTMLResponse(html, status_code=status_code)
