"""Write the notifications the rules ask for as outbox rows; planning twice adds nothing."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, bindparam, update
from sqlmodel import Session, col, select

from dla.batch import collector_paused
from dla.clock import Clock
from dla.db import insert_ignore, transaction
from dla.frenchtext import fr_date, label
from dla.outbox.candidates import Candidate, case_candidates, latest_only
from dla.outbox.caseplans import record_plans, stale_case_ids
from dla.outbox.digest import digest_candidates
from dla.outbox.rules import at_hour
from dla.outbox.state import LOOKBACK, CaseState, load_states
from dla.outbox.store import to_json
from dla.outbox.validity import FOREVER, CaseDates, case_dates, split_steps, supersede
from models import Case, Notification, TimelineEvent
from models.enums import ENDED, NotificationStatus, Rule

DEFAULT_HORIZON = timedelta(days=1)
CHUNK = 500  # cases planned together
T = Notification.__table__


@dataclass
class PlanResult:
    """What one planning pass wrote: new rows (planned, held, cancelled), and cases planned."""

    inserted: list[str]
    held: list[str]
    cancelled: list[str]
    planned_cases: int = 0  # cases whose rules ran (an incremental pass skips the others)

    def __iadd__(self, other: "PlanResult") -> "PlanResult":
        self.inserted += other.inserted
        self.held += other.held
        self.cancelled += other.cancelled
        self.planned_cases += other.planned_cases
        return self


def plan_case(
    case_id: int,
    *,
    session: Session,
    today: date,
    horizon: timedelta = DEFAULT_HORIZON,
    now: datetime | None = None,
    prefect_ui_url: str | None = None,
) -> PlanResult:
    """Plan one case's notifications due by `today + horizon` (call it when a stage opens)."""
    states = load_states(session=session, today=today, horizon=horizon, case_ids=[case_id])
    cands, dates = plan_states(states, today, today + horizon)
    if prefect_ui_url:
        for c in cands:
            if "prefect_ui_url" in c.context:
                c.context["prefect_ui_url"] = prefect_ui_url
    revisions = {i: s.revision for i, s in states.items()}
    result = write(
        cands, session=session, today=today, horizon=horizon, now=now, revisions=revisions
    )
    record_plans(dates, session=session)
    result.planned_cases = len(states)
    return result


def plan_due_window(
    *,
    session: Session,
    today: date,
    horizon: timedelta = DEFAULT_HORIZON,
    now: datetime | None = None,
    digests: bool = True,
    incremental: bool = False,
) -> PlanResult:
    """Plan every open case's notifications and the weekly digests, a chunk of cases at a time.

    A handful of queries per chunk; memory follows the chunk, not the portfolio (a national
    installation plans 10,000 cases). Reminder series never span cases, so each chunk is
    planned on its own; the digests, which gather a coordinator's cases, keep only the light
    part of each state. `incremental` plans only the cases whose plan may have changed since
    their last one (dla/outbox/validity.py): the others' rows are already written and
    confirmed; the digests, which read every case, are then left out.
    """
    if incremental and digests:
        raise ValueError("an incremental pass plans no digest (they read every case)")
    with collector_paused():
        return _plan_window(session, today, horizon, now, digests, incremental)


def _plan_window(session, today, horizon, now, digests, incremental) -> PlanResult:
    if incremental:
        ids = stale_case_ids(session=session, today=today, horizon=horizon)
    else:
        ids = open_case_ids(session=session)
    result, light = PlanResult([], [], []), {}
    for start in range(0, len(ids), CHUNK):
        states = load_states(
            session=session, today=today, horizon=horizon, case_ids=ids[start : start + CHUNK]
        )
        cands, dates = plan_states(states, today, today + horizon)
        revisions = {i: s.revision for i, s in states.items()}
        result += write(
            cands, session=session, today=today, horizon=horizon, now=now, revisions=revisions
        )
        record_plans(dates, session=session)
        result.planned_cases += len(states)
        if digests:
            light |= {i: lighten(s) for i, s in states.items()}
    if digests:
        cands = digest_candidates(light, session=session, today=today, horizon=horizon)
        result += write(cands, session=session, today=today, horizon=horizon, now=now)
    return result


def plan_states(
    states: dict[int, CaseState], today: date, end: date
) -> tuple[list[Candidate], list[CaseDates]]:
    """Apply the rules to each case for the window up to `end`; say when to plan it again.

    Steps whose reminders all fall outside the window are left out (most of a portfolio's),
    the first day of the later ones kept as the day the case must be planned again.
    """
    cands, dates = [], []
    for state in states.values():
        steps, later = split_steps(state, today, today - LOOKBACK, end)
        window = replace(state, steps=steps, window=(today - LOOKBACK, end))
        mine = case_candidates(window, today)
        supersede(mine)
        cands += mine
        dates.append(case_dates(state, mine, today, end, later))
    return cands, dates


def plan_day(engine: Engine, clock: Clock, *, digests_only: bool = False) -> PlanResult:
    """Write today's notification rows in their own transaction (idempotent).

    Only the cases whose plan may have changed are planned again (`incremental`). Digests
    are left out of the daily window (the weekly flow plans them: `digests_only`).
    """
    with transaction(engine) as session:
        if digests_only:
            return plan_digests(session=session, today=clock.today())
        return plan_due_window(
            session=session,
            today=clock.today(),
            now=clock.now(),
            digests=False,
            incremental=True,
        )


def open_case_ids(*, session: Session) -> list[int]:
    """Return the ids of the cases not closed, in order."""
    return list(
        session.exec(select(Case.id).where(col(Case.status).not_in(ENDED)).order_by(Case.id))
    )


def lighten(state: CaseState) -> CaseState:
    """Keep what the digests read of a state (case, people, settings), drop its plan."""
    return replace(
        state,
        stages={},
        steps=[],
        periods=[],
        follow_ups=[],
        indicators=[],
        requirements=[],
        validations=[],
    )


def plan_digests(
    *, session: Session, today: date, horizon: timedelta = DEFAULT_HORIZON
) -> PlanResult:
    """Plan only the weekly digests (the digest flow's own planning)."""
    states = load_states(session=session, today=today, horizon=horizon)
    cands = digest_candidates(states, session=session, today=today, horizon=horizon)
    return write(cands, session=session, today=today, horizon=horizon)


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
