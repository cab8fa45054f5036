"""The calendar's days: the agenda's events, a few per day, each day's full count."""

from datetime import date

from sqlalchemy import true
from sqlmodel import Session

from dla.agenda import agenda, days
from models import Case
from tests.factories import case_data, save_case

FIRST, LAST, TODAY = date(2023, 12, 1), date(2024, 12, 31), date(2024, 3, 1)


def by_day(items) -> dict[date, set[str]]:
    """Spread the agenda's events on the days they cover (a period covers several)."""
    out: dict[date, set[str]] = {}
    for item in items:
        day = max(item.start, FIRST)
        while day <= min(item.end, LAST):
            out.setdefault(day, set()).add(item.uid)
            day = date.fromordinal(day.toordinal() + 1)
    return out


def test_days_hold_the_agendas_events_and_count_those_left_out(engine, tmp_path):
    for n in range(1, 4):
        save_case(engine, tmp_path, case_data(reference=f"DLA38-2024-0{n}"))
    with Session(engine) as session:
        expected = by_day(
            agenda(session=session, visible=true(), first=FIRST, last=LAST, today=TODAY)
        )
        whole = days(session=session, visible=true(), first=FIRST, last=LAST, today=TODAY, cap=1000)
        one = days(session=session, visible=true(), first=FIRST, last=LAST, today=TODAY, cap=1)
    assert expected and {d: {i.uid for i in day.items} for d, day in whole.items()} == expected
    assert any(len(uids) > 1 for uids in expected.values())  # some day is crowded
    for d, uids in expected.items():
        assert len(one[d].items) == 1 and one[d].total == len(uids)
        assert one[d].more == len(uids) - 1
        # The one shown is the first by case reference.
        assert one[d].items[0].reference == min(i.reference for i in whole[d].items)


def test_a_late_open_task_is_marked_late_and_a_done_one_is_not(engine, tmp_path):
    save_case(engine, tmp_path, case_data())
    with Session(engine) as session:
        items = [
            i
            for day in days(
                session=session, visible=true(), first=FIRST, last=LAST, today=TODAY, cap=1000
            ).values()  # fmt: skip
            for i in day.items
            if i.kind == "echeance"
        ]
    assert items
    for item in items:
        done = item.text.endswith("(faite)")
        assert item.late == (not done and item.start < TODAY), item


def test_days_keep_only_the_cases_the_clause_keeps(engine, tmp_path):
    save_case(engine, tmp_path, case_data(reference="DLA38-2024-01"))
    save_case(engine, tmp_path, case_data(reference="DLA13-2024-02", departement="13"))
    with Session(engine) as session:
        shown = days(session=session, visible=Case.departement == "13", first=FIRST, last=LAST,
                     today=TODAY, cap=1000)  # fmt: skip
    references = {i.reference for day in shown.values() for i in day.items}
    assert references == {"DLA13-2024-02"}
