"""End to end through a real SMTP server on loopback (aiosmtpd started by the test)."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from dla.clock import FixedClock
from dla.db import transaction
from dla.mail.config import Security, SmtpConfig
from dla.mail.smtp import SmtpTransport
from dla.outbox.plan import plan_due_window
from dla.outbox.sweep import sweep
from models.enums import NotificationStatus
from tests.dla.outbox.conftest import CONSULTANT, REF, rows

DAY = date(2024, 1, 4)  # the non-intervention period (9–12 January) is announced


@dataclass
class Inbox:
    """What the server received, and the answers it is told to give."""

    refuse: dict[str, str] = field(default_factory=dict)
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpTransport]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    config = SmtpConfig(
        host="127.0.0.1", port=port, security=Security.none, max_attempts=1, timeout=10
    )
    try:
        yield inbox, SmtpTransport(config)
    finally:
        controller.stop()


def send(engine, transport, renderer_for):
    with transaction(engine) as session:
        plan_due_window(session=session, today=DAY, digests=False)
    clock = FixedClock.on(DAY)
    return sweep(engine=engine, transport=transport, renderer=renderer_for(clock), clock=clock)


def test_reminders_reach_a_real_smtp_server_once_with_html_and_ics(
    engine, loaded, smtp, renderer_for
):
    inbox, transport = smtp
    report = send(engine, transport, renderer_for)
    sent = rows(engine, status=NotificationStatus.sent)
    assert report.count("sent") == len(sent) == len(inbox.received) > 0
    by_id = {m["Message-ID"]: (to, m) for to, m in inbox.received}
    assert set(by_id) == {r.message_id for r in sent}
    row = next(r for r in sent if r.rule == "periode_debut" and r.recipient == CONSULTANT)
    to, message = by_id[row.message_id]
    assert to == [CONSULTANT]
    assert message["Subject"] == f"[{REF}] Début de période : Période de non-intervention"
    text = message.get_body(("plain",)).get_content()
    assert "commence le 9 janvier 2024 et se termine le 12 janvier 2024" in text
    html = message.get_body(("html",)).get_content()
    assert "<strong>9 janvier 2024</strong>" in html
    ics = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    event = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == date(2024, 1, 9)
    # The same sweep again delivers nothing new.
    again = send(engine, transport, renderer_for)
    assert again.verdicts == [] and len(inbox.received) == len(sent)


def test_a_refused_recipient_fails_for_good_and_a_busy_one_stays_due(
    engine, loaded, smtp, renderer_for
):
    inbox, transport = smtp
    inbox.refuse = {
        CONSULTANT: "550 5.1.1 boîte inconnue",
        "presidence@ai-deux.example.org": "451 4.3.0 réessayez plus tard",
    }
    report = send(engine, transport, renderer_for)
    failed = rows(engine, status=NotificationStatus.failed)
    retry = [r for r in rows(engine, status=NotificationStatus.planned) if r.attempts == 1]
    assert {r.recipient for r in failed} == {CONSULTANT}
    assert all("550" in r.last_error for r in failed)
    assert {r.recipient for r in retry} == {"presidence@ai-deux.example.org"}
    assert report.count("failed") == len(failed) and report.count("retry") == len(retry)
    assert report.count("sent") == len(inbox.received)


def test_an_unreachable_server_drops_nothing_everything_stays_due(engine, loaded, renderer_for):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: connections are refused
    closed = SmtpTransport(
        SmtpConfig(host="127.0.0.1", port=port, security=Security.none, max_attempts=1, timeout=5)
    )
    report = send(engine, closed, renderer_for)
    due = [r for r in rows(engine) if r.attempts == 1]
    assert report.count("retry") == len(due) > 0 and report.count("sent") == 0
    assert all(r.status is NotificationStatus.planned and r.last_error for r in due)
