"""The contract between the outbox (what to send) and the mail layer (how to send it)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from enum import StrEnum
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
class Outgoing:
    """A built message ready for a transport."""

    key: str
    message: EmailMessage


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
