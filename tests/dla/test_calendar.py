"""Working days of a département: weekends and its public holidays are skipped."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dla.calendar import WorkingCalendar, add_months, calendar_for, is_departement
from models.enums import DayUnit

GOOD_FRIDAY_2007 = date(2007, 4, 6)
SAINT_STEPHEN_2007 = date(2007, 12, 26)

days = st.dates(min_value=date(1995, 1, 1), max_value=date(2060, 12, 31))
departements = st.sampled_from(["38", "57", "67", "68", "2A", "971", "974", "976"])


def naive_add(calendar: WorkingCalendar, start: date, count: int) -> date:
    """The definition: step one day at a time, counting the working days landed on."""
    step, day, remaining = (1 if count >= 0 else -1), start, abs(count)
    while remaining:
        day += timedelta(days=step)
        remaining -= calendar.is_working_day(day)
    return day


@pytest.mark.parametrize("departement", ["57", "67", "68"])
def test_alsace_and_moselle_rest_on_good_friday_and_saint_stephen(departement: str):
    calendar = calendar_for(departement)

    assert not calendar.is_working_day(GOOD_FRIDAY_2007)
    assert not calendar.is_working_day(SAINT_STEPHEN_2007)
    assert calendar.holiday_name(GOOD_FRIDAY_2007) == "Vendredi saint"


def test_isere_works_on_good_friday_and_saint_stephen():
    calendar = calendar_for("38")

    assert calendar.is_working_day(GOOD_FRIDAY_2007)
    assert calendar.is_working_day(SAINT_STEPHEN_2007)
    assert calendar.holiday_name(GOOD_FRIDAY_2007) is None


def test_national_holidays_are_skipped_everywhere():
    for departement in ("38", "57", "2B", "972"):
        assert not calendar_for(departement).is_working_day(date(2007, 12, 25))
        assert calendar_for(departement).holiday_name(date(2007, 7, 14)) == "Fête nationale"


def test_a_working_day_count_skips_good_friday_in_moselle_only():
    thursday = date(2007, 4, 5)

    assert calendar_for("38").add_working_days(thursday, 1) == GOOD_FRIDAY_2007
    assert calendar_for("57").add_working_days(thursday, 1) == date(
        2007, 4, 10
    )  # after Easter Monday


def test_weekends_are_skipped():
    friday = date(2024, 1, 12)

    assert calendar_for("38").add_working_days(friday, 1) == date(2024, 1, 15)
    assert calendar_for("38").add_working_days(date(2024, 1, 13), 1) == date(2024, 1, 15)


def test_negative_offsets_go_backwards():
    monday = date(2024, 1, 15)

    assert calendar_for("38").add_working_days(monday, -1) == date(2024, 1, 12)
    assert calendar_for("57").add_working_days(date(2007, 4, 10), -1) == date(2007, 4, 5)


def test_zero_working_days_keeps_the_day_even_when_not_worked():
    assert calendar_for("38").add_working_days(date(2024, 1, 13), 0) == date(2024, 1, 13)


def test_working_days_between_counts_the_end_but_not_the_start():
    calendar = calendar_for("38")

    assert calendar.working_days_between(date(2024, 1, 8), date(2024, 1, 22)) == 10
    assert calendar.working_days_between(date(2024, 1, 22), date(2024, 1, 8)) == 0
    assert calendar_for("57").working_days_between(date(2007, 4, 5), date(2007, 4, 10)) == 1


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2023, 1, 31), 1, date(2023, 2, 28), id="31-january-to-28-february"),
        pytest.param(
            date(2024, 1, 31), 1, date(2024, 2, 29), id="31-january-to-29-february-in-a-leap-year"
        ),
        pytest.param(date(2024, 3, 31), -1, date(2024, 2, 29), id="backwards-clamped-too"),
        pytest.param(date(2024, 11, 15), 3, date(2025, 2, 15), id="across-the-new-year"),
        pytest.param(date(2024, 1, 15), -13, date(2022, 12, 15), id="back-more-than-a-year"),
        pytest.param(date(2024, 8, 31), 0, date(2024, 8, 31), id="zero-months"),
    ],
)
def test_add_months_clamps_to_the_end_of_short_months(day: date, months: int, expected: date):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (DayUnit.jours, date(2024, 1, 18)),
        (DayUnit.jours_ouvres, date(2024, 1, 22)),
        (DayUnit.semaines, date(2024, 3, 18)),
        (DayUnit.mois, date(2024, 11, 8)),
    ],
)
def test_shift_moves_in_the_unit_asked(unit: DayUnit, expected: date):
    assert calendar_for("38").shift(date(2024, 1, 8), 10, unit) == expected


@pytest.mark.parametrize("code", ["99", "20", "2C", "00", "975", "7", "057", "38\n", ""])
def test_an_unknown_departement_is_refused(code: str):
    assert not is_departement(code)
    with pytest.raises(ValueError, match="département inconnu"):
        WorkingCalendar(code)


@pytest.mark.parametrize("code", ["01", "19", "21", "2A", "2B", "38", "57", "95", "971", "976"])
def test_every_kind_of_departement_is_known(code: str):
    assert is_departement(code)
    assert calendar_for(code).departement == code


@settings(deadline=None)  # the first draws compute a year's holidays
@given(departement=departements, start=days, count=st.integers(min_value=1, max_value=400))
def test_moving_forward_lands_later_on_a_working_day_that_many_working_days_on(
    departement: str, start: date, count: int
):
    calendar = calendar_for(departement)

    result = calendar.add_working_days(start, count)

    assert result > start
    assert calendar.is_working_day(result)
    assert calendar.working_days_between(start, result) == count


@settings(deadline=None)  # the first draws compute a year's holidays
@given(departement=departements, start=days, count=st.integers(min_value=1, max_value=400))
def test_moving_backward_lands_earlier_on_a_working_day_that_many_working_days_back(
    departement: str, start: date, count: int
):
    calendar = calendar_for(departement)

    result = calendar.add_working_days(start, -count)

    assert result < start
    assert calendar.is_working_day(result)
    # (result, start] holds `count` working days when start is one; one fewer when it is not.
    expected = count if calendar.is_working_day(start) else count - 1
    assert calendar.working_days_between(result, start) == expected


@settings(deadline=None)  # the first draws compute a year's holidays
@given(departement=departements, start=days, count=st.integers(min_value=-800, max_value=800))
def test_moving_by_weeks_at_once_agrees_with_moving_day_by_day(
    departement: str, start: date, count: int
):
    calendar = calendar_for(departement)

    assert calendar.add_working_days(start, count) == naive_add(calendar, start, count)


@settings(deadline=None)  # the first draws compute a year's holidays
@given(departement=departements, start=days, count=st.integers(min_value=1, max_value=200))
def test_moving_forward_then_back_returns_to_a_working_start(
    departement: str, start: date, count: int
):
    calendar = calendar_for(departement)
    start = calendar.add_working_days(start, 1)  # a working day

    assert calendar.add_working_days(calendar.add_working_days(start, count), -count) == start


@settings(deadline=None)  # the first draws compute a year's holidays
@given(departement=departements, start=days, end=days)
def test_working_days_between_agrees_with_counting_day_by_day(
    departement: str, start: date, end: date
):
    calendar = calendar_for(departement)
    expected = sum(
        calendar.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1)
    )

    assert calendar.working_days_between(start, end) == expected


@settings(deadline=None)  # the first draws compute a year's holidays
@given(day=days, months=st.integers(min_value=-240, max_value=240))
def test_add_months_keeps_the_day_or_clamps_it_to_the_month_end(day: date, months: int):
    result = add_months(day, months)

    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (result.day < day.day and (result + timedelta(days=1)).day == 1)
