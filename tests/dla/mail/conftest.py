"""A real SMTP server on loopback (aiosmtpd) whose answers each test can script."""

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dla.clock import FixedClock
from dla.mail.base import CalendarEvent, Notice, Outgoing
from dla.mail.config import Security, SmtpConfig
from dla.mail.message import build_outgoing
from dla.mail.render import MailRenderer
from tests.ports import free_port

SENDER = "DLA de l'Isère <rappels@dla-isere.example.org>"
LOGIN, PASSWORD = "rappels", "s3cr3t-Mot-de-passe"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class ScriptedHandler:
    """Accept mail, unless told to refuse a recipient, fail first tries, or drop the line."""

    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> reply, e.g. "550 …"
    fail_first: list[str] = field(default_factory=list)  # replies to the first DATA commands
    drop_at: set[int] = field(default_factory=set)  # DATA attempt numbers that cut the line
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    data_attempts: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_attempts += 1
        if self.data_attempts in self.drop_at:
            server.transport.abort()  # as a crashed server would: no reply at all
            return "421 coupé"
        if self.fail_first:
            return self.fail_first.pop(0)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return f"250 2.0.0 Ok: queued as {self.data_attempts}"


class CountingSMTP(SMTP):
    def connection_made(self, transport):
        if self._original_transport is None:  # not the STARTTLS upgrade of a counted one
            self.event_handler.connections += 1
        super().connection_made(transport)


class ScriptedController(Controller):
    def factory(self):
        return CountingSMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class Server:
    handler: ScriptedHandler
    port: int

    def config(self, **overrides) -> SmtpConfig:
        values = dict(
            host="127.0.0.1",
            port=self.port,
            security=Security.none,
            local_hostname="localhost",
            timeout=5,
            max_attempts=3,
            backoff=1.0,
        )
        return SmtpConfig(**(values | overrides))


def check_credentials(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == LOGIN.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator:
    """Start servers on loopback: `smtp_server(tls=…, starttls=…, auth=…)`; stopped after."""
    controllers = []

    def start(
        *,
        starttls: ssl.SSLContext | None = None,
        tls: ssl.SSLContext | None = None,
        auth: bool = False,
        authenticator=check_credentials,
    ) -> Server:
        handler = ScriptedHandler()
        kwargs = {}
        if starttls:
            kwargs.update(tls_context=starttls, require_starttls=True)
        if auth:
            kwargs.update(authenticator=authenticator, auth_required=True)
        port = free_port()
        controller = ScriptedController(
            handler,
            hostname="127.0.0.1",
            port=port,
            server_hostname="localhost",
            ssl_context=tls,
            **kwargs,
        )
        controller.start()
        controllers.append(controller)
        handler.connections = 0  # the controller's own readiness probe is not a client
        return Server(handler, port)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port where nothing listens: connections are refused."""
    return free_port()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (cert.pem, key.pem)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def server_tls(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


class Sleeps:
    """The backoff's clock: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(scope="session")
def renderer() -> MailRenderer:
    return MailRenderer()


@pytest.fixture
def make_notice():
    """Build a notice for the generic `test` template; keyword arguments override fields."""

    def make(n: int = 1, **overrides) -> Notice:
        values = dict(
            key=f"step_due:DLA38-2024-01:note-diagnostic:{n}:presidence{n}@aci-un.example.org",
            template="test",
            reference="DLA38-2024-01",
            subject="Échéance proche : note de diagnostic",
            to=f"presidence{n}@aci-un.example.org",
            to_name="Élise Martin",
            context={"step": "Note de diagnostic", "due": date(2024, 2, 5)},
            events=(),
        )
        return Notice(**(values | overrides))

    return make


@pytest.fixture
def make_batch(make_notice, renderer):
    """Build `count` outgoing messages, addressed to presidence1@… presidence<count>@…"""

    def make(count: int) -> list[Outgoing]:
        clock = FixedClock.on(date(2024, 1, 29))
        return [
            build_outgoing(make_notice(n), sender=SENDER, renderer=renderer, clock=clock)
            for n in range(1, count + 1)
        ]

    return make


@pytest.fixture
def period() -> CalendarEvent:
    return CalendarEvent(
        uid="period:DLA38-2024-01:appropriation",
        summary="Période d'appropriation",
        start=date(2024, 3, 1),
        end=date(2024, 3, 31),
        description="Temps laissé aux conseils d'administration pour s'approprier le projet.",
    )
