"""`dla task done|undo`: the task actions from the command line."""

from sqlmodel import Session, select
from typer.testing import CliRunner

from dla.cli import app
from models import Stage, Step, TimelineEvent
from models.enums import StageStatus, StepStatus
from tests.factories import REFERENCE, all_rows

runner = CliRunner(env={"COLUMNS": "250"})
TASK = [REFERENCE, "diagnostic", "note-diagnostic"]


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_task_done_marks_it_and_advances_the_case_to_its_gate(dla_env, opened):
    result = run(
        "task", "done", *TASK, "--on", "12/01/2024", "--today", "2024-01-15", "--by", "Léa"
    )
    assert result.exit_code == 0, result.output
    assert "marquée faite le 12 janvier 2024" in result.output
    assert f"{REFERENCE} : en attente de validation" in result.output
    with Session(opened) as session:
        assert session.exec(select(Stage.status).where(Stage.key == "diagnostic")).one() is (
            StageStatus.en_attente_validation
        )
        event = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "task.done")).one()
    assert (event.actor, event.data["channel"]) == ("Léa", "cli")


def test_task_done_takes_an_iso_date_too(dla_env, opened):
    result = run("task", "done", *TASK, "--on", "2024-01-12", "--today", "2024-01-15")
    assert result.exit_code == 0, result.output


def test_task_done_refuses_an_impossible_date_with_exit_code_2(dla_env, opened):
    rows = all_rows(opened)
    result = run("task", "done", *TASK, "--on", "31/02/2024", "--today", "2024-01-15")
    assert result.exit_code == 2
    assert "date de réalisation invalide : '31/02/2024' ; attendu : une date JJ/MM/AAAA" in (
        result.output
    )
    assert all_rows(opened) == rows


def test_task_undo_puts_it_back_to_do(dla_env, opened):
    run("task", "done", *TASK, "--today", "2024-01-15")
    result = run("task", "undo", *TASK, "--today", "2024-01-16")
    assert result.exit_code == 0, result.output
    assert "remise à faire" in result.output
    with Session(opened) as session:
        assert session.exec(select(Step.status).where(Step.key == "note-diagnostic")).one() is (
            StepStatus.a_faire
        )


def test_a_second_identical_command_reports_it_unchanged(dla_env, opened):
    run("task", "done", *TASK, "--today", "2024-01-15")
    result = run("task", "done", *TASK, "--today", "2024-01-15")
    assert result.exit_code == 0
    assert "inchangé" in result.output


def test_a_malformed_reference_is_refused_before_any_query(dla_env, opened):
    result = run("task", "done", "dla\x00", "diagnostic", "x")
    assert result.exit_code == 2
    assert "Référence invalide" in result.output
