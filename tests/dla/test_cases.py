"""Saving case plans: upsert, idempotency, moves on the timeline, conflicts."""

from datetime import date, datetime

import pytest
from sqlmodel import Session, func, select

from dla.casefile.loader import load_case_file
from dla.cases import CaseConflict, save_plan
from dla.clock import FixedClock
from dla.db import transaction
from models import (
    Case,
    CaseMember,
    Contact,
    FollowUp,
    Organisation,
    Stage,
    Step,
    TimelineEvent,
    Validation,
    ValidationRequirement,
)
from models.enums import StageStatus, StepStatus
from tests.factories import case_data, write_case

CLOCK = FixedClock.on(date(2024, 1, 5))
ALL_TABLES = [
    Case,
    CaseMember,
    Contact,
    Organisation,
    Stage,
    Step,
    ValidationRequirement,
    Validation,
    FollowUp,
    TimelineEvent,
]


def load(engine, path, reason="test"):
    with transaction(engine) as session:
        return save_plan(
            load_case_file(path), session=session, clock=CLOCK, actor="test", reason=reason
        )


def counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in ALL_TABLES
        }


def test_loading_a_case_creates_its_stages_steps_and_requirements(engine, tmp_path):
    outcome = load(engine, write_case(tmp_path))
    assert outcome.status == "créé"
    with Session(engine) as session:
        case = session.exec(select(Case)).one()
        assert case.reference == "DLA99-2024-01"
        assert [s.key for s in session.exec(select(Stage).order_by(Stage.position))] == [
            "diagnostic",
            "mise-en-oeuvre",
        ]
        note = session.exec(select(Step).where(Step.key == "note-diagnostic")).one()
        assert note.due_date == date(2024, 1, 22)
        gate = session.exec(
            select(ValidationRequirement).where(ValidationRequirement.step_id.is_(None))
        ).all()
        assert len(gate) == 2  # @membres: the two SIAE boards
        assert (
            case.created_at.tzinfo is not None
            and case.created_at.utcoffset().total_seconds() == 3600
        )


def test_loading_the_same_file_twice_changes_nothing(engine, tmp_path):
    path = write_case(tmp_path)
    load(engine, path)
    before = counts(engine)
    outcome = load(engine, path)
    assert outcome.status == "inchangé"
    assert counts(engine) == before


def test_moving_an_anchor_moves_dependent_deadlines_and_logs_the_reason(engine, tmp_path):
    load(engine, write_case(tmp_path))
    data = case_data()
    data["etapes"][0]["debut"] = date(2024, 2, 5)
    outcome = load(engine, write_case(tmp_path, data), reason="CA reporté")
    assert outcome.status == "modifié"
    with Session(engine) as session:
        note = session.exec(select(Step).where(Step.key == "note-diagnostic")).one()
        assert note.due_date == date(2024, 2, 19)
        moves = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "step.moved")).all()
        summaries = " ".join(m.summary for m in moves)
        assert "22 janvier 2024" in summaries and "19 février 2024" in summaries
        assert all(m.data["motif"] == "CA reporté" for m in moves)
        assert {m.data["step"] for m in moves} == {"note-diagnostic", "recrutement"}


def test_a_step_removed_from_the_file_is_cancelled_not_deleted(engine, tmp_path):
    load(engine, write_case(tmp_path))
    data = case_data()
    data["etapes"][1]["taches"].append(
        {
            "cle": "convention",
            "titre": "Convention signée",
            "responsable": "porteur",
            "echeance": date(2024, 6, 3),
        }
    )
    load(engine, write_case(tmp_path, data))
    load(engine, write_case(tmp_path, case_data()))
    with Session(engine) as session:
        step = session.exec(select(Step).where(Step.key == "convention")).one()
        assert step.status is StepStatus.annulee


def test_an_opened_stage_cannot_be_removed_from_the_file(engine, tmp_path):
    load(engine, write_case(tmp_path))
    with transaction(engine) as session:
        stage = session.exec(select(Stage).where(Stage.key == "mise-en-oeuvre")).one()
        stage.status = StageStatus.ouverte
        session.add(stage)
    data = case_data()
    data["etapes"] = data["etapes"][:1]
    before = counts(engine)
    with pytest.raises(CaseConflict, match="mise-en-oeuvre"):
        load(engine, write_case(tmp_path, data))
    assert counts(engine) == before


def test_decisions_in_the_file_are_recorded_once(engine, tmp_path):
    data = case_data()
    data["etapes"][0]["decisions"] = [
        {
            "structure": "aci-un",
            "instance": "conseil_administration",
            "decision": "validee",
            "date": date(2024, 1, 25),
        }
    ]
    load(engine, write_case(tmp_path, data))
    data["titre"] = "Titre modifié"
    load(engine, write_case(tmp_path, data))
    with Session(engine) as session:
        validations = session.exec(select(Validation)).all()
        assert len(validations) == 1 and validations[0].channel == "fichier"
        recrutement = session.exec(select(Step).where(Step.key == "recrutement")).one()
        assert recrutement.due_date == date(2024, 3, 25)  # 2 months after the recorded decision


def test_organisations_and_contacts_are_shared_between_cases(engine, tmp_path):
    load(engine, write_case(tmp_path))
    load(engine, write_case(tmp_path, case_data(reference="DLA99-2024-02")))
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Organisation)).one() == 4
        assert session.exec(select(func.count()).select_from(Contact)).one() == 4
        assert session.exec(select(func.count()).select_from(Case)).one() == 2


def test_follow_ups_are_planned_after_implementation(engine, tmp_path):
    load(engine, write_case(tmp_path))
    with Session(engine) as session:
        dues = [f.due_date for f in session.exec(select(FollowUp).order_by(FollowUp.months_after))]
    assert dues == [date(2024, 6, 22), date(2024, 9, 22), date(2025, 3, 22)]


def test_timestamps_come_back_in_paris_time(engine, tmp_path):
    load(engine, write_case(tmp_path))
    with Session(engine) as session:
        event = session.exec(select(TimelineEvent)).first()
    assert isinstance(event.at, datetime)
    assert str(event.at.tzinfo) == "Europe/Paris"
    assert event.at == CLOCK.now()
