"""The contract between the outbox (what to send) and the mail layer (how to send it)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from enum import StrEnum
from functools import cached_property
from typing import Protocol


@dataclass(frozen=True)
class CalendarEvent:
    """An all-day event attached as .ics (a period, a follow-up meeting)."""

    uid: str
    summary: str
    start: date
    end: date  # inclusive last day
    description: str = ""


@dataclass(frozen=True)
class Notice:
    """Everything needed to build one message; `template` names templates/mail/<template>.*."""

    key: str  # the notification's idempotency key; the Message-ID derives from it
    template: str
    reference: str  # case reference: the subject starts with it
    subject: str  # without the reference prefix
    to: str
    to_name: str | None
    context: dict = field(default_factory=dict)
    events: tuple[CalendarEvent, ...] = ()


@dataclass(frozen=True)
class Wire:
    """A message already serialised: 7-bit bytes with CRLF line ends, and its SMTP envelope."""

    data: bytes
    sender: str
    recipients: tuple[str, ...]
    message_id: str


@dataclass(frozen=True)
class Outgoing:
    """A built message ready for a transport: its bytes (`Wire`) or an `EmailMessage`."""

    key: str
    content: EmailMessage | Wire

    @cached_property
    def message(self) -> EmailMessage:
        """Return the message as an `EmailMessage` (parsed from its bytes when needed)."""
        if isinstance(self.content, Wire):
            return message_from_bytes(self.content.data, policy=policy.default)
        return self.content

    @property
    def message_id(self) -> str | None:
        """Return the Message-ID, without parsing the bytes."""
        if isinstance(self.content, Wire):
            return self.content.message_id
        return self.content.get("Message-ID")


class Outcome(StrEnum):
    sent = "sent"
    temporary = "temporary"  # stays due: retried by a later sweep
    permanent = "permanent"  # marked failed with the server's reason


@dataclass(frozen=True)
class Delivery:
    key: str
    outcome: Outcome
    detail: str | None = None  # server reply or error, never credentials


class Transport(Protocol):
    """Deliver a batch; one result per message, in any order; never raises for one message."""

    async def deliver(self, batch: Sequence[Outgoing]) -> list[Delivery]: ...
