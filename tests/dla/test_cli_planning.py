"""`dla task add`, `dla deadline move`, `dla period start|end` from the command line."""

from datetime import date

from sqlmodel import Session, select
from typer.testing import CliRunner

from dla.cli import app
from models import Period, Stage, Step
from tests.factories import REFERENCE, all_rows

runner = CliRunner(env={"COLUMNS": "250"})
TODAY = ["--today", "2024-01-15", "--by", "Léa"]


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def value(engine, column, where):
    with Session(engine) as session:
        return session.exec(select(column).where(where)).one()


def test_deadline_move_moves_a_task_with_its_reason(dla_env, opened):
    result = run("deadline", "move", REFERENCE, "diagnostic", "note-diagnostic",
                 "--to", "19/01/2024", "--reason", "réunion décalée", *TODAY)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "déplacée du 22 janvier 2024 au 19 janvier 2024 (motif : réunion décalée)" in (
        result.output
    )
    assert value(opened, Step.due_date, Step.key == "note-diagnostic") == date(2024, 1, 19)


def test_deadline_move_without_a_task_moves_the_stage_s_end(dla_env, opened):
    result = run("deadline", "move", REFERENCE, "diagnostic", "--to", "2024-02-05",
                 "--reason", "vacances scolaires", *TODAY)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert value(opened, Stage.planned_end, Stage.key == "diagnostic") == date(2024, 2, 5)


def test_deadline_move_refuses_a_weekend_with_exit_code_2(dla_env, opened):
    rows = all_rows(opened)
    result = run("deadline", "move", REFERENCE, "diagnostic", "note-diagnostic",
                 "--to", "20/01/2024", "--reason", "x", *TODAY)  # fmt: skip
    assert result.exit_code == 2
    assert "Action refusée, rien n'a été enregistré :\n- nouvelle échéance le samedi" in (
        result.output
    )
    assert all_rows(opened) == rows


def test_task_add_adds_a_task_to_the_open_stage(dla_env, opened):
    result = run("task", "add", REFERENCE, "diagnostic", "entretiens", "--title", "Entretiens",
                 "--owner", "prestataire", "--due", "19/01/2024", *TODAY)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert value(opened, Step.owner, Step.key == "entretiens") == "prestataire"


def test_period_start_then_end(dla_env, opened):
    result = run("period", "start", REFERENCE, "--kind", "non_intervention",
                 "--end", "26/01/2024", "--key", "pause", *TODAY)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Période de non-intervention « pause » ouverte" in result.output
    result = run("period", "end", REFERENCE, "pause", "--today", "2024-01-19")
    assert result.exit_code == 0, result.output
    assert value(opened, Period.end_on, Period.key == "pause") == date(2024, 1, 19)


def test_period_start_refuses_an_unknown_kind(dla_env, opened):
    result = run("period", "start", REFERENCE, "--kind", "conges", "--end", "26/01/2024", *TODAY)
    assert result.exit_code == 2
    assert "type de période inconnu : 'conges'" in result.output
