"""Sweep decision: claim what is due and re-check each case's state, against the bare claim.

The decision is what the sweep does before building any message: `claim` batch after batch,
and `recheck` of each batch against the cases' state (what the flow's "envoyer le lot" task
does first). The bare claim is the same batches' UPDATE … RETURNING in bare SQL, each
committed: the write the decision cannot skip, its floor.
"""

from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session

from benchmarks.bulk import _sqlite_instant
from benchmarks.measure import side_by_side
from dla.outbox.check import recheck
from dla.outbox.claim import claim
from models import Notification
from models.enums import NotificationStatus

T = Notification.__table__
BATCH = 200  # the sweep flow's default batch ("lot")


def decide(engine: Engine, now: datetime, limit: int = BATCH) -> dict[str, int]:
    """Claim every due row batch by batch and re-check it; return kept and cancelled counts."""
    kept = cancelled = 0
    while rows := claim(engine, now=now, limit=limit):
        with Session(engine) as session:
            keep, cancel = recheck(rows, session=session, today=now.date())
        kept, cancelled = kept + len(keep), cancelled + len(cancel)
    return {"kept": kept, "cancelled": cancelled}


def count_due(engine: Engine, now: datetime) -> int:
    """Count the due rows with one bare SQL query."""
    sqlite = engine.dialect.name == "sqlite"
    sql = "SELECT count(*) FROM notification WHERE status = 'planned' AND due_at <= {p}".format(
        p="?" if sqlite else "%s"
    )
    with engine.connect() as conn:
        return conn.exec_driver_sql(sql, ((_sqlite_instant(now) if sqlite else now),)).scalar()


CLAIM_SQL = (
    "UPDATE notification SET status = 'claimed', claimed_at = {p}, attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM notification WHERE status = 'planned' AND due_at <= {p} "
    "ORDER BY due_at, id LIMIT {limit}{lock}) "
    "RETURNING id, key, case_id, rule, recipient, attempts, payload, last_error"
)


def bare_claim(engine: Engine, now: datetime, limit: int = BATCH) -> int:
    """Claim the due rows with the same batches in bare SQL, one commit each (no Python work)."""
    sqlite = engine.dialect.name == "sqlite"
    sql = CLAIM_SQL.format(
        p="?" if sqlite else "%s", limit=limit, lock="" if sqlite else " FOR UPDATE SKIP LOCKED"
    )
    instant = _sqlite_instant(now) if sqlite else now
    claimed = 0
    with engine.connect() as conn:
        while True:
            rows = conn.exec_driver_sql(sql, (instant, instant)).fetchall()
            conn.commit()
            if not rows:
                return claimed
            claimed += len(rows)


def unclaim(engine: Engine) -> None:
    """Put the rows a decision claimed back as they were (between timed runs)."""
    with engine.begin() as conn:
        conn.execute(
            update(T)
            .where(T.c.status == NotificationStatus.claimed)
            .values(
                status=NotificationStatus.planned,
                claimed_at=None,
                not_before=None,  # the claim's lease end
                attempts=T.c.attempts - 1,
            )
        )


def run(engine: Engine, now: datetime, *, runs: int) -> dict:
    """Measure the decision and the bare claim side by side; return the figures."""
    counts = decide(engine, now)
    unclaim(engine)
    due = count_due(engine, now)
    assert bare_claim(engine, now) == due, "the bare claim must take the same rows"
    unclaim(engine)
    timings = side_by_side(
        {
            "decision": lambda: decide(engine, now),
            "claim": lambda: bare_claim(engine, now),
        },
        runs=runs,
        reset=lambda: unclaim(engine),
    )
    return {"due": due, **counts, "timings": timings}
