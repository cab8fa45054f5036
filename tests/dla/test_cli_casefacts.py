"""`dla case edit|budget|close|abandon` from the command line."""

from sqlmodel import Session, select
from typer.testing import CliRunner

from dla.cli import app
from models import Case, Notification
from models.enums import CaseStatus, NotificationStatus
from tests.factories import REFERENCE, all_rows

runner = CliRunner(env={"COLUMNS": "250"})
TODAY = ["--today", "2024-01-15"]


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def case(engine) -> Case:
    with Session(engine) as session:
        return session.exec(select(Case)).one()


def test_case_edit_sets_the_demand_and_list_facts(dla_env, opened):
    result = run(
        "case", "edit", REFERENCE, "--initial-demand", "Partager un poste.", "--fact",
        "enjeux=Stabiliser", "--fact", "contexte.enjeux=Partager", *TODAY,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Faits du cas modifiés : demande initiale, enjeux" in result.output
    assert case(opened).context["enjeux"] == ["Stabiliser", "Partager"]


def test_case_edit_refuses_an_unknown_field(dla_env, opened):
    rows = all_rows(opened)
    result = run("case", "edit", REFERENCE, "--fact", "budget=3", *TODAY)
    assert result.exit_code == 2
    assert "champ inconnu : 'budget'" in result.output
    assert all_rows(opened) == rows


def test_case_budget_sets_a_task_s_days(dla_env, opened):
    result = run(
        "case", "budget", REFERENCE, "note-diagnostic", "--on-site", "2", "--office", "1,5", *TODAY
    )
    assert result.exit_code == 0, result.output
    assert case(opened).context["budget_jours"]["note-diagnostic"] == {
        "terrain": 2.0,
        "cabinet": 1.5,
    }


def test_case_close_and_abandon_end_the_case(dla_env, opened):
    result = run("case", "abandon", REFERENCE, "--reason", "Collectif dissous", *TODAY)
    assert result.exit_code == 0, result.output
    assert "Accompagnement abandonné le 15 janvier 2024 (motif : Collectif dissous)" in (
        result.output
    )
    assert f"{REFERENCE} : terminé" in result.output
    assert case(opened).status is CaseStatus.abandonne
    with Session(opened) as session:
        assert NotificationStatus.planned not in set(session.exec(select(Notification.status)))
    refused = run("case", "close", REFERENCE, "--reason", "fin", *TODAY)
    assert refused.exit_code == 2 and "accompagnement déjà abandonné" in refused.output
