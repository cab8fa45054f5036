"""Appropriation and non-intervention periods pause the case clock for relative deadlines."""

from dataclasses import dataclass
from datetime import date, timedelta

from dla.calendar import WorkingCalendar
from models.enums import DayUnit


@dataclass(frozen=True)
class Pause:
    """A period during which the case clock stands still (both ends included)."""

    key: str
    start: date
    end: date


@dataclass(frozen=True)
class Shift:
    """A deadline moved by one or more pauses: `before` is its date had the clock run."""

    anchor: str
    before: date
    after: date
    pauses: tuple[str, ...]


def paused_due(
    calendar: WorkingCalendar,
    anchor: date,
    due: date,
    unit: DayUnit,
    pauses: list[Pause],
) -> tuple[date, tuple[str, ...]]:
    """Extend a deadline counted from `anchor` by the pauses that fall before it is reached.

    The clock stops for the part of a pause after the anchor; a pause that only begins after
    the (extended) deadline does not touch it. Deadlines counted backwards are never paused.
    """
    if due <= anchor:
        return due, ()
    applied: list[str] = []
    for pause in sorted(pauses, key=lambda p: (p.start, p.key)):
        first = max(pause.start, anchor + timedelta(days=1))
        if pause.end < first or first > due:
            continue
        if unit is DayUnit.jours_ouvres:
            lost = calendar.working_days_between(first - timedelta(days=1), pause.end)
            moved = calendar.add_working_days(due, lost) if lost else due
        else:
            moved = due + timedelta(days=(pause.end - first).days + 1)
        if moved != due:
            due = moved
            applied.append(pause.key)
    return due, tuple(applied)
