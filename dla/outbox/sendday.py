"""What a message says as of its sending day: its reminder number, the lateness, the day itself.

The rules plan each series of reminders (one subject, a step's deadline or a gate's decision,
to one person) from the case's dates, whatever was sent before: a case loaded months into its
life has planned reminders that nobody received. The number a recipient reads therefore counts
the messages of the series actually delivered to them (status `sent`), plus this one: the first
message someone ever gets about a subject carries no number. It is read for a whole batch in
one query, when the batch is built; a row sent again after a crash is not `sent` itself, so it
reads the same number again (same Message-ID, same words).
"""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from dla.calendar import calendar_for
from models import Case, Notification
from models.enums import NotificationStatus

NUMBERED = ("echeance_depassee", "validation_attendue")
T = Notification.__table__
CASES = Case.__table__


def series(rule: str, target: str | None, recipient: str) -> tuple[str, str, str]:
    """Name a series of reminders as the rules do: rule, target, recipient."""
    return (rule, target or "", recipient.lower())


def delivered_counts(rows: Iterable, *, session: Session) -> dict[tuple[str, str, str], int]:
    """Count the messages delivered in the series of the numbered rows, in one query."""
    numbered = [r for r in rows if r.rule in NUMBERED]
    if not numbered:
        return {}
    cases = sorted({r.case_id for r in numbered})
    # The batch's recipients only: each case's other series are left unread (and unparsed).
    recipients = sorted({r.recipient.lower() for r in numbered})
    target = T.c.payload["target"].as_string()
    # Grouped by status rather than filtered on it: a condition on the status led SQLite (no
    # statistics) to the status index, every row ever sent, instead of the batch's cases.
    query = (
        select(T.c.rule, target, T.c.recipient, T.c.status, func.count())
        .where(
            T.c.case_id.in_(cases),
            T.c.rule.in_(NUMBERED),
            func.lower(T.c.recipient).in_(recipients),
        )
        .group_by(T.c.rule, target, T.c.recipient, T.c.status)
    )
    counts: dict[tuple[str, str, str], int] = {}
    for rule, tgt, recipient, status, n in session.connection().execute(query):
        if status == NotificationStatus.sent:
            name = series(rule, tgt, recipient)
            counts[name] = counts.get(name, 0) + n
    return counts


def sending_context(rows: list, *, session: Session, today: date) -> dict[str, dict]:
    """Return, by notification key, what its message says as of `today` (its sending day).

    `today` for every message; `reminder` (1 for the first one delivered) for the numbered
    rules; the working days late, or left before the deadline, counted on the sending day
    (a reminder may leave after its planned day: a missed sweep, a retry).
    """
    rows = list(rows)
    counts = delivered_counts(rows, session=session)
    dated = sorted({r.case_id for r in rows if r.rule in ("echeance_proche", "echeance_depassee")})
    departements = {}
    if dated:
        query = select(CASES.c.id, CASES.c.departement).where(CASES.c.id.in_(dated))
        departements = {i: d for i, d in session.connection().execute(query)}
    out = {}
    for r in rows:
        extra: dict = {"today": today}
        if r.rule in NUMBERED:
            extra["reminder"] = (
                counts.get(series(r.rule, r.payload.get("target"), r.recipient), 0) + 1
            )
        due = r.payload.get("context", {}).get("due_on")
        if r.case_id in departements and due:
            cal = calendar_for(departements[r.case_id])
            due = due if isinstance(due, date) else date.fromisoformat(due)
            if r.rule == "echeance_depassee":
                extra["working_days_late"] = max(cal.working_days_between(due, today), 1)
            else:
                extra["days_before"] = cal.working_days_between(today, due)
        out[r.key] = extra
    return out
