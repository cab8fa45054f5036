"""Working-day arithmetic holds for any date of the years case files accept, in any département."""

from datetime import date, timedelta

from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from dla.calendar import calendar_for, is_departement
from dla.casefile.fields import FIRST_YEAR, LAST_YEAR
from models.enums import DayUnit

# Derandomised: the same examples on every run, a few seconds in all.
PROPERTY = settings(derandomize=True, max_examples=150, deadline=None)

DEPARTEMENTS = (
    [f"{n:02d}" for n in range(1, 96) if n != 20]
    + ["2A", "2B"]
    + ["971", "972", "973", "974", "976"]
)
ALSACE_MOSELLE = ["57", "67", "68"]

departements = st.sampled_from(DEPARTEMENTS)
days = st.dates(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
counts = st.integers(min_value=-400, max_value=400)
years = st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR)


@PROPERTY
@given(departements, days, counts.filter(bool))
def test_adding_working_days_lands_on_a_working_day(departement, start, count):
    calendar = calendar_for(departement)

    assert calendar.is_working_day(calendar.add_working_days(start, count))


@PROPERTY
@given(departements, days, st.integers(0, 400), st.integers(0, 400))
def test_more_working_days_never_land_earlier(departement, start, fewer, more):
    fewer, more = sorted((fewer, more))
    calendar = calendar_for(departement)

    assert calendar.add_working_days(start, fewer) <= calendar.add_working_days(start, more)


@PROPERTY
@given(departements, days, st.integers(1, 400))
def test_the_working_days_counted_between_are_those_added(departement, start, count):
    calendar = calendar_for(departement)

    assert calendar.working_days_between(start, calendar.add_working_days(start, count)) == count


@PROPERTY
@given(departements, days, counts)
def test_adding_then_subtracting_from_a_working_day_comes_back(departement, start, count):
    calendar = calendar_for(departement)
    while not calendar.is_working_day(start):
        start += timedelta(days=1)

    there = calendar.add_working_days(start, count)

    assert calendar.add_working_days(there, -count) == start


@PROPERTY
@given(st.sampled_from(ALSACE_MOSELLE), years)
def test_alsace_moselle_rests_on_good_friday_and_saint_stephen(departement, year):
    calendar = calendar_for(departement)

    assert not calendar.is_working_day(easter(year) - timedelta(days=2))
    assert not calendar.is_working_day(date(year, 12, 26))


@PROPERTY
@given(st.sampled_from(["38", "75", "13", "2A"]), years)
def test_the_rest_of_the_mainland_works_on_good_friday_and_saint_stephen(departement, year):
    calendar = calendar_for(departement)

    for day in (easter(year) - timedelta(days=2), date(year, 12, 26)):
        assert calendar.is_working_day(day) == (day.weekday() < 5)


@PROPERTY
@given(departements, days, st.integers(-3650, 3650), st.sampled_from(list(DayUnit)))
def test_any_offset_a_case_file_may_write_is_computed_without_error(
    departement, start, amount, unit
):
    # The largest offsets a case file accepts (±3650 of any unit) stay far from date.max.
    moved = calendar_for(departement).shift(start, amount, unit)

    assert isinstance(moved, date)


@PROPERTY
@given(st.text(max_size=6))
def test_only_real_departements_get_a_calendar(code):
    assert is_departement(code) == (code in DEPARTEMENTS)
