"""How to reach an SMTP server: plain values, the password masked until login."""

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import SecretStr


class Security(StrEnum):
    none = "none"  # plain text: loopback and test servers only
    starttls = "starttls"
    tls = "tls"  # implicit TLS (SMTPS, usually port 465)


DEFAULT_PORTS = {Security.none: 25, Security.starttls: 587, Security.tls: 465}
# Connections a batch is sent over. A relay answers each command after a network round trip
# (aiosmtplib waits for each reply: four per message), so one connection carries about a dozen
# messages a second from a relay 20 ms away; eight send a day's reminders over 8× faster than
# one connection per message (BENCHMARKS.md). Lower it for a provider that caps connections.
CONNECTIONS = 8


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to connect; the password stays a SecretStr until login."""

    host: str
    port: int | None = None
    security: Security = Security.starttls
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    concurrency: int = 1  # connections opened per batch
    timeout: float = 30.0
    max_attempts: int = 4  # per message, first try included
    backoff: float = 2.0  # seconds before the second try, doubled each time
    backoff_max: float = 60.0
    cert_bundle: str | None = None  # CA file for a private or self-signed server certificate
    local_hostname: str | None = None  # EHLO name; None lets aiosmtplib use the FQDN

    def __post_init__(self) -> None:
        # Accept a plain string but keep it masked from then on (repr, logs, tracebacks).
        if isinstance(self.password, str):
            object.__setattr__(self, "password", SecretStr(self.password))
        object.__setattr__(self, "security", Security(self.security))

    @property
    def resolved_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]
