"""A real Prefect engine for flow tests: one test harness for the session, served deployments."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
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


@pytest.fixture
def case_deployment(prefect_server, dla_env, tmp_path) -> Iterator[Served]:
    """Serve the case flow from a runner process that inherits the test's database settings."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_URL
    from prefect.states import Cancelled

    name = f"test-{uuid.uuid4().hex[:8]}"
    served = Served(f"accompagnement/{name}", tmp_path / "runner.log")
    # The runner and its flow-run subprocesses read DLA_DATABASE_URL from this environment.
    env = {
        **os.environ,
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
    }
    with served.log.open("wb") as log:
        runner = subprocess.Popen(
            [sys.executable, "-c", SERVE, name], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        with get_client(sync_client=True) as client:
            deployment = None
            end = time.monotonic() + STARTUP_SECONDS
            while deployment is None:
                if runner.poll() is not None or time.monotonic() > end:
                    pytest.fail(f"le runner n'a pas démarré :\n{served.runner_log()}")
                try:
                    deployment = client.read_deployment_by_name(served.name)
                except ObjectNotFound:
                    time.sleep(0.5)
            yield served
            # Leave no suspended run behind for a later test's `dla validate` to resume.
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
            )
            for run in runs:
                if run.state is None or not run.state.is_final():
                    client.set_flow_run_state(run.id, Cancelled(message="fin du test"), force=True)
    finally:
        runner.terminate()
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            runner.kill()
            runner.wait()
