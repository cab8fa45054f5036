"""Templates run in a sandbox, and every HTML output escapes what the case file says."""

from datetime import date
from email import message_from_bytes, policy

import pytest
from jinja2.exceptions import SecurityError

from dla.clock import FixedClock
from dla.db import transaction
from dla.deliverables import generate
from dla.deliverables.kinds import KINDS
from dla.deliverables.produce import failure_reason
from dla.deliverables.render import environment
from dla.mail.eml import OutboxTransport
from dla.mail.render import MailRenderer, RenderRefused
from dla.outbox.days import remind
from dla.outbox.sending import mail_renderer
from dla.settings import Settings
from tests.dla.outbox.conftest import REF, open_stages, outbox_case
from tests.factories import save_case

ESCAPE = "{{ ''.__class__.__mro__ }}"
SCRIPT = "<script>alert('x')</script>"


def templates(tmp_path, name: str, text: str):
    path = tmp_path / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return tmp_path / "templates"


def test_a_mail_template_reaching_for_python_internals_is_refused_in_french(tmp_path):
    folder = templates(tmp_path, "mail/piege.txt.j2", ESCAPE)
    templates(tmp_path, "mail/piege.html.j2", "<p>rien</p>")
    with pytest.raises(RenderRefused) as refused:
        MailRenderer(folder).render("piege", {})
    assert "mail/piege.txt.j2" in str(refused.value)
    assert "accès interdit à l'attribut '__class__'" in str(refused.value)


def test_a_document_template_reaching_for_python_internals_is_refused_naming_it(tmp_path):
    folder = templates(tmp_path, "documents/piege.html", f"<p>\n{ESCAPE}</p>")
    with pytest.raises(SecurityError) as refused:
        environment(folder).get_template("documents/piege.html").render()
    reason = failure_reason(KINDS["note_diagnostic"], "html", refused.value)
    assert reason.startswith("erreur dans le modèle documents/piege.html, ligne 2 : accès interdit")


def test_templates_may_still_build_lists(tmp_path):
    folder = templates(
        tmp_path, "documents/liste.html", "{% set l = [] %}{% set _ = l.append(1) %}{{ l }}"
    )
    assert environment(folder).get_template("documents/liste.html").render() == "[1]"


@pytest.fixture
def hostile(engine, tmp_path):
    """A case whose title and perimeter carry a script, its reminders sent as .eml files."""
    data = outbox_case()
    data["titre"] = f"Poste partagé {SCRIPT}"
    data["perimetre"] = SCRIPT
    data["contexte"] = {"demande_initiale": SCRIPT, "valeurs": [SCRIPT]}
    data["objectifs_strategiques"] = [SCRIPT]
    data["attendus_operationnels"] = [SCRIPT]
    save_case(engine, tmp_path, data, day=date(2024, 1, 5))
    open_stages(engine, date(2024, 1, 8))
    settings = Settings(var_dir=tmp_path / "var")
    outbox = tmp_path / "var" / "outbox"
    for day in (date(2024, 1, 4), date(2024, 1, 15), date(2024, 1, 23)):
        clock = FixedClock.on(day)
        remind(
            engine=engine,
            transport=OutboxTransport(outbox),
            renderer=mail_renderer(settings, clock),
            clock=clock,
        )
    return tmp_path / "var"


def test_every_html_mail_body_escapes_the_case_title(engine, hostile):
    bodies = []
    for path in (hostile / "outbox").glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        bodies += [p.get_content() for p in message.walk() if p.get_content_type() == "text/html"]
    assert len(bodies) > 3
    assert not any(SCRIPT in b for b in bodies)
    assert any("&lt;script&gt;" in b for b in bodies)


def test_every_html_deliverable_escapes_the_case_file(engine, hostile):
    with transaction(engine) as session:
        done = generate(
            [REF],
            None,
            ["html"],
            session=session,
            var_dir=hostile,
            clock=FixedClock.on(date(2024, 1, 24)),
        )
    assert len(done) == len(KINDS)
    for item in done:
        html = item.path.read_text(encoding="utf-8")
        assert SCRIPT not in html and "&lt;script&gt;" in html, item.path.name


def test_documents_and_e_mails_write_a_date_with_the_same_filter():
    documents, mails = environment().filters, MailRenderer().env.filters

    assert "date_fr" not in documents
    assert documents["fr_date"]("2006-11-27") == mails["fr_date"](date(2006, 11, 27))
    assert mails["fr_date"](date(2006, 11, 27)) == "27 novembre 2006"
