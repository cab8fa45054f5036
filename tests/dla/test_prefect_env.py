"""Prefect's environment for the CLI's local runs: a generous start-up bound, a home under var/."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dla.prefect_env import apply_prefect_env
from dla.settings import Settings
from tests.factories import write_case


def test_the_startup_bound_and_the_home_under_var_reach_prefects_own_settings(
    monkeypatch, tmp_path
):
    # Imported first: Prefect's process-wide settings must not pick up this test's home.
    from prefect.settings import Settings as PrefectSettings

    for name in (
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
        "PREFECT_HOME",
        "PREFECT_SERVER_ANALYTICS_ENABLED",
    ):
        monkeypatch.delenv(name, raising=False)
    applied = apply_prefect_env(Settings(var_dir=tmp_path / "var", prefect_startup_timeout=450))
    for name in applied:  # monkeypatch restores what the helper set
        monkeypatch.setenv(name, os.environ[name])
    prefect = PrefectSettings()  # read from the environment, as Prefect does at import
    assert prefect.server.ephemeral.startup_timeout_seconds == 450 > 20
    assert prefect.home == (tmp_path / "var" / "prefect").resolve()
    assert prefect.server.analytics_enabled is False  # no telemetry from an offline machine


def test_a_value_the_user_set_is_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "42")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "ailleurs"))
    applied = apply_prefect_env(Settings(var_dir=tmp_path / "var"))
    for name in applied:
        monkeypatch.setenv(name, os.environ[name])
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "42"
    assert os.environ["PREFECT_HOME"] == str(tmp_path / "ailleurs")


def test_a_local_server_too_slow_to_start_is_explained_in_french(sqlite_template, tmp_path):
    var = tmp_path / "var"
    database_url = f"sqlite:///{tmp_path / 'dla.db'}"
    shutil.copy(sqlite_template, tmp_path / "dla.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLA_", "PREFECT_"))}
    # One second is far less than a Prefect server needs to start: the bound is reached.
    env |= {"DLA_DATABASE_URL": database_url, "DLA_VAR_DIR": str(var)}
    env |= {"DLA_PREFECT_STARTUP_TIMEOUT": "1"}
    dla = str(Path(sys.executable).with_name("dla"))
    loaded = subprocess.run(
        [dla, "case", "load", str(write_case(tmp_path))], env=env, capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stderr
    out = subprocess.run(
        [dla, "run", "DLA99-2024-01", "--today", "2024-01-22"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Le serveur Prefect local n'a pas répondu dans le délai (1 s)" in out.stderr
    assert "DLA_PREFECT_STARTUP_TIMEOUT" in out.stderr
    assert "Traceback" not in out.stderr
    assert (var / "prefect").is_dir()  # Prefect's data stays under var/
