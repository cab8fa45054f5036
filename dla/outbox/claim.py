"""Claim due outbox rows before sending, so that no two sweeps ever send the same key.

PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED then UPDATE in one transaction (concurrent sweeps
take disjoint rows). SQLite: one UPDATE … WHERE id IN (SELECT …) RETURNING; SQLite takes the
write lock at the start of the statement, so two sweeps are serialised and the second one no
longer sees the rows as due. Each claim adds one to `attempts`, which then fences the outcome:
a sweep only records an outcome on a row still claimed with the attempt number it claimed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, select, update

from models import Notification
from models.enums import NotificationStatus

# A claim older than this is taken to come from a sweep that died: the row becomes due again.
# It must outlast the slowest batch (SMTP retries included), or a live sweep could lose rows
# it is still sending to another sweep.
LEASE = timedelta(hours=1)
T = Notification.__table__


@dataclass(frozen=True)
class Claimed:
    """A row this sweep holds: send it, then record the outcome with its attempt number."""

    id: int
    key: str
    case_id: int
    rule: str
    recipient: str
    attempts: int
    payload: dict
    reclaimed: bool  # the previous claim went stale: a crash may have sent it already


INTERRUPTED = "envoi interrompu (lease expiré) : renvoi avec le même Message-ID"


def claim(engine: Engine, *, now: datetime, limit: int, lease: timedelta = LEASE) -> list[Claimed]:
    """Claim up to `limit` due rows, oldest due first, in one short transaction.

    Only writes happen in it (no read first): on SQLite a read then a write could fail
    with a busy snapshot instead of waiting for the other sweep's lock.
    """
    due = and_(T.c.status == NotificationStatus.planned, T.c.due_at <= now)
    pick = select(T.c.id).where(due).order_by(T.c.due_at, T.c.id).limit(limit)
    with engine.begin() as conn:
        conn.execute(
            update(T)
            .where(T.c.status == NotificationStatus.claimed, T.c.claimed_at < now - lease)
            .values(status=NotificationStatus.planned, last_error=INTERRUPTED)
        )
        if engine.dialect.name == "postgresql":
            ids = list(conn.execute(pick.with_for_update(skip_locked=True)).scalars())
            if not ids:
                return []
            target = T.c.id.in_(ids)
        else:
            target = T.c.id.in_(pick.scalar_subquery())
        rows = conn.execute(
            update(T)
            .where(target, due)
            .values(status=NotificationStatus.claimed, claimed_at=now, attempts=T.c.attempts + 1)
            .returning(
                T.c.id,
                T.c.key,
                T.c.case_id,
                T.c.rule,
                T.c.recipient,
                T.c.attempts,
                T.c.payload,
                T.c.last_error,
            )
        ).all()
    claimed = [
        Claimed(
            r.id,
            r.key,
            r.case_id,
            r.rule,
            r.recipient,
            r.attempts,
            r.payload or {},
            r.last_error == INTERRUPTED,
        )
        for r in rows
    ]
    return sorted(claimed, key=lambda c: c.id)
