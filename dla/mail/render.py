"""The one Jinja2 environment for e-mails (sandboxed): text and HTML bodies from templates/mail/."""

import re
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, select_autoescape

from dla.frenchtext import (
    case_status_label,
    count,
    elide,
    elided,
    fr_date,
    label,
    ordinal,
    with_article,
)
from dla.mail.headers import MailError
from dla.templating import Sandbox

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-]*)*")


class RenderRefused(MailError):
    """A template that is missing, malformed or asks for a value the notice does not give."""


class MailRenderer:
    """Render `templates/mail/<name>.txt.j2` and `.html.j2`; build once, pass down."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        # Sandboxed: the templates are files the DLA team may edit.
        self.env = Sandbox(
            loader=FileSystemLoader(templates_dir or TEMPLATES_DIR),
            # Only the HTML templates are escaped; the text part must keep "l'équipe & co" as is.
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # A renderer lives for one sweep: no file check at each {% extends %} (a template
            # edited meanwhile is read by the next sweep's renderer).
            auto_reload=False,
        )
        # A renderer lives for one sweep: look each template up once, not per message (Jinja2
        # would check the file's modification time each time).
        self._templates: dict = {}
        # The small words of French: {{ organisation | elide }} writes "d'ACI…" or "de Brest",
        # {{ "de" | elided(name) }} only the word (to keep the name in its own markup).
        self.env.filters.update(
            fr_date=fr_date,
            label=label,
            elide=elide,
            elided=elided,
            with_article=with_article,
            ordinal=ordinal,
            count=count,
            statut_cas=case_status_label,
        )

    def render(self, name: str, context: dict) -> tuple[str, str]:
        """Return the (text, html) bodies of template `name` filled with `context`."""
        if not isinstance(name, str) or not TEMPLATE_NAME.fullmatch(name):
            raise RenderRefused(
                f"modèle de courriel : nom invalide (valeur : {name!r}) ; attendu : lettres "
                "minuscules, chiffres, _ ou -"
            )
        return self._one(f"mail/{name}.txt.j2", context), self._one(f"mail/{name}.html.j2", context)

    def _one(self, path: str, context: dict) -> str:
        try:
            template = self._templates.get(path)
            if template is None:
                template = self._templates[path] = self.env.get_template(path)
            return template.render(context)
        except TemplateError as exc:
            raise RenderRefused(f"modèle de courriel {path} : {exc}") from exc
