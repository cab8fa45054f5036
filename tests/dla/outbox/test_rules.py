"""The reminder rules: keys, recipients and sending days on the département's working days."""

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from dla.casefile.relances import settings_for
from dla.db import transaction
from dla.outbox.candidates import case_candidates
from dla.outbox.plan import plan_case, plan_due_window
from dla.outbox.rules import notification_key
from dla.outbox.state import load_states
from models import Case, TimelineEvent
from tests.dla.outbox.conftest import (
    CONSULTANT,
    COORDINATION,
    NETWORK,
    REF,
    case_id,
    open_stages,
    outbox_case,
    rows,
)
from tests.factories import save_case

MONTH = timedelta(days=31)


def candidates(engine, today: date):
    with Session(engine) as session:
        states = load_states(session=session, today=today)
        return [c for s in states.values() for c in case_candidates(s, today)]


def days(cands, rule: str, step: str, recipient: str) -> list[date]:
    return sorted(
        c.send_on
        for c in cands
        if c.rule == rule and c.target.endswith(f"/{step}") and c.recipient.email == recipient
    )


def test_due_soon_reminders_go_seven_and_one_working_days_before(engine, loaded, session):
    plan_case(loaded, session=session, today=date(2024, 1, 8), horizon=MONTH)
    session.commit()
    keys = {r.key: r.due_at.date() for r in rows(engine, rule="echeance_proche")}
    stem = f"echeance_proche:{REF}/tache/note-diagnostic"
    # 22 January 2024 is a Monday: 7 working days before is Thursday 11, 1 before Friday 19.
    assert keys[f"{stem}:j-7@2024-01-22:{COORDINATION}"] == date(2024, 1, 11)
    assert keys[f"{stem}:j-1@2024-01-22:{COORDINATION}"] == date(2024, 1, 19)


def test_moselle_skips_good_friday_and_saint_stephen(engine, tmp_path):
    data = outbox_case("57", note=date(2024, 4, 2), entretiens=date(2024, 12, 24))
    data["etapes"][0]["fin"] = date(2025, 1, 31)
    save_case(engine, tmp_path, data)
    open_stages(engine, date(2024, 1, 8))
    cands = candidates(engine, date(2024, 3, 1))
    # Before Tuesday 2 April 2024: Easter Monday everywhere, Good Friday (29 March) in Moselle.
    assert days(cands, "echeance_proche", "note-diagnostic", COORDINATION)[-1] == date(2024, 3, 28)
    late = days(
        candidates(engine, date(2024, 12, 20)), "echeance_depassee", "entretiens", CONSULTANT
    )
    # After Tuesday 24 December: Christmas, then 26 December (Moselle), so Friday 27.
    assert late[0] == date(2024, 12, 27)


def test_elsewhere_good_friday_and_saint_stephen_are_working_days(engine, tmp_path):
    data = outbox_case("38", note=date(2024, 4, 2), entretiens=date(2024, 12, 24))
    data["etapes"][0]["fin"] = date(2025, 1, 31)
    save_case(engine, tmp_path, data)
    open_stages(engine, date(2024, 1, 8))
    cands = candidates(engine, date(2024, 3, 1))
    assert days(cands, "echeance_proche", "note-diagnostic", COORDINATION)[-1] == date(2024, 3, 29)
    late = days(
        candidates(engine, date(2024, 12, 20)), "echeance_depassee", "entretiens", CONSULTANT
    )
    assert late[0] == date(2024, 12, 26)


def test_overdue_reminders_are_weekly_and_tell_the_coordinator_after_seven_working_days(
    engine, loaded
):
    cands = candidates(engine, date(2024, 1, 23))
    owners = days(cands, "echeance_depassee", "entretiens", CONSULTANT)
    coordinator = days(cands, "echeance_depassee", "entretiens", COORDINATION)
    # Due Friday 19 January: next working day Monday 22, then every week.
    assert owners[:3] == [date(2024, 1, 22), date(2024, 1, 29), date(2024, 2, 5)]
    # The coordinator joins once the step is 7 working days late (29 January is only 6).
    assert coordinator[0] == date(2024, 2, 5)


def test_steps_of_a_stage_not_yet_open_are_not_reminded(engine, tmp_path):
    save_case(engine, tmp_path, outbox_case())
    assert [
        c
        for c in candidates(engine, date(2024, 1, 10))
        if c.rule != "periode_debut" and c.rule != "periode_fin" and c.rule != "suivi"
    ] == []


def test_a_digest_only_contact_gets_the_digest_and_nothing_else(engine, loaded, session):
    plan_case(loaded, session=session, today=date(2024, 1, 8), horizon=MONTH)
    plan_due_window(session=session, today=date(2024, 1, 8), horizon=MONTH)
    session.commit()
    assert {r.rule for r in rows(engine, recipient=NETWORK)} == {"resume_hebdo"}
    assert {r.rule for r in rows(engine, recipient=COORDINATION)} >= {
        "resume_hebdo",
        "echeance_proche",
    }


def test_validation_awaited_goes_to_the_boards_that_still_have_to_decide(engine, tmp_path):
    data = outbox_case()
    data["etapes"][0]["decisions"] = [
        {
            "structure": "aci-un",
            "instance": "conseil_administration",
            "decision": "validee",
            "date": date(2024, 1, 25),
        }
    ]
    save_case(engine, tmp_path, data)
    open_stages(engine, date(2024, 1, 8))
    with Session(engine) as session:
        plan_case(
            case_id(engine),
            session=session,
            today=date(2024, 1, 29),
            prefect_ui_url="http://prefect.local/runs/flow-run/abc",
        )
        session.commit()
    awaited = rows(engine, rule="validation_attendue")
    assert [r.recipient for r in awaited] == ["presidence@ai-deux.example.org"]
    assert awaited[0].due_at.date() == date(2024, 1, 29)  # fin Friday 26 → Monday 29
    assert awaited[0].payload["context"]["prefect_ui_url"].endswith("/abc")
    assert awaited[0].key == notification_key(
        "validation_attendue",
        f"{REF}/validation/diagnostic/ai-deux-conseil_administration",
        "v1@2024-01-26",
        "presidence@ai-deux.example.org",
    )


def test_periods_are_announced_to_members_and_consultant_with_a_calendar_event(engine, loaded):
    cands = candidates(engine, date(2024, 1, 3))
    starts = [c for c in cands if c.rule == "periode_debut"]
    assert {c.recipient.email for c in starts} == {
        "presidence@aci-un.example.org",
        "direction@aci-un.example.org",
        "presidence@ai-deux.example.org",
        CONSULTANT,
    }
    # Three working days before Tuesday 9 January 2024.
    assert {c.send_on for c in starts} == {date(2024, 1, 4)}
    assert starts[0].events[0]["start"] == date(2024, 1, 9)
    assert starts[0].events[0]["end"] == date(2024, 1, 12)


def test_follow_ups_list_the_indicators_to_collect(engine, loaded):
    cands = [c for c in candidates(engine, date(2024, 6, 1)) if c.rule == "suivi"]
    three = [c for c in cands if c.context["months"] == 3]
    assert COORDINATION in {c.recipient.email for c in three}
    assert three[0].context["indicators"][0]["label"] == "Postes partagés pourvus"
    assert three[0].events[0]["start"] == three[0].context["due_on"]
    assert three[0].send_on < three[0].context["due_on"]


def test_consultant_reminders_falling_in_a_period_are_postponed_and_logged(engine, loaded, session):
    plan_case(loaded, session=session, today=date(2024, 1, 8), horizon=MONTH)
    session.commit()
    stem = f"echeance_proche:{REF}/tache/entretiens"
    held = {r.key: r for r in rows(engine, recipient=CONSULTANT, rule="echeance_proche")}
    # J-7 of Friday 19 January is Wednesday 10, inside the period (9–12): moved to Monday 15.
    j7 = held[f"{stem}:j-7@2024-01-19:{CONSULTANT}"]
    assert j7.due_at.date() == date(2024, 1, 15)
    assert j7.payload["held"]["original_on"] == "2024-01-10"
    assert held[f"{stem}:j-1@2024-01-19:{CONSULTANT}"].due_at.date() == date(2024, 1, 18)
    events = session.exec(
        select(TimelineEvent).where(TimelineEvent.kind == "notification.held")
    ).all()
    assert len(events) == 1 and "non-intervention" in events[0].summary


def test_a_consultant_reminder_pointless_after_the_period_is_planned_cancelled(engine, tmp_path):
    data = outbox_case(entretiens=date(2024, 1, 12))  # due on the period's last day
    save_case(engine, tmp_path, data)
    open_stages(engine, date(2024, 1, 8))
    with Session(engine) as session:
        plan_case(case_id(engine), session=session, today=date(2024, 1, 8), horizon=MONTH)
        session.commit()
    status = {
        r.key.split(":")[2]: (r.status.value, r.last_error)
        for r in rows(engine, recipient=CONSULTANT, rule="echeance_proche")
    }
    # J-1 (Thursday 11) falls in the period and Monday 15 would be after the deadline.
    assert status["j-1@2024-01-12"][0] == "cancelled"
    assert "échéance passée" in status["j-1@2024-01-12"][1]
    assert status["j-7@2024-01-12"] == ("planned", None)


def test_a_case_can_override_the_reminder_rules(engine, loaded):
    with transaction(engine) as session:
        case = session.get(Case, loaded)
        case.document = {**case.document, "relances": {"echeance_proche": [3], "heure": 10}}
        session.add(case)
    cands = [c for c in candidates(engine, date(2024, 1, 8)) if c.rule == "echeance_proche"]
    assert {c.occurrence.split("@")[0] for c in cands} == {"j-3"}
    assert {c.hour for c in cands} == {10}


def test_a_wrong_override_is_refused_with_the_field_named():
    with pytest.raises(ValidationError) as error:
        settings_for({"relances": {"retard_rappels": -1}})
    assert "retard_rappels" in str(error.value)
