"""Working days of a département: weekends and French public holidays skipped."""

import calendar as _cal
import re
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import lru_cache

import holidays

from models.enums import DayUnit

# Départements whose holidays differ from mainland France (holidays' subdivision codes).
_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}
# 01–95 without 20 (split into 2A and 2B in 1976), and the overseas 971–974 and 976.
DEPARTEMENT_PATTERN = r"^(0[1-9]|1[0-9]|2[1-9]|[3-8][0-9]|9[0-5]|2A|2B|97[1-46])$"
_DEPARTEMENT_RE = re.compile(DEPARTEMENT_PATTERN)


def is_departement(code: str) -> bool:
    """Tell whether `code` is a French département number (01–95, 2A, 2B, 971–976)."""
    return isinstance(code, str) and bool(_DEPARTEMENT_RE.fullmatch(code))


class WorkingCalendar:
    """Working-day arithmetic for one département."""

    def __init__(self, departement: str):
        if not is_departement(departement):
            raise ValueError(f"département inconnu : {departement!r}")
        self.departement = departement
        self._holidays = holidays.France(subdiv=_SUBDIVISIONS.get(departement), language="fr")
        self._weekday_holidays: dict[int, list[date]] = {}
        # Loading a case file asks for the same few offsets from the same dates again and again.
        self._added: dict[tuple[date, int], date] = {}

    def holiday_name(self, day: date) -> str | None:
        """Return the public holiday's name on `day`, if any."""
        return self._holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        """Tell whether `day` is neither a weekend nor a public holiday."""
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, start: date, count: int) -> date:
        """Move `count` working days from `start` (backwards when negative)."""
        key = (start, count)
        day = self._added.get(key)
        if day is None:
            if len(self._added) > 100_000:  # bound the memo of a long-running process
                self._added.clear()
            day = self._added[key] = self._add_working_days(start, count)
        return day

    def _add_working_days(self, start: date, count: int) -> date:
        step = 1 if count >= 0 else -1
        day, remaining = start, abs(count)
        # Jump whole weeks first (five working days each, less their holidays), stopping short
        # of the target so the day-by-day walk below lands on a working day.
        weeks = (remaining - 1) // 5
        if weeks > 0:
            end = day + timedelta(weeks=weeks * step)
            first, last = (
                (day + timedelta(days=1), end) if step > 0 else (end, day - timedelta(days=1))
            )
            remaining -= 5 * weeks - self._holidays_between(first, last)
            day = end
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days in the half-open interval (start, end]."""
        if end <= start:
            return 0
        weeks, rest = divmod((end - start).days, 7)
        count = 0
        if weeks:
            last = start + timedelta(weeks=weeks)
            count = 5 * weeks - self._holidays_between(start + timedelta(days=1), last)
            start = last
        return count + sum(
            1 for n in range(1, rest + 1) if self.is_working_day(start + timedelta(days=n))
        )

    def _holidays_between(self, first: date, last: date) -> int:
        """Count the public holidays falling on a weekday in [first, last]."""
        total = 0
        for year in range(first.year, last.year + 1):
            days = self._weekday_holidays.get(year)
            if days is None:
                days = sorted(d for d, _ in self._holidays_in(year) if d.weekday() < 5)
                self._weekday_holidays[year] = days
            total += bisect_right(days, last) - bisect_left(days, first)
        return total

    def _holidays_in(self, year: int):
        self._holidays.get(date(year, 1, 1))  # makes the library compute that year
        return [(d, n) for d, n in self._holidays.items() if d.year == year]

    def shift(self, start: date, amount: int, unit: DayUnit) -> date:
        """Move `amount` units (calendar days, working days, weeks or months) from `start`."""
        if unit is DayUnit.jours_ouvres:
            return self.add_working_days(start, amount)
        if unit is DayUnit.semaines:
            return start + timedelta(weeks=amount)
        if unit is DayUnit.mois:
            return add_months(start, amount)
        return start + timedelta(days=amount)


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


@lru_cache(maxsize=128)
def calendar_for(departement: str) -> WorkingCalendar:
    """Return the (cached) working calendar of a département."""
    return WorkingCalendar(departement)
