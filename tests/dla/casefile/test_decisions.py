"""A case file's decisions are judged as `dla validate` judges them: same refusal, same words."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.casefile.loader import load_case_file
from dla.casefile.problems import CaseFileError
from dla.cases import save_plan
from dla.clock import FixedClock
from dla.db import transaction
from dla.progress import plain_steps, replay
from dla.validations import DecisionInput, ValidationRefused, record_validation
from models import Stage, Validation
from models.enums import Body, Decision
from tests.dla.casefile.test_export import every_row
from tests.factories import case_data, save_case, write_case

REF = "DLA99-2024-01"
TODAY = date(2024, 1, 23)  # the diagnostic opened on 8 January


def decision(**changes) -> dict:
    return {
        "structure": "aci-un",
        "instance": "conseil_administration",
        "decision": "validee",
        "date": date(2024, 1, 22),
    } | changes


def with_decision(written: dict) -> dict:
    data = case_data()
    data["etapes"][0]["decisions"] = [written]
    return data


def load(engine, tmp_path, data: dict, day: date = TODAY):
    with transaction(engine) as session:
        return save_plan(
            load_case_file(write_case(tmp_path, data), today=day),
            session=session,
            clock=FixedClock.on(day),
            actor="test",
            reason="test",
        )


def validate(engine, written: dict) -> None:
    entry = DecisionInput(
        REF,
        "diagnostic",
        written.get("structure"),
        Body(written["instance"]),
        Decision(written["decision"]),
        written["date"],
        postponed_to=written.get("report_au"),
    )
    with transaction(engine) as session:
        record_validation(
            entry, session=session, clock=FixedClock.on(TODAY), recorded_by="t", channel="cli"
        )


@pytest.fixture
def opened(engine, tmp_path):
    """The test case loaded, its diagnostic opened by a replay."""
    save_case(engine, tmp_path)
    replay(engine, REF, TODAY, plain_steps(engine))
    return engine


@pytest.mark.parametrize(
    ("written", "field", "words"),
    [
        pytest.param(
            decision(date=date(2024, 1, 5)),
            "date",
            "date de décision 2024-01-05 antérieure à l'ouverture de l'étape (8 janvier 2024)",
            id="before-the-stage-opened",
        ),
        pytest.param(
            decision(structure="cabinet"),
            "structure",
            "cabinet (conseil d'administration) ne fait pas partie des validations attendues "
            "pour l'étape 'diagnostic'",
            id="not-an-expected-validator",
        ),
        pytest.param(
            decision(instance="comite_pilotage", structure=None),
            "structure",
            "coordination (comité de pilotage) ne fait pas partie des validations attendues "
            "pour l'étape 'diagnostic'",
            id="a-body-the-gate-does-not-wait-for",
        ),
        pytest.param(
            decision(decision="reportee"),
            "report_au",
            "une décision reportée demande une nouvelle date (report_au) postérieure à la décision",
            id="postponed-without-a-new-date",
        ),
        pytest.param(
            decision(decision="reportee", report_au=date(2024, 1, 22)),
            "report_au",
            "une décision reportée demande une nouvelle date (report_au) postérieure à la décision",
            id="postponed-to-the-same-day",
        ),
    ],
)
def test_the_same_bad_decision_gets_the_same_refusal_from_the_file_and_dla_validate(
    opened, tmp_path, written, field, words
):
    before = every_row(opened)

    with pytest.raises(ValidationRefused) as by_validate:
        validate(opened, {k: v for k, v in written.items() if v is not None})
    with pytest.raises(CaseFileError) as by_file:
        load(opened, tmp_path, with_decision({k: v for k, v in written.items() if v is not None}))

    assert by_validate.value.messages() == [words]
    assert [(p.path, p.message) for p in by_file.value.problems] == [
        (f"etapes[0].decisions[0].{field}", words)
    ]
    assert by_file.value.problems[0].line is not None
    assert every_row(opened) == before


def test_a_decision_on_a_stage_not_opened_yet_is_judged_against_its_planned_start(engine, tmp_path):
    data = with_decision(decision(date=date(2024, 1, 5)))

    with pytest.raises(CaseFileError) as refused:
        load(engine, tmp_path, data)

    assert refused.value.problems[0].message == (
        "date de décision 2024-01-05 antérieure à l'ouverture de l'étape (8 janvier 2024)"
    )
    assert every_row(engine)["accompagnement"] == []


def test_a_decision_for_each_member_is_refused_once_when_its_date_is_wrong(engine, tmp_path):
    data = with_decision(decision(structure="@membres", date=date(2024, 1, 5)))

    with pytest.raises(CaseFileError) as refused:
        load(engine, tmp_path, data)

    assert [p.path for p in refused.value.problems] == ["etapes[0].decisions[0].date"]


def test_a_postponement_in_a_file_moves_the_stage_as_one_entered_by_dla_validate(engine, tmp_path):
    postponed = decision(decision="reportee", report_au=date(2024, 2, 16))
    load(engine, tmp_path, with_decision(postponed))

    replay(engine, REF, TODAY, plain_steps(engine))

    with Session(engine) as session:
        assert session.exec(select(Validation.postponed_to)).one() == date(2024, 2, 16)
        end = session.exec(select(Stage.planned_end).where(Stage.key == "diagnostic")).one()
    assert end == date(2024, 2, 16)


def test_a_stage_already_open_is_judged_against_the_day_it_opened_not_its_new_start(
    opened, tmp_path
):
    data = with_decision(decision(date=date(2024, 1, 10)))
    data["etapes"][0]["debut"] = date(2024, 1, 15)  # moved after the stage opened on 8 January

    assert load(opened, tmp_path, data).status == "modifié"
