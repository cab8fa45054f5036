"""The one clock every reading of "now" goes through, so cases can be replayed."""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from models.types import PARIS

# The days the product accepts: "today" (`--today`, a flow's `aujourdhui`), a replay's end, and
# every date of a case file or a decision. Computed dates (deadlines, follow-ups, working
# days) then stay far from date.max, and a typo such as 2101 is refused rather than obeyed.
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)


def day_problem(day: date, name: str = "date") -> str | None:
    """Return why `day` (the field or option `name`) is outside the accepted range, or None."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return (
        f"{name} hors limites : {day.isoformat()} (attendu entre le "
        f"{FIRST_DAY:%d/%m/%Y} et le {LAST_DAY:%d/%m/%Y})"
    )


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The real time, in Europe/Paris."""

    def now(self) -> datetime:
        return datetime.now(PARIS)

    def today(self) -> date:
        return self.now().date()


def clock_for(day: date | None) -> Clock:
    """Return the clock of a replayed day (`--today`, a form's `aujourdhui`), else real time."""
    return FixedClock.on(day) if day else SystemClock()


@dataclass
class FixedClock:
    """A clock stopped at a given instant (replays and tests)."""

    at: datetime

    @classmethod
    def on(cls, day: date, hour: int = 9) -> "FixedClock":
        """Stop the clock on `day`; a day outside the accepted range is refused."""
        if (problem := day_problem(day, "date du jour")) is not None:
            raise ValueError(problem)
        return cls(datetime.combine(day, time(hour), tzinfo=PARIS))

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()
