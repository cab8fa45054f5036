"""A real Prefect engine for flow tests: one test harness for the session, served deployments."""

import itertools
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from dla.db import private_schema
from tests.conftest import BACKENDS, PG_URL

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
    database_url: str = ""
    deployment_id: object = None

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


@pytest.fixture(scope="module", params=BACKENDS)
def served_database(request, tmp_path_factory) -> Iterator[str]:
    """A migrated database for one module's served flow: its runner lives as long as it."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("served") / "dla.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    # Its own schema: the function-scoped PostgreSQL tests empty the shared one between tests.
    with private_schema(PG_URL, "dla_served") as url:
        yield f"{url}%20-csynchronous_commit%3Doff"


@pytest.fixture(scope="module")
def case_deployment(prefect_server, served_database, tmp_path_factory) -> Iterator[Served]:
    """Serve the case flow once for a module, from a runner process on the module's database.

    Starting a runner, and stopping it, costs seconds of CPU: its tests share one, each with a
    case of its own (`case_ref`), and `deployed` cancels what a test leaves waiting.
    """
    from prefect.settings import PREFECT_API_URL

    folder = tmp_path_factory.mktemp("runner")
    name = f"test-{uuid.uuid4().hex[:8]}"
    environ = os.environ | {"DLA_DATABASE_URL": served_database, "DLA_VAR_DIR": str(folder)}
    with serving_case_flow(
        name, PREFECT_API_URL.value(), folder / "prefect-home", folder / "runner.log", environ
    ) as (served, deployment_id):
        served.database_url, served.deployment_id = served_database, deployment_id
        yield served


@pytest.fixture
def deployed(case_deployment, monkeypatch) -> Iterator[Served]:
    """The module's served flow, the `dla` settings on its database; its runs cancelled after."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.states import Cancelled

    from dla.settings import get_settings

    monkeypatch.setenv("DLA_DATABASE_URL", case_deployment.database_url)
    monkeypatch.setenv("DLA_VAR_DIR", str(case_deployment.log.parent))
    get_settings.cache_clear()
    yield case_deployment
    get_settings.cache_clear()
    # Leave no suspended run behind for a later test's `dla validate` to resume.
    ids = DeploymentFilter(id=DeploymentFilterId(any_=[case_deployment.deployment_id]))
    with get_client(sync_client=True) as client:
        for run in client.read_flow_runs(deployment_filter=ids):
            if run.state is None or not run.state.is_final():
                client.set_flow_run_state(run.id, Cancelled(message="fin du test"), force=True)


@pytest.fixture
def case_ref() -> str:
    """A case reference of the test's own, among those of its module's shared database."""
    return f"DLA99-2024-{next(_REFERENCES):02d}"


_REFERENCES = itertools.count(1)
