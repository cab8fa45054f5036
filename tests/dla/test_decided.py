"""The decisions a waiting run was never handed: recorded on its stage after it suspended."""

from datetime import date

from sqlmodel import Session

from dla.clock import FixedClock
from dla.db import transaction
from dla.decided import decided_since
from dla.validations import DecisionInput, record_validation
from models.enums import Body, Decision
from tests.factories import REFERENCE, open_case_stage

PAUSED = FixedClock.on(date(2024, 1, 24), hour=12).now()


def record(engine, structure: str, hour: int) -> DecisionInput:
    entry = DecisionInput(
        REFERENCE, "diagnostic", structure, Body.conseil_administration, Decision.validee,
        date(2024, 1, 24), "vu", None,
    )  # fmt: skip
    clock = FixedClock.on(date(2024, 1, 24), hour=hour)
    with transaction(engine) as session:
        record_validation(entry, session=session, clock=clock, recorded_by="t", channel="bureau")
    return entry


def test_the_latest_decision_recorded_after_the_run_suspended_is_handed_to_it(engine, tmp_path):
    open_case_stage(engine, tmp_path)
    record(engine, "aci-un", hour=10)  # seen by the run before it suspended
    later = record(engine, "ai-deux", hour=14)
    with Session(engine) as session:
        found = decided_since([(REFERENCE, "diagnostic", PAUSED)], session=session)
    assert found == {(REFERENCE, "diagnostic"): later}


def test_a_run_with_nothing_new_on_its_stage_is_left_waiting(engine, tmp_path):
    open_case_stage(engine, tmp_path)
    record(engine, "aci-un", hour=14)
    with Session(engine) as session:
        waiting = [(REFERENCE, "diagnostic", FixedClock.on(date(2024, 1, 25)).now()),
                   (REFERENCE, "mise-en-oeuvre", PAUSED)]  # fmt: skip
        assert decided_since(waiting, session=session) == {}
