"""Plan the notifications the rules ask for, case by case or all at once; twice adds nothing."""

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dla.batch import collector_paused
from dla.clock import Clock
from dla.db import transaction
from dla.outbox.candidates import Candidate, case_candidates
from dla.outbox.caseplans import record_plans, stale_case_ids
from dla.outbox.digest import digest_candidates
from dla.outbox.plan_result import PlanResult
from dla.outbox.state import LOOKBACK, CaseState, load_states
from dla.outbox.validity import CaseDates, case_dates, split_steps, supersede
from dla.outbox.write import write
from models import Case
from models.enums import ENDED

DEFAULT_HORIZON = timedelta(days=1)
CHUNK = 500  # cases planned together


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
