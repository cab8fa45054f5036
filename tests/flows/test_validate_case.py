"""Recording a validation through its flow (the "enregistrer une validation" deployment)."""

from datetime import date

from sqlmodel import Session, select

from dla.clock import FixedClock
from dla.db import make_engine
from dla.progress import advance, plain_steps
from flows.validate_case import ValidationForm, validate_case
from models import Stage, Validation
from models.enums import StageStatus
from tests.factories import save_case


def test_a_decision_is_recorded_once_with_its_channel(prefect_server, dla_env, tmp_path):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path)
    advance(engine, "DLA99-2024-01", FixedClock.on(date(2024, 1, 22)), plain_steps(engine))
    form = ValidationForm(
        reference="DLA99-2024-01",
        etape="diagnostic",
        structure="aci-un",
        instance="conseil_administration",
        decision="validee",
        date_decision=date(2024, 1, 22),
    )

    assert validate_case(form).startswith("décision enregistrée ; cas : ")
    assert validate_case(form).startswith("décision déjà enregistrée ; cas : ")
    with Session(engine) as session:
        (validation,) = session.exec(select(Validation)).all()
    assert validation.channel == "prefect-formulaire"


def test_a_decision_no_run_waits_for_closes_the_gate_at_once(prefect_server, dla_env, tmp_path):
    engine = make_engine(dla_env)
    save_case(engine, tmp_path)
    advance(engine, "DLA99-2024-01", FixedClock.on(date(2024, 1, 22)), plain_steps(engine))
    for structure in ("aci-un", "ai-deux"):
        validate_case(
            ValidationForm(
                reference="DLA99-2024-01",
                etape="diagnostic",
                structure=structure,
                instance="conseil_administration",
                decision="validee",
                date_decision=date(2024, 1, 22),
            )
        )
    with Session(engine) as session:
        status = session.exec(select(Stage.status).where(Stage.key == "diagnostic")).one()
    assert status is StageStatus.close
