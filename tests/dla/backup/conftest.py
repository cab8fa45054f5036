"""Fixtures of the backup tests: a source place (database + var/) and an empty target place."""

import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from dla.db import make_engine
from dla.settings import Settings, normalise_database_url
from tests.conftest import PG_URL


@dataclass
class Place:
    """Where the product keeps its data: a database and a var/ folder."""

    url: str
    var: Path

    @property
    def settings(self) -> Settings:
        return Settings(database_url=self.url, var_dir=self.var)

    def env(self, monkeypatch) -> None:
        """Point the `dla` command at this place."""
        from dla.settings import get_settings

        monkeypatch.setenv("DLA_DATABASE_URL", self.url)
        monkeypatch.setenv("DLA_VAR_DIR", str(self.var))
        get_settings.cache_clear()


@pytest.fixture
def source(database_url, tmp_path) -> Place:
    """The place backed up: the test's migrated database and a var/ folder."""
    return Place(database_url, tmp_path / "source" / "var")


@pytest.fixture
def target(database_url, tmp_path) -> Iterator[Place]:
    """An empty place on the same kind of database: a new SQLite file, a new PostgreSQL schema."""
    var = tmp_path / "cible" / "var"
    if database_url.startswith("sqlite"):
        yield Place(f"sqlite:///{tmp_path / 'cible' / 'dla.db'}", var)
        return
    schema = f"dla_cible_{uuid.uuid4().hex[:8]}"
    admin = make_engine(normalise_database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = normalise_database_url(PG_URL)
    separator = "&" if "?" in base else "?"
    yield Place(f"{base}{separator}options=-csearch_path%3D{schema}", var)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@dataclass
class Inbox:
    """A real SMTP server's record of what it accepted; `gate_at` holds one message's reply."""

    gate_at: int | None = None
    received: list[str] = field(default_factory=list)  # Message-IDs, in order of acceptance
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(message["Message-ID"])
        if len(self.received) == self.gate_at:
            # Accepted, but the reply waits: the sweep holds this batch's rows as claimed.
            self.holding.set()
            await asyncio.to_thread(self.release.wait, 120)
        return "250 OK"


def smtp_server(inbox: Inbox) -> tuple[Controller, int]:
    """Start a real SMTP server on loopback; return it and its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
