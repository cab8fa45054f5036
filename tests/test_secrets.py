"""A planted secret (SMTP and database passwords) is nowhere after a representative run."""

import base64
import json
import logging
import shutil
import socket
import sys
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import String, cast, make_url, select
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from dla.cli import app
from dla.db import make_engine
from dla.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE, REF = ROOT / "samples" / "cases" / "isere-2006.yaml", "DLA38-2006-01"
LOGIN = "rappels"


@dataclass
class Inbox:
    password: str
    received: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.original_content)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == LOGIN.encode() and auth_data.password == self.password.encode()
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def secret() -> str:
    return f"plante-{uuid.uuid4().hex}"


@pytest.fixture
def smtp(secret):
    """A loopback SMTP server that insists on AUTH with the planted password."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox(secret)
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_required=True,
        auth_require_tls=False,  # loopback only: no certificate to manage here
    )
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def live_prefect_console(capfd):
    """Capture this test's output; leave Prefect's console logging on a stream that stays open."""
    yield capfd
    from prefect.logging.handlers import PrefectConsoleHandler

    # Prefect builds its console handler on the stream current when it first logs: when that
    # is this test's capture, later flows would write to a closed file.
    loggers = [logging.getLogger(), *logging.root.manager.loggerDict.values()]
    for handler in [h for lg in loggers for h in getattr(lg, "handlers", [])]:
        if isinstance(handler, PrefectConsoleHandler):
            handler.stream = sys.__stderr__
            handler.console.file = sys.__stderr__


def with_password(url: str, secret: str) -> str:
    """Plant the secret as the database password (PostgreSQL; SQLite has none)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return url
    return parsed.set(password=secret).render_as_string(hide_password=False)


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def database_text(url: str) -> str:
    engine = make_engine(url)
    out = []
    with Session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(select(*[cast(c, String) for c in table.columns])):
                out += [str(v) for v in row if v is not None]
    engine.dispose()
    return "\n".join(out)


def prefect_text() -> str:
    """Flow runs (parameters, states), task runs, logs, artifacts and variables."""
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # send the queued logs before reading them
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(limit=200)
        parts = [r.model_dump_json() for r in runs]
        parts += [t.model_dump_json() for t in client.read_task_runs(limit=200)]
        parts += [a.model_dump_json() for a in client.read_artifacts(limit=200)]
        parts += [v.model_dump_json() for v in client.read_variables()]
        parts += [log.model_dump_json() for log in client.read_logs(limit=200)]
    assert any(r.name == REF for r in runs), "le flux du cas n'a pas tourné"
    return "\n".join(parts)


def test_a_planted_secret_appears_nowhere_after_a_full_run(
    prefect_server, database_url, tmp_path, monkeypatch, live_prefect_console, secret, smtp
):
    from prefect.blocks.system import Secret

    from flows.case_flow import CaseRun, run_case
    from flows.deliver import DeliverRequest, deliver
    from flows.mail_blocks import SmtpServer
    from flows.reminders import SweepRequest, sweep_reminders

    inbox, port = smtp
    url = with_password(database_url, secret)
    var = tmp_path / "var"
    (var / "cas").mkdir(parents=True)
    shutil.copy(SAMPLE, var / "cas")
    for name, value in {
        "DLA_DATABASE_URL": url,
        "DLA_VAR_DIR": str(var),
        "DLA_SMTP_HOST": "127.0.0.1",
        "DLA_SMTP_PORT": str(port),
        "DLA_SMTP_SECURITY": "none",
        "DLA_SMTP_USERNAME": LOGIN,
        "DLA_SMTP_PASSWORD": secret,
        "DLA_SMTP_MAX_ATTEMPTS": "1",
        "DLA_STAGE_DELIVERABLE_FORMATS": '["html"]',
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    outputs = [cli("init"), cli("case", "load", str(var / "cas" / SAMPLE.name))]
    # What `dla run REF --replay` does; called directly, Prefect's console keeps a live stdout.
    run_case(CaseRun(reference=REF, rejouer=True, aujourdhui=date(2006, 3, 31)))
    outputs += [
        cli("remind", "--since", "2006-03-01", "--today", "2006-03-31"),
        cli("deliver", REF, "--kind", "note_diagnostic", "--format", "html", "--format", "docx"),
        cli("contact", "export", "coordination@mcae.example.org"),
    ]
    # Inside Prefect the password comes from a block (and a Secret block holds a copy).
    block = f"smtp-{uuid.uuid4().hex[:8]}"
    SmtpServer(host="127.0.0.1", port=port, security="none", username=LOGIN, password=secret).save(
        block
    )
    Secret(value=secret).save(f"mot-de-passe-{block}")
    monkeypatch.delenv("DLA_SMTP_PASSWORD")
    monkeypatch.setenv("DLA_SMTP_BLOCK", block)
    get_settings.cache_clear()
    sweep_reminders(SweepRequest(aujourdhui=date(2006, 4, 3)))
    deliver(DeliverRequest(references=[REF], documents=["note_diagnostic"], formats=["html"]))
    get_settings.cache_clear()

    assert inbox.received, "aucun message n'a été remis au serveur SMTP authentifié"
    forms = {secret, base64.b64encode(secret.encode()).decode()}
    captured = live_prefect_console.readouterr()
    places = {
        "sorties des commandes": "\n".join(outputs),
        "stdout/stderr": captured.out + captured.err,
        "base de données": database_text(url),
        "Prefect (runs, journaux, artefacts, variables)": prefect_text(),
        "messages reçus": "\n".join(m.decode("utf-8", "replace") for m in inbox.received),
    }
    # Every file the run left behind: var/ (case file, deliverables…) and the SQLite database.
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files) and any(p.suffix == ".docx" for p in files)
    places |= {str(p): p.read_bytes().decode("latin-1") for p in files}
    leaks = [where for where, text in places.items() if any(f in text for f in forms)]
    assert leaks == []
    assert json.loads(outputs[-1])["adresse"] == "coordination@mcae.example.org"
