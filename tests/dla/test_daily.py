"""The daily pass: one query finds the cases with something due, plain steps move them."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla import daily
from dla.clock import FixedClock
from models import Case, Notification, Stage, TimelineEvent
from models.enums import CaseStatus, StageStatus
from tests.dla.test_lifecycle import REF, loaded, stage_status, total  # noqa: F401
from tests.factories import case_data, save_case


def due(engine, day: date) -> list[str]:
    with Session(engine) as session:
        return daily.cases_due(session=session, today=day)


def pass_on(engine, day: date) -> daily.Advanced:
    return daily.advance_due(engine, FixedClock.on(day), render=False)


def test_a_case_is_not_due_before_its_first_stage_starts(loaded):  # noqa: F811
    assert due(loaded, date(2024, 1, 5)) == []


def test_a_case_is_due_on_the_day_its_first_stage_starts(loaded):  # noqa: F811
    assert due(loaded, date(2024, 1, 8)) == [REF]


def test_the_pass_opens_the_stage_and_logs_it(loaded):  # noqa: F811
    done = pass_on(loaded, date(2024, 1, 8))
    assert done.statuses == {REF: "en-cours"} and done.failures == {}
    assert stage_status(loaded, "diagnostic") is StageStatus.ouverte
    with Session(loaded) as session:
        kinds = session.exec(select(TimelineEvent.kind)).all()
    assert "stage.opened" in kinds


def test_an_open_stage_is_not_due_while_its_work_runs(loaded):  # noqa: F811
    pass_on(loaded, date(2024, 1, 8))
    assert due(loaded, date(2024, 1, 9)) == []


def test_a_stage_whose_work_is_due_goes_to_its_gate(loaded):  # noqa: F811
    pass_on(loaded, date(2024, 1, 8))
    assert due(loaded, date(2024, 1, 22)) == [REF]
    assert pass_on(loaded, date(2024, 1, 22)).statuses == {REF: "en-attente-de-validation"}
    assert due(loaded, date(2024, 1, 23)) == []


def test_a_decision_from_the_case_file_makes_the_case_due_on_its_date(engine, tmp_path):
    data = case_data()
    data["etapes"][0]["decisions"] = [
        {"structure": s, "instance": "conseil_administration", "decision": "validee", "date": d}
        for s, d in [("aci-un", date(2024, 1, 23)), ("ai-deux", date(2024, 1, 24))]
    ]
    save_case(engine, tmp_path, data)
    pass_on(engine, date(2024, 1, 8))
    pass_on(engine, date(2024, 1, 22))
    assert due(engine, date(2024, 1, 23)) == [REF]
    pass_on(engine, date(2024, 1, 23))
    assert due(engine, date(2024, 1, 24)) == [REF]
    assert pass_on(engine, date(2024, 1, 24)).statuses == {REF: "en-cours"}
    assert stage_status(engine, "mise-en-oeuvre") is StageStatus.ouverte
    assert due(engine, date(2024, 1, 25)) == []


def test_a_second_pass_the_same_day_adds_nothing(loaded):  # noqa: F811
    pass_on(loaded, date(2024, 1, 22))
    before = (total(loaded, TimelineEvent), total(loaded, Notification))
    pass_on(loaded, date(2024, 1, 22))
    assert (total(loaded, TimelineEvent), total(loaded, Notification)) == before


def test_a_closed_case_is_never_due(loaded):  # noqa: F811
    with Session(loaded) as session:
        case = session.exec(select(Case)).one()
        case.status = CaseStatus.close
        session.add(case)
        session.commit()
    assert due(loaded, date(2024, 1, 8)) == []


def test_one_failing_case_does_not_stop_the_others(engine, tmp_path, monkeypatch):
    save_case(engine, tmp_path)
    save_case(engine, tmp_path, case_data(reference="DLA99-2024-02"))
    real = daily.progress.advance

    def advance(engine, reference, clock, steps):
        if reference == REF:
            raise RuntimeError("panne injectée")
        return real(engine, reference, clock, steps)

    monkeypatch.setattr(daily.progress, "advance", advance)
    done = pass_on(engine, date(2024, 1, 8))
    assert done.failures == {REF: "RuntimeError : panne injectée"}
    assert done.statuses == {"DLA99-2024-02": "en-cours"}
    with Session(engine) as session:
        opened = session.exec(select(Stage).where(Stage.status == StageStatus.ouverte)).all()
    assert len(opened) == 1


@pytest.mark.parametrize("day", [date(2024, 1, 8), date(2024, 1, 22)])
def test_the_cases_found_are_exactly_those_a_pass_changes(engine, tmp_path, day):
    for n in range(1, 4):
        data = case_data(reference=f"DLA99-2024-0{n}")
        data["debut"] = date(2024, 1, 8 + 7 * (n - 1))
        save_case(engine, tmp_path, data)
    found = set(due(engine, day))
    before = _states(engine)
    pass_on(engine, day)
    after = _states(engine)
    assert found == {ref for ref in before if before[ref] != after[ref]}


def _states(engine) -> dict[str, tuple]:
    with Session(engine) as session:
        rows = session.exec(
            select(Case.reference, Stage.key, Stage.status).join(Stage, Stage.case_id == Case.id)
        ).all()
    states: dict[str, tuple] = {}
    for reference, key, status in sorted(rows):
        states[reference] = (*states.get(reference, ()), (key, status))
    return states
