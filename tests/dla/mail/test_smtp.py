"""SMTP delivery against a real aiosmtpd server on loopback, faults included."""

import base64
import logging
from datetime import date

from aiosmtpd.smtp import AuthResult
from icalendar import Calendar

from dla.clock import FixedClock
from dla.mail.base import Outcome
from dla.mail.config import Security
from dla.mail.message import build_outgoing, message_id
from dla.mail.smtp import SmtpTransport
from tests.dla.mail.conftest import LOGIN, PASSWORD, SENDER, ScriptedHandler, Server


def outcomes(deliveries) -> dict[Outcome, int]:
    return {o: sum(d.outcome is o for d in deliveries) for o in Outcome}


def client_logs(caplog) -> str:
    """Everything logged on our side (the test server's own protocol trace left out)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))


async def test_server_receives_the_french_message_with_its_parts(
    smtp_server, make_notice, renderer, period
):
    server = smtp_server()
    notice = make_notice(events=(period,))
    outgoing = build_outgoing(
        notice, sender=SENDER, renderer=renderer, clock=FixedClock.on(date(2024, 1, 29))
    )

    [delivery] = await SmtpTransport(server.config()).deliver([outgoing])

    assert delivery.outcome is Outcome.sent
    [got] = server.handler.received
    assert got.mail_from == "rappels@dla-isere.example.org"
    assert got.rcpt_tos == ["presidence1@aci-un.example.org"]
    msg = got.message
    assert msg["Subject"] == "[DLA38-2024-01] Échéance proche : note de diagnostic"
    assert msg["To"].addresses[0].display_name == "Élise Martin"
    assert msg["Message-ID"] == message_id(notice.key, "dla-isere.example.org")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "attendue pour le 5 février 2024" in text
    assert "<strong>5 février 2024</strong>" in html
    [ics] = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert str(event["UID"]) == "period:DLA38-2024-01:appropriation@dla-isere.example.org"
    assert event.decoded("DTSTART") == date(2024, 3, 1)


async def test_one_connection_carries_a_whole_batch(smtp_server, make_batch):
    server = smtp_server()

    deliveries = await SmtpTransport(server.config(concurrency=1)).deliver(make_batch(5))

    assert outcomes(deliveries)[Outcome.sent] == 5
    assert len(server.handler.received) == 5
    assert server.handler.connections == 1


async def test_concurrency_bounds_the_connections_opened(smtp_server, make_batch):
    server = smtp_server()

    deliveries = await SmtpTransport(server.config(concurrency=2)).deliver(make_batch(6))

    assert outcomes(deliveries)[Outcome.sent] == 6
    assert sorted(r.rcpt_tos[0] for r in server.handler.received) == sorted(
        f"presidence{n}@aci-un.example.org" for n in range(1, 7)
    )
    assert 1 <= server.handler.connections <= 2


async def test_temporary_refusals_are_retried_with_backoff_until_sent(
    smtp_server, make_batch, sleeps
):
    server = smtp_server()
    server.handler.fail_first = ["421 4.3.2 Service indisponible", "451 4.7.1 Réessayez plus tard"]
    transport = SmtpTransport(server.config(max_attempts=3, backoff=2.0), sleep=sleeps)

    [delivery] = await transport.deliver(make_batch(1))

    assert delivery.outcome is Outcome.sent
    assert len(server.handler.received) == 1
    assert sleeps.delays == [2.0, 4.0]
    assert server.handler.connections == 2  # 421 means the server closes: a new connection


async def test_a_persistent_temporary_refusal_leaves_the_message_due(
    smtp_server, make_batch, sleeps
):
    server = smtp_server()
    server.handler.fail_first = ["451 4.7.1 Greylisting, réessayez"] * 10
    transport = SmtpTransport(server.config(max_attempts=3), sleep=sleeps)

    [delivery] = await transport.deliver(make_batch(1))

    assert delivery.outcome is Outcome.temporary
    assert "451" in delivery.detail and "Greylisting" in delivery.detail
    assert server.handler.received == []
    assert server.handler.data_attempts == 3


async def test_a_refused_recipient_fails_permanently_with_the_server_reason(
    smtp_server, make_batch, sleeps
):
    server = smtp_server()
    server.handler.refuse["presidence2@aci-un.example.org"] = "550 5.1.1 Boîte inconnue"

    deliveries = await SmtpTransport(server.config(), sleep=sleeps).deliver(make_batch(3))

    by_key = {d.key.split(":")[3]: d for d in deliveries}
    assert by_key["2"].outcome is Outcome.permanent
    assert "550 5.1.1 Boîte inconnue" in by_key["2"].detail
    assert outcomes(deliveries) == {Outcome.sent: 2, Outcome.temporary: 0, Outcome.permanent: 1}
    assert sleeps.delays == []  # a permanent failure is not retried
    assert server.handler.connections == 1


async def test_a_data_refusal_in_5xx_is_permanent(smtp_server, make_batch):
    server = smtp_server()
    server.handler.fail_first = ["554 5.7.1 Contenu refusé"]

    [delivery] = await SmtpTransport(server.config()).deliver(make_batch(1))

    assert delivery.outcome is Outcome.permanent
    assert delivery.detail == "554 5.7.1 Contenu refusé"


async def test_a_dropped_connection_is_reopened_and_nothing_is_lost(
    smtp_server, make_batch, sleeps
):
    server = smtp_server()
    server.handler.drop_at = {3}  # the line is cut while the third message is sent

    deliveries = await SmtpTransport(server.config(concurrency=1), sleep=sleeps).deliver(
        make_batch(5)
    )

    assert outcomes(deliveries)[Outcome.sent] == 5
    received = sorted(r.rcpt_tos[0] for r in server.handler.received)
    assert received == sorted(f"presidence{n}@aci-un.example.org" for n in range(1, 6))
    assert server.handler.connections == 2
    assert len(sleeps.delays) == 1


async def test_a_line_cut_at_every_try_leaves_the_rest_due_not_lost(
    smtp_server, make_batch, sleeps
):
    server = smtp_server()
    server.handler.drop_at = {2, 3, 4}  # second message: every one of its 3 tries is cut

    deliveries = await SmtpTransport(server.config(max_attempts=3), sleep=sleeps).deliver(
        make_batch(4)
    )

    counts = outcomes(deliveries)
    assert counts[Outcome.sent] == 1 and counts[Outcome.temporary] == 3
    assert counts[Outcome.permanent] == 0
    assert len(server.handler.received) == 1
    assert all("connexion" in d.detail or "indisponible" in d.detail for d in deliveries[1:])


async def test_a_server_that_refuses_connections_leaves_every_message_due(
    closed_port, make_batch, sleeps
):
    config = Server(ScriptedHandler(), closed_port).config(max_attempts=3, concurrency=2)

    deliveries = await SmtpTransport(config, sleep=sleeps).deliver(make_batch(10))

    assert outcomes(deliveries) == {Outcome.sent: 0, Outcome.temporary: 10, Outcome.permanent: 0}
    assert all(f"127.0.0.1:{closed_port}" in d.detail for d in deliveries)
    # Each of the two connections gives up after its first message, not once per message.
    assert sorted(sleeps.delays) == [1.0, 1.0, 2.0, 2.0]


async def test_starttls_and_login_send_without_showing_the_password(
    smtp_server, server_tls, certificate, make_batch, caplog
):
    caplog.set_level(logging.DEBUG)
    server = smtp_server(starttls=server_tls, auth=True)
    config = server.config(
        security=Security.starttls,
        username=LOGIN,
        password=PASSWORD,
        cert_bundle=str(certificate[0]),
    )

    deliveries = await SmtpTransport(config).deliver(make_batch(2))

    assert outcomes(deliveries)[Outcome.sent] == 2
    assert len(server.handler.received) == 2
    assert PASSWORD not in repr(config)
    assert all(PASSWORD not in (d.detail or "") for d in deliveries)
    assert PASSWORD not in client_logs(caplog)


async def test_a_wrong_password_keeps_messages_due_and_secret(
    smtp_server, server_tls, certificate, make_batch, sleeps, caplog
):
    caplog.set_level(logging.DEBUG)
    server = smtp_server(starttls=server_tls, auth=True)
    wrong = "mauvais-Mot-de-passe"
    config = server.config(
        security=Security.starttls, username=LOGIN, password=wrong, cert_bundle=str(certificate[0])
    )

    deliveries = await SmtpTransport(config, sleep=sleeps).deliver(make_batch(3))

    assert outcomes(deliveries)[Outcome.temporary] == 3
    assert "authentification refusée" in deliveries[0].detail
    assert "535" in deliveries[0].detail
    assert server.handler.received == []
    assert all(wrong not in (d.detail or "") for d in deliveries)
    assert wrong not in client_logs(caplog)


async def test_a_server_echoing_auth_plain_never_gets_the_password_stored(
    smtp_server, server_tls, certificate, make_batch, sleeps
):
    def echo(server, session, envelope, mechanism, auth_data):
        # A server that quotes the client's AUTH PLAIN line in its refusal.
        blob = b"\0" + auth_data.login + b"\0" + auth_data.password
        quoted = f"AUTH PLAIN {base64.b64encode(blob).decode()}"
        return AuthResult(success=False, handled=False, message=f"535 5.7.8 refusé ({quoted})")

    server = smtp_server(starttls=server_tls, auth=True, authenticator=echo)
    # Short user names: the password then starts mid-way in a base64 group of the blob.
    for login in ("ab", "a", "abcde"):
        config = server.config(
            security=Security.starttls,
            username=login,
            password=PASSWORD,
            cert_bundle=str(certificate[0]),
        )

        deliveries = await SmtpTransport(config, sleep=sleeps).deliver(make_batch(1))

        detail = deliveries[0].detail
        assert "535" in detail and "AUTH PLAIN ***" in detail
        blob = base64.b64encode(f"\0{login}\0{PASSWORD}".encode()).decode()
        assert PASSWORD not in detail and blob[4:] not in detail


async def test_implicit_tls_sends(smtp_server, server_tls, certificate, make_batch):
    server = smtp_server(tls=server_tls)
    config = server.config(security=Security.tls, cert_bundle=str(certificate[0]))

    deliveries = await SmtpTransport(config).deliver(make_batch(2))

    assert outcomes(deliveries)[Outcome.sent] == 2


async def test_an_untrusted_certificate_is_not_sent_to(smtp_server, server_tls, make_batch, sleeps):
    server = smtp_server(starttls=server_tls)
    config = server.config(security=Security.starttls, max_attempts=2)

    deliveries = await SmtpTransport(config, sleep=sleeps).deliver(make_batch(2))

    assert outcomes(deliveries)[Outcome.temporary] == 2
    assert server.handler.received == []


async def test_an_empty_batch_opens_no_connection(smtp_server):
    server = smtp_server()

    assert await SmtpTransport(server.config()).deliver([]) == []
    assert server.handler.connections == 0
