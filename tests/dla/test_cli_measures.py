"""`dla indicator measure` and `dla followup add` from the command line."""

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from dla.cli import app
from models import FollowUp, Indicator
from tests.dla.actions.test_measures import INDICATORS
from tests.factories import REFERENCE, all_rows, case_data, save_case

runner = CliRunner(env={"COLUMNS": "250"})
TODAY = ["--today", "2024-01-15"]


@pytest.fixture
def measured(dla_env, engine, tmp_path):
    save_case(engine, tmp_path, case_data(indicateurs=INDICATORS))
    return engine


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_indicator_measure_records_a_value_typed_the_french_way(measured):
    result = run("indicator", "measure", REFERENCE, "postes", "1,5", "--on", "12/01/2024", *TODAY)
    assert result.exit_code == 0, result.output
    assert "mesuré le 12 janvier 2024 : 1,5 ETP (cible : 2 ETP)" in result.output
    with Session(measured) as session:
        assert (
            session.exec(select(Indicator.measured_value).where(Indicator.key == "postes")).one()
            == 1.5
        )


def test_indicator_measure_refuses_a_text_for_a_number(measured):
    rows = all_rows(measured)
    result = run("indicator", "measure", REFERENCE, "postes", "beaucoup", *TODAY)
    assert result.exit_code == 2
    assert "valeur de « Postes partagés pourvus » invalide : 'beaucoup'" in result.output
    assert all_rows(measured) == rows


def test_followup_add_records_the_follow_up_and_its_measures(measured):
    result = run(
        "followup", "add", REFERENCE, "3", "--summary", "Le poste tient.", "--measure",
        "postes=2", "--measure", "cooperation=Bonne", *TODAY,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Session(measured) as session:
        row = session.exec(select(FollowUp).where(FollowUp.months_after == 3)).one()
    assert row.notes == "Le poste tient."


def test_followup_add_refuses_a_malformed_measure_option(measured):
    result = run("followup", "add", REFERENCE, "3", "--summary", "x", "--measure", "postes")
    assert result.exit_code == 2
    assert "--measure : 'postes' ; attendu : CLE=VALEUR" in result.output
