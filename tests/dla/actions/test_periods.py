"""Starting and ending a period: the core functions behind every door."""

from datetime import date

import pytest
from sqlmodel import Session, select

from dla.actions import ActionRefused, Actor, end_period, start_period
from dla.clock import FixedClock
from dla.db import transaction
from models import Period, TimelineEvent
from models.enums import PeriodKind
from tests.factories import REFERENCE, all_rows

CLI = Actor("léa", "cli")
DAY = FixedClock.on(date(2024, 1, 15))


def start(engine, clock=DAY, **fields):
    fields = {"kind": "appropriation", "end_on": date(2024, 1, 26)} | fields
    with transaction(engine) as session:
        return start_period(REFERENCE, session=session, clock=clock, actor=CLI, **fields)


def end(engine, key="appropriation-2024-01-15", clock=DAY, **fields):
    with transaction(engine) as session:
        return end_period(REFERENCE, key, session=session, clock=clock, actor=CLI, **fields)


def refusal(call) -> dict:
    with pytest.raises(ActionRefused) as caught:
        call()
    return {p.field: p.message for p in caught.value.problems}


def period(engine) -> Period:
    with Session(engine) as session:
        return session.exec(select(Period)).one()


def test_a_period_starts_today_until_its_planned_end(opened):
    outcome = start(opened, note="Le temps de lire la note")
    assert outcome.summary.startswith(
        "Période d'appropriation « appropriation-2024-01-15 » ouverte du 15 janvier 2024 au "
        "26 janvier 2024"
    )
    p = period(opened)
    assert (p.kind, p.start_on, p.end_on, p.note) == (
        PeriodKind.appropriation, date(2024, 1, 15), date(2024, 1, 26), "Le temps de lire la note",
    )  # fmt: skip


def test_an_unknown_kind_is_refused_listing_the_kinds_in_french(opened):
    rows = all_rows(opened)
    assert refusal(lambda: start(opened, kind="vacances")) == {
        "type": "type de période inconnu : 'vacances' ; attendu parmi : appropriation (période "
        "d'appropriation), non_intervention (période de non-intervention)"
    }
    assert all_rows(opened) == rows


def test_a_period_ending_before_it_starts_is_refused(opened):
    assert refusal(lambda: start(opened, end_on=date(2024, 1, 12)))["fin"] == (
        "fin prévue 12 janvier 2024 avant le début ; attendu : le 15 janvier 2024 ou après"
    )


def test_a_period_starting_in_the_past_is_refused(opened):
    assert refusal(lambda: start(opened, start_on=date(2024, 1, 10)))["debut"].startswith(
        "début dans le passé : 10 janvier 2024"
    )


def test_two_periods_cannot_share_a_key(opened):
    start(opened, key="pause")
    assert refusal(lambda: start(opened, key="pause", end_on=date(2024, 2, 2))) == {
        "cle": "clé déjà prise par une autre période : 'pause'"
    }


def test_a_period_ended_early_keeps_its_planned_end_on_the_timeline(opened):
    start(opened)
    outcome = end(opened, clock=FixedClock.on(date(2024, 1, 19)))
    assert outcome.summary == (
        "Période d'appropriation « appropriation-2024-01-15 » terminée le 19 janvier 2024 "
        "(prévue jusqu'au 26 janvier 2024)"
    )
    assert period(opened).end_on == date(2024, 1, 19)
    with Session(opened) as session:
        event = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "period.ended")
        ).one()
    assert (event.actor, event.data["channel"]) == ("léa", "cli")


def test_only_a_period_in_progress_can_be_ended(opened):
    start(opened, start_on=date(2024, 1, 17))
    assert refusal(lambda: end(opened, key="appropriation-2024-01-17")) == {
        "periode": "période 'appropriation-2024-01-17' pas en cours (commence le 17 janvier "
        "2024) ; attendu : une période en cours"
    }


def test_an_unknown_period_is_refused_naming_the_case_s_periods(opened):
    start(opened)
    assert refusal(lambda: end(opened, key="autre")) == {
        "periode": "période inconnue : 'autre' ; attendu parmi : appropriation-2024-01-15"
    }


def test_a_period_cannot_end_after_today(opened):
    start(opened)
    assert refusal(lambda: end(opened, end_on=date(2024, 1, 16)))["fin"].startswith(
        "date de fin 16 janvier 2024 ; attendu : entre le début de la période"
    )


def test_the_same_period_started_again_changes_nothing(opened):
    start(opened)
    rows = all_rows(opened)
    assert not start(opened).changed
    assert all_rows(opened) == rows


def test_a_period_ended_twice_the_same_day_changes_nothing(opened):
    start(opened)
    end(opened)
    assert not end(opened).changed


def test_a_started_period_holds_the_consultant_s_reminders(opened):
    from dla.actions import add_task
    from dla.outbox.candidates import case_candidates
    from dla.outbox.state import load_states

    clock = FixedClock.on(date(2024, 1, 10))
    with transaction(opened) as session:
        add_task(REFERENCE, "diagnostic", key="entretiens", title="Entretiens", owner="prestataire",
                 due_on=date(2024, 1, 19), session=session, clock=clock, actor=CLI)  # fmt: skip
    start(opened, clock=clock, kind="non_intervention", start_on=date(2024, 1, 15),
          end_on=date(2024, 1, 19))  # fmt: skip
    with Session(opened) as session:
        states = load_states(session=session, today=clock.today())
        held = [
            c
            for s in states.values()
            for c in case_candidates(s, clock.today())
            if c.target.endswith("/entretiens") and c.held
        ]
    assert held and {c.held["kind"] for c in held} == {"non_intervention"}
