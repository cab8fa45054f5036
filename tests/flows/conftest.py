"""A real Prefect engine for flow tests: one test harness for the session, served deployments."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 120


SERVE = """
import sys

from prefect.deployments.runner import EntrypointType

from flows.case_flow import run_case

run_case.serve(
    name=sys.argv[1], print_starting_message=False, entrypoint_type=EntrypointType.MODULE_PATH
)
"""


@dataclass
class Served:
    """A deployment of the case flow and the log of the runner process serving it."""

    name: str
    log: Path

    def runner_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


@contextmanager
def serving_case_flow(name: str, api_url: str, home: Path, log: Path, environ: dict):
    """Serve the case flow as deployment `name` from a runner process; yield it and its id."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_URL, temporary_settings

    served = Served(f"accompagnement/{name}", log)
    # The runner and its flow-run subprocesses read DLA_DATABASE_URL from this environment.
    env = {
        **environ,
        "PREFECT_API_URL": api_url,
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_HOME": str(home),
    }
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "-c", SERVE, name], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as c:
            end = time.monotonic() + STARTUP_SECONDS
            while True:
                if runner.poll() is not None or time.monotonic() > end:
                    pytest.fail(f"le runner n'a pas démarré :\n{served.runner_log()}")
                try:
                    deployment = c.read_deployment_by_name(served.name)
                    break
                except ObjectNotFound:
                    time.sleep(0.5)
        yield served, deployment.id
    finally:
        runner.terminate()
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            runner.kill()
            runner.wait()


@pytest.fixture
def case_deployment(prefect_server, dla_env, tmp_path) -> Iterator[Served]:
    """Serve the case flow from a runner process that inherits the test's database settings."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.settings import PREFECT_API_URL
    from prefect.states import Cancelled

    name = f"test-{uuid.uuid4().hex[:8]}"
    home, log = tmp_path / "prefect-home", tmp_path / "runner.log"
    with serving_case_flow(name, PREFECT_API_URL.value(), home, log, dict(os.environ)) as (
        served,
        deployment_id,
    ):
        yield served
        # Leave no suspended run behind for a later test's `dla validate` to resume.
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
            )
            for run in runs:
                if run.state is None or not run.state.is_final():
                    client.set_flow_run_state(run.id, Cancelled(message="fin du test"), force=True)
