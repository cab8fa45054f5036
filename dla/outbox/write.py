"""Write a pass's candidates as outbox rows: the window's new keys, the warranted confirmed."""

from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from dla.db import insert_ignore
from dla.frenchtext import fr_date, label
from dla.outbox.candidates import Candidate, latest_only
from dla.outbox.plan_result import PlanResult
from dla.outbox.rules import at_hour
from dla.outbox.state import LOOKBACK
from dla.outbox.store import to_json
from dla.outbox.validity import FOREVER
from models import Notification, TimelineEvent
from models.enums import NotificationStatus, Rule

T = Notification.__table__


def write(
    cands: list[Candidate],
    *,
    session: Session,
    today: date,
    horizon: timedelta,
    now: datetime | None = None,
    revisions: dict[int, int] | None = None,
) -> PlanResult:
    """Insert the candidates sent within the window; existing keys are left untouched.

    With the case `revisions` the states were read at, the rows found warranted are also
    marked confirmed today: the sweep sends those without rebuilding the case's state.
    """
    # A reminder of the window is only ever replaced by a later one of its series already
    # due, itself in the window: the window alone decides which are the latest.
    window = [c for c in cands if today - LOOKBACK <= c.send_on <= today + horizon]
    window, _ = latest_only(window, today)
    if any(c.bare for c in window):
        raise RuntimeError("a reminder of the window was made without its context")
    by_key = {c.key: c for c in window}
    # Most of a day's window was written on the days before: only the new keys are built.
    known = known_rows(list(by_key), session=session, today=today)
    rows = [_row(c) for key, c in by_key.items() if key not in known]
    inserted = insert_ignore(session, Notification, rows, ["key"], returning="key")
    now = now or at_hour(today, 8)
    held = [k for k in inserted if by_key[k].held]
    events = [
        {
            "case_id": by_key[k].case_id,
            "at": now,
            "kind": "notification.held",
            "actor": "relances",
            "summary": _held_summary(by_key[k]),
            "data": {"notification": k, **by_key[k].held},
            "key": f"notification:{k}:held"[:300],
        }
        for k in held
    ]
    insert_ignore(session, TimelineEvent, events, ["case_id", "key"])
    if revisions is not None:
        # A row already confirmed at the case's revision up to the same day stays as it is.
        stale = [
            c for c in window if known.get(c.key) != (revisions.get(c.case_id), c.until or FOREVER)
        ]
        confirm(stale, session=session, today=today, revisions=revisions)
    cancelled = [k for k in inserted if by_key[k].cancelled]
    return PlanResult(inserted, held, cancelled)


def known_rows(keys: list[str], *, session: Session, today: date) -> dict[str, tuple | None]:
    """Return the keys already in the outbox, with (revision, last day) of a planned row's check.

    Only a check made by today counts (a replay started again may find later ones).
    """
    known: dict[str, tuple | None] = {}
    columns = (T.c.key, T.c.status, T.c.checked_on, T.c.checked_revision, T.c.checked_until)
    for start in range(0, len(keys), 1000):
        for key, status, on, revision, until in session.connection().execute(
            select(*columns).where(col(T.c.key).in_(keys[start : start + 1000]))
        ):
            checked = status == NotificationStatus.planned and on is not None and on <= today
            known[key] = (revision, until) if checked else None
    return known


def confirm(
    cands: list[Candidate], *, session: Session, today: date, revisions: dict[int, int]
) -> None:
    """Mark the planned rows of these warranted candidates as confirmed, in one batch.

    Each is confirmed today and up to its last warranted day (`Candidate.until`).
    """
    marks = [
        {"b_key": c.key, "b_revision": revisions[c.case_id], "b_until": c.until or FOREVER}
        for c in cands
        if c.cancelled is None and c.case_id in revisions
    ]
    if marks:
        session.connection().execute(
            update(T)
            .where(T.c.key == bindparam("b_key"), T.c.status == NotificationStatus.planned)
            .values(
                checked_on=today,
                checked_revision=bindparam("b_revision"),
                checked_until=bindparam("b_until"),
            ),
            marks,
        )


def _row(c: Candidate) -> dict:
    return {
        "key": c.key,
        "case_id": c.case_id,
        "rule": c.rule.value,
        "recipient": c.recipient.email,
        "due_at": at_hour(c.send_on, c.hour),
        "status": NotificationStatus.cancelled if c.cancelled else NotificationStatus.planned,
        "attempts": 0,
        "last_error": c.cancelled,
        "payload": to_json(
            {
                "target": c.target,
                "occurrence": c.occurrence,
                "send_on": c.original_on,
                "subject": c.subject,
                "to_name": c.recipient.name,
                "context": c.context,
                "events": c.events,
                "held": c.held,
            }
        ),
    }


def _held_summary(c: Candidate) -> str:
    what = f"Relance « {label(c.rule, Rule)} » à {c.recipient.email} ({c.context['title']})"
    if c.cancelled:
        return f"{what} {c.cancelled}"
    held = c.held or {}
    return (
        f"{what} suspendue pendant la {label(held['kind'])} du "
        f"{fr_date(date.fromisoformat(held['start_on']))} au "
        f"{fr_date(date.fromisoformat(held['end_on']))} : reportée au {fr_date(c.send_on)}"
    )
