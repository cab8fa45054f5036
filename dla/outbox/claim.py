"""Claim due outbox rows before sending, so that no two sweeps ever send the same key.

PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED then UPDATE in one transaction (concurrent sweeps
take disjoint rows). SQLite: one UPDATE … WHERE id IN (SELECT …) RETURNING; SQLite takes the
write lock at the start of the statement, so two sweeps are serialised and the second one no
longer sees the rows as due. Each claim adds one to `attempts`, which then fences the outcome:
a sweep only records an outcome on a row still claimed with the attempt number it claimed.

Two clocks: `now`, the simulated instant (`--today`, a replay's day), only decides which rows
are due (`due_at <= now`) and is what the case's history shows (`claimed_at`); `wall`, the real
time, protects the deliveries: a claim holds its row until `not_before = wall + lease`, and a
retry is not taken before its backoff has passed in real time. Two sweeps simulating different
days therefore never take each other's rows in flight.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import Engine, Text, and_, bindparam, cast, func, or_, select, update

from models import Case, Notification
from models.enums import NotificationStatus
from models.types import PARIS

# A claim older than this (real time) is taken to come from a sweep that died: the row becomes
# due again.
# It must outlast the slowest batch (SMTP retries included), or a live sweep could lose rows
# it is still sending to another sweep.
LEASE = timedelta(hours=1)
T = Notification.__table__
CASES = Case.__table__


@dataclass(frozen=True)
class Claimed:
    """A row this sweep holds: send it, then record the outcome with its attempt number."""

    id: int
    key: str
    case_id: int
    rule: str
    recipient: str
    attempts: int
    payload_json: str | None  # parsed on first use: a confirmed row is decided without it
    reclaimed: bool  # the previous claim went stale: a crash may have sent it already
    # Confirmed by today's planning pass at the case's current revision: the re-check can
    # trust it without rebuilding the case.
    fresh: bool = False

    @cached_property
    def payload(self) -> dict:
        """Return the stored payload (what the message is built from)."""
        return json.loads(self.payload_json) if self.payload_json else {}


INTERRUPTED = "envoi interrompu (lease expiré) : renvoi avec le même Message-ID"


def _fresh():
    """Say, in SQL, whether a row is confirmed for today and its case has not changed since.

    A planning pass confirms a row up to the last day the rules warrant it while the case
    stands (`checked_until`; rows confirmed before that column: their day only). A change to
    a recipient (single reminders given up, contact forgotten) moves the revision of every
    case they belong to (models/revision.py), so the revision covers people too.
    """
    case = CASES.alias("revised")
    revision = select(case.c.revision).where(case.c.id == T.c.case_id).scalar_subquery()
    today = bindparam("today")
    return and_(
        T.c.checked_on <= today,
        func.coalesce(T.c.checked_until, T.c.checked_on) >= today,
        T.c.checked_revision == revision,
    )


# Built once (the sweep claims batch after batch); the values come as parameters.
_DUE = and_(
    T.c.status == NotificationStatus.planned,
    T.c.due_at <= bindparam("now"),
    # A retry waits for its backoff in real time, whatever day is simulated; one that became
    # due again after the sweep started waits for the next sweep (a sweep never spins on it).
    or_(T.c.not_before.is_(None), T.c.not_before < bindparam("ready")),
)
_PICK = select(T.c.id).where(_DUE).order_by(T.c.due_at, T.c.id).limit(bindparam("limit"))
_RECOVER = (
    update(T)
    .where(
        T.c.status == NotificationStatus.claimed,
        # A claim without a lease end predates the column (migration 0004): long expired.
        or_(T.c.not_before.is_(None), T.c.not_before < bindparam("wall")),
    )
    .values(status=NotificationStatus.planned, last_error=INTERRUPTED, not_before=None)
)


def _take(target):
    return (
        update(T)
        .where(target, _DUE)
        .values(
            status=NotificationStatus.claimed,
            claimed_at=bindparam("now"),
            not_before=bindparam("lease_end"),
            attempts=T.c.attempts + 1,
        )
        .returning(
            T.c.id,
            T.c.key,
            T.c.case_id,
            T.c.rule,
            T.c.recipient,
            T.c.attempts,
            cast(T.c.payload, Text),  # left as text: parsed only when the message is built
            T.c.last_error,
            _fresh(),
        )
    )


_TAKE_PICKED = _take(T.c.id.in_(_PICK.scalar_subquery()))
_TAKE_IDS = _take(T.c.id.in_(bindparam("ids", expanding=True)))


def claim(
    engine: Engine,
    *,
    now: datetime,
    limit: int,
    lease: timedelta = LEASE,
    wall: datetime | None = None,
    started: datetime | None = None,
) -> list[Claimed]:
    """Claim up to `limit` rows due by `now` (simulated), oldest due first, in one transaction.

    `wall` is the real time (the system's when not given): the lease runs from it, and a
    retry is taken once its backoff ended before `started` (the sweep's start, else `wall`).
    Only writes happen in the transaction (no read first): on SQLite a read then a write
    could fail with a busy snapshot instead of waiting for the other sweep's lock.
    """
    wall = wall or datetime.now(PARIS)
    params = {
        "now": now,
        "today": now.date(),
        "ready": started or wall,
        "lease_end": wall + lease,
        "limit": limit,
    }
    with engine.begin() as conn:
        conn.execute(_RECOVER, {"wall": wall})
        if engine.dialect.name == "postgresql":
            ids = list(conn.execute(_PICK.with_for_update(skip_locked=True), params).scalars())
            if not ids:
                return []
            rows = conn.execute(_TAKE_IDS, {**params, "ids": ids}).all()
        else:
            rows = conn.execute(_TAKE_PICKED, params).all()
    claimed = [
        Claimed(i, key, case, rule, to, n, payload, error == INTERRUPTED, bool(fresh))
        for i, key, case, rule, to, n, payload, error, fresh in rows
    ]
    return sorted(claimed, key=lambda c: c.id)
