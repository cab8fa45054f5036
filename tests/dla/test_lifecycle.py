"""The case lifecycle without Prefect: stages open, gates wait, decisions move the case."""

from datetime import date

import pytest
from sqlmodel import Session, func, select

from dla.clock import FixedClock
from dla.db import transaction
from dla.lifecycle import check_gate
from dla.progress import advance, plain_steps
from dla.validations import DecisionInput, ValidationRefused, record_validation
from models import Case, Stage, TimelineEvent, Validation
from models.enums import Body, CaseStatus, Decision, StageStatus
from tests.dla.test_vigilance import GOOD_CONTEXT
from tests.factories import case_data, save_case

REF = "DLA99-2024-01"


@pytest.fixture
def loaded(engine, tmp_path):
    data = case_data(contexte=GOOD_CONTEXT, origine="collectif")
    data["contexte"] = {k: v for k, v in GOOD_CONTEXT.items() if k != "injonction"}
    data["indicateurs"] = [
        {
            "cle": "postes",
            "libelle": "Postes pourvus",
            "type": "quantitatif",
            "cible": 1,
            "fixe_le": date(2024, 1, 10),
        }
    ]
    data["periodes"] = [
        {"cle": "appropriation", "type": "appropriation", "debut": date(2024, 1, 23), "duree": 10}
    ]
    save_case(engine, tmp_path, data)
    return engine


def step(engine, day: date) -> str:
    return advance(engine, REF, FixedClock.on(day), plain_steps(engine))


def gate(engine, key: str, day: date):
    with transaction(engine) as session:
        return check_gate(REF, key, session=session, clock=FixedClock.on(day))


def decide(engine, day: date, structure="aci-un", decision=Decision.validee, **kw):
    entry = DecisionInput(
        REF,
        kw.pop("stage", "diagnostic"),
        structure,
        kw.pop("body", Body.conseil_administration),
        decision,
        kw.pop("decided_on", day),
        kw.pop("comment", None),
        kw.pop("postponed_to", None),
    )
    with transaction(engine) as session:
        return record_validation(
            entry, session=session, clock=FixedClock.on(day), recorded_by="test", channel="cli"
        )


def stage_status(engine, key: str) -> StageStatus:
    with Session(engine) as session:
        return session.exec(select(Stage.status).where(Stage.key == key)).one()


def total(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_stage_does_not_open_before_its_start_date(loaded):
    assert step(loaded, date(2024, 1, 5)) == "etape-a-venir"
    assert stage_status(loaded, "diagnostic") is StageStatus.a_venir


def test_the_gate_waits_for_both_boards_then_the_next_stage_opens(loaded):
    assert step(loaded, date(2024, 1, 22)) == "en-attente-de-validation"
    decide(loaded, date(2024, 1, 23))
    assert step(loaded, date(2024, 1, 23)) == "en-attente-de-validation"
    outcome = gate(loaded, "diagnostic", date(2024, 1, 23))
    assert outcome.state == "awaiting" and len(outcome.gate.missing) == 1
    decide(loaded, date(2024, 1, 24), structure="ai-deux")
    assert step(loaded, date(2024, 1, 24)) == "en-cours"
    assert stage_status(loaded, "diagnostic") is StageStatus.close
    assert stage_status(loaded, "mise-en-oeuvre") is StageStatus.ouverte


def test_running_again_the_same_day_adds_nothing(loaded):
    step(loaded, date(2024, 1, 22))
    decide(loaded, date(2024, 1, 23))
    step(loaded, date(2024, 1, 23))
    before = (total(loaded, TimelineEvent), total(loaded, Validation))
    step(loaded, date(2024, 1, 23))
    decide(loaded, date(2024, 1, 23))
    assert (total(loaded, TimelineEvent), total(loaded, Validation)) == before


def test_a_refusal_reopens_the_stage_with_its_reason(loaded):
    step(loaded, date(2024, 1, 22))
    decide(
        loaded, date(2024, 1, 23), decision=Decision.refusee, comment="Valeurs pas assez partagées"
    )
    step(loaded, date(2024, 1, 23))
    with Session(loaded) as session:
        stage = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "stage.reopened")
        ).one()
    assert stage.status is StageStatus.ouverte and stage.planned_end == date(2024, 2, 6)
    assert "Valeurs pas assez partagées" in event.summary


def test_a_postponement_moves_the_deadline_and_says_why(loaded):
    step(loaded, date(2024, 1, 22))
    decide(
        loaded,
        date(2024, 1, 23),
        decision=Decision.reportee,
        postponed_to=date(2024, 3, 4),
        comment="CA en mars",
    )
    step(loaded, date(2024, 1, 23))
    with Session(loaded) as session:
        stage = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "stage.postponed")
        ).one()
    assert stage.planned_end == date(2024, 3, 4)
    assert "4 mars 2024" in event.summary and "CA en mars" in event.summary


def test_a_blocking_finding_stops_the_gate(engine, tmp_path):
    save_case(engine, tmp_path)
    with transaction(engine) as session:
        stage = session.exec(select(Stage).where(Stage.key == "diagnostic")).one()
        stage.gate_rule = "au_moins_un"
    step(engine, date(2024, 1, 22))
    decide(engine, date(2024, 1, 23))
    decide(engine, date(2024, 1, 23), structure="ai-deux")
    assert step(engine, date(2024, 3, 28)) == "en-attente-de-validation"
    outcome = gate(engine, "mise-en-oeuvre", date(2024, 3, 28))
    assert outcome.state == "awaiting"
    assert {f.code for f in outcome.findings if f.level == "bloquant"} == {
        "gouvernance-avant-intervention",
        "indicateurs-avant-mise-en-oeuvre",
    }
    with Session(engine) as session:
        assert session.exec(select(Case.status)).one() is CaseStatus.en_attente_validation


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"stage": "inconnue"}, "étape inconnue"),
        ({"structure": "cabinet-fantome"}, "structure absente du cas"),
        ({"decided_on": date(2024, 2, 1)}, "dans le futur"),
        ({"decided_on": date(2024, 1, 5)}, "antérieure à l'ouverture"),
        ({"decision": Decision.reportee}, "nouvelle date"),
        ({"body": Body.comite_pilotage}, "ne fait pas partie des validations attendues"),
        ({"stage": "mise-en-oeuvre"}, "pas encore ouverte"),
    ],
)
def test_bad_input_to_a_gate_is_refused_and_changes_nothing(loaded, changes, fragment):
    step(loaded, date(2024, 1, 22))
    before = (total(loaded, TimelineEvent), total(loaded, Validation))
    with pytest.raises(ValidationRefused, match=fragment):
        decide(loaded, date(2024, 1, 23), **changes)
    assert (total(loaded, TimelineEvent), total(loaded, Validation)) == before


def overlapping(engine, tmp_path):
    data = case_data()
    data["etapes"].insert(
        1,
        {
            "cle": "module-regional",
            "temps": "diagnostic",
            "phase": 2,
            "titre": "Module régional",
            "debut": date(2024, 1, 15),
            "fin": date(2024, 3, 29),
        },
    )
    data["etapes"][2]["debut"] = date(2024, 1, 23)
    save_case(engine, tmp_path, data)


def test_a_stage_overlapping_a_waiting_one_runs_alongside_it(engine, tmp_path):
    overlapping(engine, tmp_path)

    step(engine, date(2024, 1, 22))

    assert stage_status(engine, "diagnostic") is StageStatus.en_attente_validation
    assert stage_status(engine, "module-regional") is StageStatus.ouverte


def test_a_stage_planned_after_a_waiting_one_does_not_open(engine, tmp_path):
    overlapping(engine, tmp_path)

    step(engine, date(2024, 4, 2))

    assert stage_status(engine, "module-regional") is StageStatus.close
    assert stage_status(engine, "diagnostic") is StageStatus.en_attente_validation
    assert stage_status(engine, "mise-en-oeuvre") is StageStatus.a_venir


def test_a_stage_caught_up_late_accepts_a_decision_taken_since_its_planned_start(loaded):
    step(loaded, date(2024, 1, 24))  # the diagnostic was planned to open on 8 January

    validation, new = decide(loaded, date(2024, 1, 24), decided_on=date(2024, 1, 10))

    assert new and validation.decided_on == date(2024, 1, 10)


def test_a_decision_entered_names_its_organisation_as_a_file_decision_does(loaded):
    step(loaded, date(2024, 1, 22))
    decide(loaded, date(2024, 1, 23))
    with Session(loaded) as session:
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "validation.recorded")
        ).one()
    assert event.summary.startswith("Diagnostic partagé : ACI Un (")
    assert event.actor == "test" and event.data["channel"] == "cli"
