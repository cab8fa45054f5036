"""The accompaniment flow on a real Prefect engine (test harness), without a deployment."""

from datetime import date

from sqlmodel import Session, func, select

from dla.db import make_engine
from flows.case_flow import CaseRun, run_case
from models import Notification, Stage, TimelineEvent, Validation
from models.enums import StageStatus
from tests.factories import case_data, save_case

REF = "DLA99-2024-01"


def load_case(url, tmp_path, decisions=()):
    data = case_data()
    data["etapes"][0]["decisions"] = list(decisions)
    engine = make_engine(url)
    save_case(engine, tmp_path, data)
    return engine


def counts(engine):
    with Session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(m)).one()
            for m in (TimelineEvent, Validation, Notification)
        )


def statuses(engine):
    with Session(engine) as session:
        return {s.key: s.status for s in session.exec(select(Stage))}


def test_without_a_deployment_the_flow_stops_cleanly_at_an_unsatisfied_gate(
    prefect_server, dla_env, tmp_path
):
    engine = load_case(dla_env, tmp_path)
    status = run_case(CaseRun(reference=REF, aujourdhui=date(2024, 1, 23)))
    assert status == "en-attente-de-validation"
    assert statuses(engine)["diagnostic"] is StageStatus.en_attente_validation


def test_a_replay_follows_the_recorded_decisions_and_a_second_run_adds_nothing(
    prefect_server, dla_env, tmp_path
):
    boards = [
        {
            "structure": s,
            "instance": "conseil_administration",
            "decision": "validee",
            "date": date(2024, 1, 25),
        }
        for s in ("aci-un", "ai-deux")
    ]
    engine = load_case(dla_env, tmp_path, boards)
    run_case(CaseRun(reference=REF, aujourdhui=date(2024, 2, 1), rejouer=True))
    assert statuses(engine) == {
        "diagnostic": StageStatus.close,
        "mise-en-oeuvre": StageStatus.ouverte,
    }
    with Session(engine) as session:
        closed = session.exec(select(Stage).where(Stage.key == "diagnostic")).one().closed_at
    assert closed.date() == date(2024, 1, 25)
    before = counts(engine)
    run_case(CaseRun(reference=REF, aujourdhui=date(2024, 2, 1), rejouer=True))
    run_case(CaseRun(reference=REF, aujourdhui=date(2024, 2, 1)))
    assert counts(engine) == before


def test_dla_run_all_replays_every_case_of_the_database(prefect_server, dla_env, tmp_path):
    from typer.testing import CliRunner

    from dla.cli import app

    engine = load_case(dla_env, tmp_path)
    result = CliRunner().invoke(app, ["run", "--all", "--replay", "--today", "2024-01-23"])

    assert result.exit_code == 0, result.output
    assert "DLA99-2024-01 : en attente de validation" in result.output
    assert statuses(engine)["diagnostic"] is StageStatus.en_attente_validation
