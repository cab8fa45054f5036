"""A decision from the desk or a link takes effect at once, and survives a silent Prefect."""

from datetime import date

import pytest
from sqlmodel import Session, func, select

from dla.clock import FixedClock
from dla.db import transaction
from dla.validations import DecisionInput, record_validation
from models import Stage, Validation
from models.enums import Body, Decision, StageStatus
from tests.flows.test_resume import closed_port
from tests.web.conftest import MINE, TODAY
from tests.web.test_task_forms import mine, opened
from web.takeeffect import DEFERRED, after_decision

ENTRY = DecisionInput(
    MINE, "diagnostic", "aci-un", Body.conseil_administration, Decision.validee, date(2024, 2, 20)
)
CLOCK = FixedClock.on(TODAY)


def recorded(desk) -> None:
    with transaction(desk.engine) as session:
        record_validation(ENTRY, session=session, clock=CLOCK, recorded_by="Léa", channel="bureau")


def test_without_prefect_the_case_advances_by_its_plain_step(desk, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    recorded(opened(desk))
    assert after_decision(desk.engine, ENTRY, CLOCK) is None
    # Its end has passed: the stage now waits for the other board.
    assert mine(desk, Stage, "diagnostic").status is StageStatus.en_attente_validation


@pytest.mark.prefect
def test_an_unreachable_prefect_server_loses_nothing_and_the_run_waits_for_the_next_pass(
    desk, monkeypatch
):
    from prefect.settings import PREFECT_API_URL, PREFECT_CLIENT_MAX_RETRIES, temporary_settings

    url = f"http://127.0.0.1:{closed_port()}/api"
    monkeypatch.setenv("PREFECT_API_URL", url)
    recorded(opened(desk))
    with temporary_settings({PREFECT_API_URL: url, PREFECT_CLIENT_MAX_RETRIES: 0}):
        note = after_decision(desk.engine, ENTRY, CLOCK)
    assert note == DEFERRED
    assert "repris au prochain passage quotidien" in note
    with Session(desk.engine) as session:
        assert session.exec(select(func.count()).select_from(Validation)).one() == 1
    assert mine(desk, Stage, "diagnostic").status is StageStatus.en_attente_validation
