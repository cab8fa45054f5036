"""The reminder flows on a real Prefect engine (test harness)."""

import json
import time
from datetime import date

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
)

from dla import lifecycle
from dla.clock import FixedClock
from dla.db import make_engine, transaction
from flows.reminders import SweepRequest, sweep_reminders, weekly_digest
from tests.dla.outbox.conftest import outbox_case
from tests.factories import save_case

DAY = date(2024, 1, 4)


def load(engine, tmp_path, reference: str) -> None:
    save_case(engine, tmp_path, outbox_case() | {"reference": reference})
    with transaction(engine) as session:
        lifecycle.open_stage(
            reference, "diagnostic", session=session, clock=FixedClock.on(date(2024, 1, 8))
        )


def task_runs(client, run_id) -> list:
    """Read a flow run's task runs once the server has recorded them all (it does so async)."""
    seen, end = None, time.monotonic() + 60
    while time.monotonic() < end:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
        )
        settled = runs and all(r.state and r.state.is_final() for r in runs)
        if settled and len(runs) == seen:
            return runs
        seen = len(runs) if settled else None
        time.sleep(0.5)
    raise AssertionError("les exécutions de tâches n'ont pas été enregistrées à temps")


def run(day: date, lot: int = 200):
    state = sweep_reminders(SweepRequest(aujourdhui=day, lot=lot), return_state=True)
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        tasks = task_runs(client, run_id)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    return state.result(), len(tasks), artifacts


def test_the_sweep_flow_runs_as_many_tasks_for_many_notifications_as_for_few(
    prefect_server, dla_env, tmp_path
):
    engine = make_engine(dla_env)
    load(engine, tmp_path, "DLA99-2024-01")
    few, few_tasks, artifacts = run(DAY)
    for n in range(2, 6):
        load(engine, tmp_path, f"DLA99-2024-0{n}")
    many, many_tasks, _ = run(DAY, lot=2)  # many batches: still one sending task
    engine.dispose()
    assert 0 < few["sent"] < many["sent"]
    assert few_tasks == many_tasks
    table = json.loads(next(a for a in artifacts if a.key == "relances").data)
    assert len(table) == few["sent"] and {r["statut"] for r in table} == {"envoyée"}
    assert len(list((tmp_path / "var" / "outbox").glob("*.eml"))) == few["sent"] + many["sent"]


def test_the_weekly_digest_flow_sends_the_coordinator_and_the_digest_only_contact_a_digest(
    prefect_server, dla_env, tmp_path
):
    engine = make_engine(dla_env)
    load(engine, tmp_path, "DLA99-2024-01")
    engine.dispose()
    monday = date(2024, 1, 15)  # both steps fall due within the week
    state = weekly_digest(SweepRequest(aujourdhui=monday), return_state=True)
    assert state.result()["sent"] == 2
    outbox = tmp_path / "var" / "outbox"
    (digest,) = outbox.glob("resume_hebdo_coordination_2024-W03*.eml")
    assert "Note de diagnostic remise" in digest.read_bytes().decode()
    assert len(list(outbox.glob("resume_hebdo_partenaire_2024-W03_referent*.eml"))) == 1


def test_a_scheduled_run_needs_no_parameter(prefect_server, dla_env):
    counts = sweep_reminders()
    assert counts == {
        "sent": 0, "retry": 0, "failed": 0, "cancelled": 0, "held": 0,
        "advanced": 0, "advance_failed": 0, "resumed": 0,
    }  # fmt: skip


def test_the_sweep_opens_the_stages_whose_day_has_come_and_refreshes_their_artifacts(
    prefect_server, dla_env, tmp_path
):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path, outbox_case())
    engine.dispose()
    counts, _, artifacts = run(date(2024, 1, 8))
    assert counts["advanced"] == 1 and counts["advance_failed"] == 0
    keys = {a.key for a in artifacts}
    assert {"cas-dla99-2024-01", "journal-dla99-2024-01", "livrables-dla99-2024-01"} <= keys
    journal = next(a for a in artifacts if a.key == "journal-dla99-2024-01")
    assert "Étape ouverte" in journal.data
