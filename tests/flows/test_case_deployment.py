"""The case flow served as a deployment: it suspends at a gate and resumes with a decision."""

import json
import time
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.deployments import run_deployment
from prefect.flow_runs import resume_flow_run
from sqlmodel import Session, select
from typer.testing import CliRunner

from dla.calendar import calendar_for
from dla.cli import app
from dla.clock import FixedClock
from dla.db import make_engine
from flows.resume import resume_waiting_runs
from models import Case, Stage, TimelineEvent, Validation
from models.enums import StageStatus
from models.types import PARIS
from tests.factories import case_data, save_case

REF = "DLA99-2024-01"
TODAY = date(2024, 1, 23)
DECIDED = TODAY  # the stage opens on the day the flow first runs
BOARDS = ("aci-un", "ai-deux")
POLL_SECONDS = 120


def decision(structure: str, **changes) -> dict:
    # The words the form offers (the server checks the input against the form's schema).
    answer = {
        "structure": structure,
        "instance": "conseil d'administration",
        "decision": "validée",
        "date_decision": DECIDED.isoformat(),
        "commentaire": f"Délibération du conseil de {structure}",
    }
    return answer | changes


def start_case(served, database_url, tmp_path, ref: str = REF):
    engine = make_engine(database_url)
    save_case(engine, tmp_path, case_data(reference=ref))
    run = run_deployment(
        served.name,
        parameters={"cas": {"reference": ref, "aujourdhui": TODAY.isoformat()}},
        timeout=0,
    )
    return engine, run.id


def explain(client, run, served) -> str:
    logs = client.read_logs(
        log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])), limit=200
    )
    lines = "\n".join(f"  {log.level} {log.message}" for log in logs)
    return (
        f"run {run.name} : {run.state.type.value} {run.state.name!r} ({run.state.message})\n"
        f"journal du run :\n{lines}\nrunner :\n{served.runner_log()}"
    )


def wait_for(run_id, served, wanted: str, reached):
    """Poll the run until `reached(state)`; fail with its state and logs otherwise."""
    with get_client(sync_client=True) as client:
        end = time.monotonic() + POLL_SECONDS
        while True:
            run = client.read_flow_run(run_id)
            if run.state is not None and reached(run.state):
                return run.state
            if (run.state is not None and run.state.is_final()) or time.monotonic() > end:
                pytest.fail(f"attendu : {wanted}\n{explain(client, run, served)}")
            time.sleep(0.5)


def suspended_at(key: str, name: str = "Suspended"):
    def reached(state) -> bool:
        return state.name == name and state.state_details.pause_key == key

    return reached


def completed(state) -> bool:
    return state.is_completed()


def of_case(model, ref: str):
    """The rows of `model` that belong to the case `ref` (a module's cases share a database)."""
    return Case.id == model.case_id, Case.reference == ref


def stage_status(engine, ref: str = REF) -> dict[str, StageStatus]:
    with Session(engine) as session:
        return {s.key: s.status for s in session.exec(select(Stage).where(*of_case(Stage, ref)))}


def validations(engine, ref: str = REF) -> list[tuple[str, str]]:
    query = select(Validation).where(*of_case(Validation, ref))
    with Session(engine) as session:
        return sorted((v.channel, v.recorded_by) for v in session.exec(query))


def event_kinds(engine, ref: str) -> Counter:
    with Session(engine) as session:
        return Counter(session.exec(select(TimelineEvent.kind).where(*of_case(TimelineEvent, ref))))


def summaries(engine, kind: str, ref: str) -> list[str]:
    query = select(TimelineEvent.summary).where(TimelineEvent.kind == kind)
    with Session(engine) as session:
        return list(session.exec(query.where(*of_case(TimelineEvent, ref))))


def gate_end(engine, ref: str) -> datetime:
    """Midnight after the gate's deadline: the stage's planned end plus its grace period."""
    query = select(Stage).where(Stage.key == "diagnostic", *of_case(Stage, ref))
    with Session(engine) as session:
        stage = session.exec(query).one()
        deadline = calendar_for("38").add_working_days(stage.planned_end, stage.gate_grace_days)
    return datetime.combine(deadline + timedelta(days=1), datetime.min.time(), tzinfo=PARIS)


def test_a_served_case_suspends_at_its_gate_with_a_form_until_deadline_plus_grace(
    deployed, case_ref, tmp_path
):
    before = datetime.now(PARIS)
    engine, run_id = start_case(deployed, deployed.database_url, tmp_path, case_ref)
    state = wait_for(run_id, deployed, "suspendu à diagnostic-0", suspended_at("diagnostic-0"))
    after = datetime.now(PARIS)
    assert stage_status(engine, case_ref)["diagnostic"] is StageStatus.en_attente_validation
    # The wait lasts from the case clock's now (the `aujourdhui` parameter) to the gate's end.
    left = gate_end(engine, case_ref) - FixedClock.on(TODAY).now()
    assert before + left <= state.state_details.pause_timeout <= after + left
    with get_client(sync_client=True) as client:
        schema = client.read_flow_run_input(run_id, "suspended-diagnostic-0-schema")
        description = client.read_flow_run_input(run_id, "suspended-diagnostic-0-description")
    assert "date_decision" in schema and "conseil d'administration" in schema
    # The form names the awaited boards by the structure keys it asks for.
    assert "aci-un (conseil d'administration)" in description
    assert "ai-deux (conseil d'administration)" in description


def test_a_decision_per_board_through_the_client_moves_the_case_on_without_duplicates(
    deployed, case_ref, tmp_path
):
    engine, run_id = start_case(deployed, deployed.database_url, tmp_path, case_ref)
    wait_for(run_id, deployed, "suspendu à diagnostic-0", suspended_at("diagnostic-0"))
    resume_flow_run(run_id, run_input=decision("aci-un"))
    wait_for(run_id, deployed, "suspendu à diagnostic-1", suspended_at("diagnostic-1"))
    assert validations(engine, case_ref) == [("prefect-ui", "interface Prefect")]
    resume_flow_run(run_id, run_input=decision("ai-deux"))
    wait_for(run_id, deployed, "run terminé", completed)
    assert stage_status(engine, case_ref) == {
        "diagnostic": StageStatus.close,
        "mise-en-oeuvre": StageStatus.ouverte,
    }
    assert validations(engine, case_ref) == [("prefect-ui", "interface Prefect")] * 2
    kinds = event_kinds(engine, case_ref)
    # Three executions of the flow from the top, each step written once.
    assert kinds["validation.recorded"] == 2
    assert kinds["stage.closed"] == 1
    assert kinds["stage.opened"] == 2
    assert kinds["stage.awaiting"] == 1
    assert all(
        "saisi via prefect-ui" in s for s in summaries(engine, "validation.recorded", case_ref)
    )


def test_a_refused_decision_suspends_the_run_again_with_its_reason_first_and_no_error(
    deployed, case_ref, tmp_path
):
    engine, run_id = start_case(deployed, deployed.database_url, tmp_path, case_ref)
    wait_for(run_id, deployed, "suspendu à diagnostic-0", suspended_at("diagnostic-0"))
    # Valid for the form, refused by the gate: a decision dated after the case's today.
    resume_flow_run(run_id, run_input=decision("aci-un", date_decision="2024-01-30"))
    again = suspended_at("diagnostic-1", "En attente (décision refusée)")
    wait_for(run_id, deployed, "de nouveau en attente, décision refusée", again)
    assert validations(engine, case_ref) == []
    assert stage_status(engine, case_ref)["diagnostic"] is StageStatus.en_attente_validation
    with get_client(sync_client=True) as client:
        description = json.loads(
            client.read_flow_run_input(run_id, "suspended-diagnostic-1-description")
        )
    assert description.startswith(
        "**Décision refusée, rien n'a été enregistré** : date de décision dans le futur : "
        "le 30 janvier 2024"
    )
    # The valid decision then moves on; the refusal, handled, is never logged as an error.
    resume_flow_run(run_id, run_input=decision("aci-un"))
    wait_for(run_id, deployed, "suspendu à diagnostic-2", suspended_at("diagnostic-2"))
    assert validations(engine, case_ref) == [("prefect-ui", "interface Prefect")]
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])), limit=200
        )
    assert [log.message for log in logs if log.level >= 40] == []
    refusals = [log for log in logs if log.message.startswith("Décision refusée")]
    assert [log.level for log in refusals] == [30]


def test_a_decision_on_another_stage_leaves_the_suspended_run_waiting(deployed, case_ref, tmp_path):
    engine, run_id = start_case(deployed, deployed.database_url, tmp_path, case_ref)
    wait_for(run_id, deployed, "suspendu à diagnostic-0", suspended_at("diagnostic-0"))
    assert resume_waiting_runs(case_ref, decision("aci-un"), stage="mise-en-oeuvre") == 0
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
    assert suspended_at("diagnostic-0")(state)
    assert resume_waiting_runs(case_ref, decision("aci-un"), stage="diagnostic") == 1
    wait_for(run_id, deployed, "suspendu à diagnostic-1", suspended_at("diagnostic-1"))
    assert validations(engine, case_ref) == [("prefect-ui", "interface Prefect")]


def test_dla_validate_records_each_board_and_resumes_the_suspended_run(
    deployed, case_ref, tmp_path, monkeypatch
):
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    engine, run_id = start_case(deployed, deployed.database_url, tmp_path, case_ref)
    for n, board in enumerate(BOARDS):
        wait_for(run_id, deployed, f"suspendu à diagnostic-{n}", suspended_at(f"diagnostic-{n}"))
        result = CliRunner().invoke(
            app,
            [
                "validate", case_ref, "diagnostic", "--structure", board, "--decision", "validee",
                "--instance", "conseil_administration", "--date", DECIDED.isoformat(),
                "--today", TODAY.isoformat(),
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Flux en attente repris : 1" in result.output
    wait_for(run_id, deployed, "run terminé", completed)
    assert stage_status(engine, case_ref)["diagnostic"] is StageStatus.close
    # The run replays the CLI's decision as its input: recorded once, by the CLI.
    assert validations(engine, case_ref) == [("cli", "dla validate")] * 2
    assert event_kinds(engine, case_ref)["validation.recorded"] == 2


def test_the_daily_pass_hands_a_waiting_run_the_decision_entered_while_prefect_was_away(
    deployed, case_ref, tmp_path
):
    from dla.clock import SystemClock
    from dla.db import transaction
    from dla.validations import DecisionInput, record_validation
    from flows.resume import resume_decided_runs
    from models.enums import Body, Decision

    engine, run_id = start_case(deployed, deployed.database_url, tmp_path, case_ref)
    wait_for(run_id, deployed, "suspendu à diagnostic-0", suspended_at("diagnostic-0"))
    # Entered on the desk while the server did not answer: recorded, the run not told.
    entry = DecisionInput(
        case_ref, "diagnostic", "aci-un", Body.conseil_administration, Decision.validee, DECIDED
    )
    with transaction(engine) as session:
        record_validation(
            entry, session=session, clock=SystemClock(), recorded_by="Léa", channel="bureau"
        )
    assert resume_decided_runs(engine) == 1
    wait_for(run_id, deployed, "suspendu à diagnostic-1", suspended_at("diagnostic-1"))
    assert validations(engine, case_ref) == [("bureau", "Léa")]  # handed over, not recorded twice
    assert resume_decided_runs(engine) == 0  # nothing new since it asked again
