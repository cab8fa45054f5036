"""Record a batch's outcomes: a few bulk statements, each fenced by the claim's attempt number."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, update
from sqlmodel import Session

from dla.db import insert_ignore
from dla.outbox.claim import Claimed
from models import Notification, TimelineEvent
from models.enums import NotificationStatus, Rule
from models.labels import label
from models.types import PARIS, AwareDateTime

T = Notification.__table__
BACKOFF_FIRST = timedelta(minutes=10)
BACKOFF_MAX = timedelta(hours=6)


@dataclass
class Verdict:
    """What became of one claimed row: sent, retry, failed or cancelled."""

    row: Claimed
    status: str
    detail: str | None = None
    message_id: str | None = None


@dataclass
class BatchOutcome:
    verdicts: list[Verdict] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for v in self.verdicts if v.status == status)


def retry_at(wall: datetime, attempts: int, first: timedelta = BACKOFF_FIRST) -> datetime:
    """Back off exponentially in real time after each temporary failure: 10 min, 20 min… 6 h."""
    return wall + min(first * 2 ** max(attempts - 1, 0), max(BACKOFF_MAX, first))


def timeline_key(key: str, suffix: str = "") -> str:
    """Key a timeline event on the notification key (hashed when too long)."""
    full = f"notification:{key}{suffix}"
    return (
        full if len(full) <= 300 else full[:230] + "#" + hashlib.sha256(full.encode()).hexdigest()
    )


def record_verdicts(
    engine: Engine,
    verdicts: list[Verdict],
    *,
    now: datetime,
    wall: datetime | None = None,
    backoff: timedelta = BACKOFF_FIRST,
) -> int:
    """Write every verdict and its timeline event in one transaction; return rows updated.

    `now` (simulated) dates what the case's history shows; a retry waits for its backoff in
    real time from `wall` (the system's when not given), and stays due on its simulated day:
    a pass on the same day retries it once the backoff has passed.
    """
    wall = wall or datetime.now(PARIS)
    values = {
        "sent": {"status": NotificationStatus.sent},
        "retry": {"status": NotificationStatus.planned},
        "failed": {"status": NotificationStatus.failed},
        "cancelled": {"status": NotificationStatus.cancelled},
    }
    params = [
        {
            "b_id": v.row.id,
            "b_attempts": v.row.attempts,
            "b_status": values[v.status]["status"],
            "b_error": None if v.status == "sent" else (v.detail or "")[:1000],
            "b_sent": now if v.status == "sent" else None,
            "b_mid": v.message_id,
            "b_not_before": (
                retry_at(wall, v.row.attempts, backoff) if v.status == "retry" else None
            ),
        }
        for v in verdicts
    ]
    updated = 0
    with Session(engine) as session, session.begin():
        if params:
            stmt = (
                update(T)
                .where(
                    T.c.id == bindparam("b_id"),
                    T.c.attempts == bindparam("b_attempts"),
                    T.c.status == NotificationStatus.claimed,
                )
                .values(
                    status=bindparam("b_status", type_=T.c.status.type),
                    last_error=bindparam("b_error"),
                    sent_at=bindparam("b_sent", type_=AwareDateTime()),
                    message_id=bindparam("b_mid"),
                    # A retry keeps its due date and waits for its backoff (real time).
                    not_before=bindparam("b_not_before", type_=AwareDateTime()),
                )
            )
            result = session.connection().execute(stmt, params)
            updated = result.rowcount
        insert_ignore(session, TimelineEvent, _events(verdicts, now), ["case_id", "key"])
    return updated


def _events(verdicts: list[Verdict], now: datetime) -> list[dict]:
    events = []
    for v in verdicts:
        if v.row.rule == "resume_hebdo" or v.status == "retry":
            continue
        what = f"« {label(v.row.rule, Rule)} » à {v.row.recipient}"
        subject = v.row.payload.get("subject", "")
        if v.row.reclaimed:
            # The sweep that claimed it before died: the server may have it twice (same id).
            what += " (renvoi après une interruption, même Message-ID)"
        kind, summary, suffix = {
            "sent": ("notification.sent", f"Relance envoyée {what} : {subject}", ""),
            "failed": ("notification.failed", f"Relance en échec {what} : {v.detail}", ":failed"),
            "cancelled": (
                "notification.cancelled",
                f"Relance annulée {what} : {v.detail}",
                ":cancelled",
            ),
        }[v.status]
        events.append(
            {
                "case_id": v.row.case_id,
                "at": now,
                "kind": kind,
                "actor": "relances",
                "summary": summary[:2000],
                "data": {"notification": v.row.key, "message_id": v.message_id},
                "key": timeline_key(v.row.key, suffix),
            }
        )
    return events
