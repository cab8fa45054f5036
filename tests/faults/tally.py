"""Count what a fault did to the messages: expected, delivered, duplicates, lost, misrecorded."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from dla.mail.message import message_id
from models import Notification
from models.enums import NotificationStatus

DOMAIN = "dla.example.org"  # of the default sender: Message-IDs derive from it and the key


@dataclass
class Figures:
    expected: int  # rows due by the end: each one must reach the server exactly once
    delivered: int  # distinct Message-IDs the server received
    received: int  # everything the server received, duplicates included
    duplicates: int
    lost: list[str]  # keys recorded sent the server never had, or left due and unsent
    misrecorded: list[str]  # keys the server had whose row says cancelled or failed

    def ledger(self) -> dict:
        """The keyword arguments of `LEDGER.tried`."""
        return {
            "expected": self.expected,
            "delivered": self.delivered,
            "messages": self.received,
            "duplicates": self.duplicates,
            "lost": len(self.lost),
        }


def backend(engine: Engine) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[engine.dialect.name]


def figures(engine: Engine, received: Counter, *, until: datetime) -> Figures:
    """Compare the outbox with what the server received, once every sender has finished."""
    with Session(engine) as session:
        rows = list(session.exec(select(Notification)))
    ids = {r.key: message_id(r.key, DOMAIN) for r in rows}
    key_of = {mid: k for k, mid in ids.items()}
    sent = {r.key for r in rows if r.status is NotificationStatus.sent}
    pending = {
        r.key
        for r in rows
        if r.status in (NotificationStatus.planned, NotificationStatus.claimed)
        and r.due_at <= until
    }
    lost = sorted(k for k in sent if received[ids[k]] == 0) + sorted(pending)
    misrecorded = sorted(key_of.get(mid, mid) for mid in received if key_of.get(mid) not in sent)
    return Figures(
        expected=len(sent | pending),
        delivered=len(received),
        received=sum(received.values()),
        duplicates=sum(n - 1 for n in received.values()),
        lost=lost,
        misrecorded=misrecorded,
    )
