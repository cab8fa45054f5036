"""The Prefect server restarted while a case's run is suspended at its gate: the run survives in
the server's database, and `dla validate` afterwards still resumes it to the stage's close.

Self-contained (not the session's test harness, which cannot be restarted): its own
`prefect server start` on a free loopback port and a SQLite file, and its own runner."""

import os
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dla.cli import app
from models.enums import StageStatus
from tests.faults.conftest import BIN, LEDGER, Child, spawn
from tests.flows.conftest import Served, serving_case_flow
from tests.flows.test_case_deployment import (
    BOARDS,
    DECIDED,
    REF,
    TODAY,
    completed,
    stage_status,
    start_case,
    suspended_at,
    validations,
    wait_for,
)
from tests.ports import free_port
from tests.prefect_db import copy_migrated

STARTUP_SECONDS = 120


@dataclass
class PrefectServer:
    """`prefect server start` in its own process group, on a fixed port and database file."""

    port: int
    folder: Path
    child: Child | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env |= {
            "PREFECT_HOME": str(self.folder / "home"),
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{self.folder}/prefect.db",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_ENABLED": "false",
        }
        command = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1"]
        log = self.folder / f"server-{time.monotonic_ns()}.log"
        self.child = spawn([*command, "--port", str(self.port)], env, log)
        end = time.monotonic() + STARTUP_SECONDS
        while not self.healthy():
            if self.child.process.poll() is not None or time.monotonic() > end:
                pytest.fail(f"le serveur Prefect n'a pas démarré :\n{self.child.output()}")
            time.sleep(0.5)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        """Stop it as an operator would (SIGTERM to its process group), wait for the port."""
        if self.child is None or self.child.process.poll() is not None:
            return
        os.killpg(self.child.process.pid, signal.SIGTERM)
        try:
            self.child.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.child.process.pid, signal.SIGKILL)
            self.child.process.wait()


@pytest.fixture
def server(tmp_path, tmp_path_factory) -> Iterator[PrefectServer]:
    folder = tmp_path / "prefect"
    copy_migrated(tmp_path_factory, folder / "prefect.db")
    server = PrefectServer(free_port(), folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def runner(server, dla_env, tmp_path) -> Iterator[Served]:
    """Serve the case flow against this server; the runner outlives the server's restart."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    name = f"panne-{uuid.uuid4().hex[:8]}"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    home, log = tmp_path / "runner-home", tmp_path / "runner.log"
    with (
        temporary_settings({PREFECT_API_URL: server.api_url}),
        serving_case_flow(name, server.api_url, home, log, environ) as (served, _),
    ):
        yield served


def validate(board: str) -> str:
    result = CliRunner().invoke(
        app,
        [
            "validate", REF, "diagnostic", "--structure", board, "--decision", "validee",
            "--instance", "conseil_administration", "--date", DECIDED.isoformat(),
            "--today", TODAY.isoformat(),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the fault is Prefect's
def test_a_suspended_case_run_survives_a_prefect_server_restart_and_resumes_on_validation(
    server, runner, database_url, tmp_path, monkeypatch
):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.setenv("PREFECT_API_URL", server.api_url)
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        engine, run_id = start_case(runner, database_url, tmp_path)
        wait_for(run_id, runner, "suspendu à diagnostic-0", suspended_at("diagnostic-0"))

        server.stop()
        assert not server.healthy()
        server.start()  # same port, same database file

        wait_for(run_id, runner, "toujours suspendu", suspended_at("diagnostic-0"))
        for n, board in enumerate(BOARDS):
            wait_for(run_id, runner, f"suspendu à diagnostic-{n}", suspended_at(f"diagnostic-{n}"))
            assert "Flux en attente repris : 1" in validate(board)
        wait_for(run_id, runner, "run terminé", completed)

    assert stage_status(engine)["diagnostic"] is StageStatus.close
    assert validations(engine) == [("cli", "dla validate")] * 2
    LEDGER.tried("redémarrage du serveur Prefect pendant un run suspendu")
