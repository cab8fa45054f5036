"""How long a day's plan of a case holds while the case does not change (its revision).

The rules are a function of the case's state and of the day. Between two changes of the case,
the day still matters in two ways, both known when the case is planned:

- a reminder stays warranted up to a last day (`Candidate.until`: a deadline passed, a period
  over, a later reminder of its series due, a stage closing or a decision taken on a date
  already recorded); the sweep trusts a confirmed row up to that day (`checked_until`);
- new rows may come: a reminder reaching the planning window (`next_send_on`), or a rule
  starting to apply on a date (`replan_on`: a stage opening, a stage's end reached with its
  gate waiting, a recorded decision taking effect).

A case whose revision, `replan_on` and `next_send_on` say nothing new is due is skipped by the
daily pass: its rows and confirmations are those a full pass would write.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from dla.outbox.people import step_open
from dla.outbox.rules import Candidate, due_soon_days
from dla.outbox.state import CaseState
from models import Step

FOREVER = date.max
DAY = timedelta(days=1)


@dataclass
class CaseDates:
    """When the plan of one case, made on `planned_on` at `revision`, must be made again."""

    case_id: int
    revision: int
    planned_on: date
    replan_on: date | None  # a rule starts to apply: replan on that day
    next_send_on: date | None  # the first reminder left out: replan once the window reaches it


def step_span(state: CaseState, step: Step) -> tuple[date, date] | None:
    """Return the first and last day any reminder of a step could go (holds included)."""
    cal, due, settings = state.calendar, step.due_date, state.settings
    days = [day for _, day in due_soon_days(cal, due, settings)]
    if settings.retard_rappels:
        overdue = cal.add_working_days(due, 1)
        # Weekly after that, each moved to a working day: never a whole week later.
        days += [overdue, overdue + timedelta(weeks=settings.retard_rappels - 1, days=6)]
    if not days:
        return None
    first, last = min(days), max(days)
    for period in state.periods:
        # A consultant's reminder inside a period goes on the first working day after it.
        if period.start_on <= last and period.end_on >= first:
            last = max(last, cal.add_working_days(period.end_on, 1))
    return first, last


def split_steps(
    state: CaseState, today: date, start: date, end: date
) -> tuple[list[Step], date | None]:
    """Return the steps whose reminders may fall in [start, end], and the first day of later ones."""
    kept, later = [], None
    for step in state.steps:
        if not step_open(step, today):  # done or cancelled: no reminder (its rule says so too)
            continue
        span = step_span(state, step)
        if span is None or span[1] < start:
            continue
        if span[0] > end:
            later = span[0] if later is None else min(later, span[0])
            continue
        kept.append(step)
    return kept, later


def supersede(cands: list[Candidate]) -> None:
    """End each reminder the day before the next one of its series (that one replaces it)."""
    series: dict[tuple, list[date]] = {}
    for c in cands:
        if c.cancelled is None:
            series.setdefault(c.series, []).append(c.send_on)
    for days in series.values():
        days.sort()
    for c in cands:
        days = series.get(c.series, ())
        i = bisect_right(days, c.send_on)
        if i < len(days):
            c.until = min(c.until or FOREVER, days[i] - DAY)


def replan_on(state: CaseState, today: date) -> date | None:
    """Return the first day after `today` a rule starts to apply to the case, if any."""
    days = []
    for stage in state.stages.values():
        opened = stage.opened_at.date()
        if opened > today:
            days.append(opened)
        if stage.planned_end > today:  # its gate, if any, is awaited from then on
            days.append(stage.planned_end)
    days += [v.decided_on for v in state.validations if v.decided_on > today]
    return min(days, default=None)


def next_send_on(
    state: CaseState, cands: list[Candidate], end: date, later: date | None
) -> date | None:
    """Return the first day a reminder left out of the window [.., end] could go."""
    days = [c.send_on for c in cands if c.send_on > end]
    days += [later] if later else []
    cal, settings = state.calendar, state.settings
    if state.steps_until is not None:
        # Steps due after the loaded range: their first reminder, at the earliest.
        ahead = max([0, *settings.echeance_proche])
        days.append(cal.add_working_days(state.steps_until + DAY, -ahead))
    if state.follow_ups_until is not None:
        days.append(cal.add_working_days(state.follow_ups_until + DAY, -settings.suivi_avant))
    return min(days, default=None)


def case_dates(
    state: CaseState, cands: list[Candidate], today: date, end: date, later: date | None
) -> CaseDates:
    """Say when the plan of a case made today must be made again."""
    return CaseDates(
        state.case.id,
        state.revision,
        today,
        replan_on(state, today),
        next_send_on(state, cands, end, later),
    )
