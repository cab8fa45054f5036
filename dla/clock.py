"""The one clock every reading of "now" goes through, so cases can be replayed."""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol

from models.types import PARIS


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The real time, in Europe/Paris."""

    def now(self) -> datetime:
        return datetime.now(PARIS)

    def today(self) -> date:
        return self.now().date()


@dataclass
class FixedClock:
    """A clock stopped at a given instant (replays and tests)."""

    at: datetime

    @classmethod
    def on(cls, day: date, hour: int = 9) -> "FixedClock":
        return cls(datetime.combine(day, time(hour), tzinfo=PARIS))

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()
