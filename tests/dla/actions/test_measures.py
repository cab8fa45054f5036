"""Recording an indicator's measure, and a follow-up with the indicators measured then."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from dla.actions import ActionRefused, Actor, advance_after
from dla.actions.followups import record_follow_up
from dla.actions.measures import record_measure
from dla.clock import FixedClock
from dla.db import transaction
from dla.outbox.rhythm_rules import follow_up_candidates
from dla.outbox.state import load_states
from dla.progress import advance, plain_steps
from models import Case, FollowUp, Indicator, Stage, TimelineEvent
from models.enums import CaseStatus, StageStatus
from tests.factories import OPENED_ON, REFERENCE, all_rows, case_data, save_case

DESK = Actor("Camille Martin", "bureau")
DAY = FixedClock.on(date(2024, 1, 15))
INDICATORS = [
    {
        "cle": "postes",
        "libelle": "Postes partagés pourvus",
        "type": "quantitatif",
        "unite": "ETP",
        "cible": 2,
    },
    {"cle": "cooperation", "libelle": "Qualité de la coopération", "type": "qualitatif"},
]


@pytest.fixture
def measured(engine, tmp_path):
    """The minimal case with two indicators, its diagnostic open."""
    save_case(engine, tmp_path, case_data(indicateurs=INDICATORS))
    advance(engine, REFERENCE, FixedClock.on(OPENED_ON), plain_steps(engine))
    return engine


def measure(engine, indicator="postes", value="1,5", clock=DAY, **kwargs):
    with transaction(engine) as session:
        return record_measure(
            REFERENCE, indicator, value=value, session=session, clock=clock, actor=DESK, **kwargs
        )


def follow_up(engine, months=3, clock=DAY, summary="Le poste partagé tient.", **kwargs):
    with transaction(engine) as session:
        return record_follow_up(
            REFERENCE, months, summary=summary, session=session, clock=clock, actor=DESK, **kwargs
        )


def refusal(call) -> list[tuple[str | None, str]]:
    with pytest.raises(ActionRefused) as caught:
        call()
    return [(p.field, p.message) for p in caught.value.problems]


def indicator(engine, key="postes") -> Indicator:
    with Session(engine) as session:
        return session.exec(select(Indicator).where(Indicator.key == key)).one()


def test_a_number_typed_the_french_way_is_recorded_in_the_indicator_s_unit(measured):
    outcome = measure(measured, value="1,5 ETP", measured_on=date(2024, 1, 12))
    assert outcome.summary == (
        "Indicateur « Postes partagés pourvus » mesuré le 12 janvier 2024 : 1,5 ETP (cible : 2 ETP)"
    )
    row = indicator(measured)
    assert (row.measured_value, row.measured_on) == (1.5, date(2024, 1, 12))
    with Session(measured) as session:
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "indicator.measured")
        ).one()
    assert (event.actor, event.data["channel"], event.data["before"]["valeur"]) == (
        "Camille Martin",
        "bureau",
        None,
    )


def test_a_qualitative_indicator_takes_a_text(measured):
    measure(measured, "cooperation", "Réunions mensuelles tenues")
    assert indicator(measured, "cooperation").measured_text == "Réunions mensuelles tenues"


def test_a_text_for_a_number_and_another_unit_are_refused_and_nothing_is_written(measured):
    rows = all_rows(measured)
    assert refusal(lambda: measure(measured, value="beaucoup")) == [
        (
            "valeur",
            "valeur de « Postes partagés pourvus » invalide : 'beaucoup' ; attendu : un nombre "
            "(ex. 12 ou 12,5) en ETP",
        )
    ]
    assert refusal(lambda: measure(measured, value="3", unit="postes")) == [
        ("valeur", "unité 'postes' ; attendu : 'ETP' (l'unité de l'indicateur)")
    ]
    assert all_rows(measured) == rows


def test_a_measure_dated_tomorrow_or_before_the_case_is_refused(measured):
    problems = refusal(lambda: measure(measured, measured_on=DAY.today() + timedelta(days=1)))
    assert problems[0][0] == "mesure_le" and "dans le futur" in problems[0][1]
    problems = refusal(lambda: measure(measured, measured_on=date(2023, 12, 1)))
    assert "antérieure au début de l'accompagnement" in problems[0][1]


def test_an_unknown_indicator_is_refused_naming_the_case_s(measured):
    assert refusal(lambda: measure(measured, "emplois")) == [
        ("indicateur", "indicateur inconnu : 'emplois' ; attendu parmi : cooperation, postes")
    ]


def test_the_same_measure_again_changes_nothing(measured):
    measure(measured)
    rows = all_rows(measured)
    assert not measure(measured).changed
    assert all_rows(measured) == rows


def test_a_follow_up_recorded_with_its_measures_stops_its_reminders(measured):
    outcome = follow_up(measured, measures={"postes": "2", "cooperation": "Bonne"})
    assert outcome.summary.startswith("Suivi à 3 mois fait le 15 janvier 2024 (prévu le")
    assert "mesures : Postes partagés pourvus 2 ETP, Qualité de la coopération « Bonne »" in (
        outcome.summary
    )
    with Session(measured) as session:
        row = session.exec(select(FollowUp).where(FollowUp.months_after == 3)).one()
        (state,) = load_states(
            session=session, today=DAY.today(), horizon=timedelta(days=800)
        ).values()
    assert (row.done_on, row.notes) == (DAY.today(), "Le poste partagé tient.")
    assert indicator(measured).measured_value == 2
    announced = {c.target for c in follow_up_candidates(state, DAY.today())}
    assert announced == {f"{REFERENCE}/suivi/6", f"{REFERENCE}/suivi/12"}


def test_a_follow_up_with_a_bad_measure_is_refused_whole(measured):
    rows = all_rows(measured)
    problems = refusal(
        lambda: follow_up(measured, summary=" ", measures={"postes": "x", "inconnu": "1"})
    )
    assert [field for field, _ in problems] == ["resume", "mesure_postes", "mesure_inconnu"]
    assert all_rows(measured) == rows


def test_an_unplanned_follow_up_is_refused_naming_the_planned_ones(measured):
    problems = refusal(lambda: follow_up(measured, months=4))
    assert problems[0][0] == "mois"
    assert problems[0][1].startswith("suivi inconnu : 4 mois ; attendu parmi : 3 (")


def test_the_last_follow_up_lets_a_finished_case_close(measured):
    with transaction(measured) as session:
        for stage in session.exec(select(Stage)):
            stage.status = StageStatus.close
            session.add(stage)
    for months in (3, 6, 12):
        follow_up(measured, months)
    advance_after(measured, REFERENCE, DAY)
    with Session(measured) as session:
        assert session.exec(select(Case.status)).one() is CaseStatus.close
