"""Resuming a waiting case run from `dla validate` when the Prefect server cannot be reached."""

import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlmodel import Session, func, select

from dla import lifecycle
from dla.clock import FixedClock
from dla.db import make_engine, transaction
from models import Validation
from tests.factories import case_data, save_case

REF = "DLA99-2024-01"
TODAY = date(2024, 1, 23)
DLA = Path(sys.executable).with_name("dla")


def closed_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dla_validate_keeps_the_decision_and_says_so_when_prefect_is_unreachable(dla_env, tmp_path):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path, case_data())
    with transaction(engine) as session:
        lifecycle.open_stage(REF, "diagnostic", session=session, clock=FixedClock.on(TODAY))
    env = {
        **os.environ,
        "PREFECT_API_URL": f"http://127.0.0.1:{closed_port()}/api",
        "PREFECT_CLIENT_MAX_RETRIES": "0",
    }
    command = [
        str(DLA), "validate", REF, "diagnostic", "--structure", "aci-un",
        "--decision", "validee", "--instance", "conseil_administration",
        "--date", TODAY.isoformat(), "--today", TODAY.isoformat(),
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "La décision est enregistrée" in result.stderr
    assert "relancez la même commande" in result.stderr
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Validation)).one() == 1
