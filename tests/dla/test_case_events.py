"""The timeline's Prefect events, built without Prefect: names, resources, ids, marks."""

from datetime import UTC, datetime

from sqlmodel import select

from dla.case_events import event_id, event_name, mark_emitted, pending_events
from models import TimelineEvent
from tests.factories import save_case

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_timeline_kind_names_its_event_and_an_unknown_one_keeps_its_kind():
    assert event_name("stage.opened", "stage:diagnostic:opened", {}) == "dla.etape.ouverte"
    assert event_name("validation.recorded", "validation:3", {}) == "dla.decision.enregistree"
    assert event_name("notification.failed", "k", {}) == "dla.relance.en-echec"
    assert event_name("case.status", "case:close", {}) == "dla.cas.clos"
    assert event_name("nouveau.genre", None, {}) == "dla.journal.nouveau.genre"


def test_a_blocking_point_of_vigilance_and_an_overdue_reminder_have_events_of_their_own():
    blocking = {"findings": ["points-de-blocage", "gouvernance-avant-intervention"]}
    assert event_name("vigilance.reviewed", "v", blocking) == "dla.vigilance.bloquant"
    assert event_name("vigilance.reviewed", "v", {"findings": ["points-de-blocage"]}) == (
        "dla.vigilance.revue"
    )
    overdue = {"notification": "echeance_depassee:tache:12:2024-02-01:a@b.example.org"}
    assert event_name("notification.sent", "k", overdue) == "dla.echeance.depassee"
    soon = {"notification": "echeance_proche:tache:12:2024-02-01:a@b.example.org"}
    assert event_name("notification.sent", "k", soon) == "dla.relance.envoyee"


def test_an_event_id_is_the_same_each_time_and_differs_between_rows_and_cases():
    assert event_id("DLA99-2024-01", 7) == event_id("DLA99-2024-01", 7)
    assert len({event_id("DLA99-2024-01", 7), event_id("DLA99-2024-01", 8)}) == 2
    assert event_id("DLA99-2024-01", 7) != event_id("DLA99-2024-02", 7)


def test_pending_rows_become_events_about_the_case_and_are_marked_once(engine, session, tmp_path):
    save_case(engine, tmp_path)
    pending = pending_events(engine, now=NOW)
    assert pending and pending == pending_events(engine, now=NOW, references=["DLA99-2024-01"])
    assert pending_events(engine, now=NOW, references=["DLA00-2000-01"]) == []
    event = pending[0].event
    assert event["event"] == "dla.cas.ouvert" and event["occurred"] == NOW.isoformat()
    assert event["resource"]["prefect.resource.id"] == "dla.cas.DLA99-2024-01"
    assert [r["prefect.resource.role"] for r in event["related"]] == [
        "departement",
        "charge-de-mission",
    ]
    assert event["related"][1]["dla.courriel"] == "coordination@dla-test.example.org"
    assert event["payload"]["lien"].endswith("/cas/DLA99-2024-01")

    ids = [p.row_id for p in pending]
    assert mark_emitted(engine, ids, NOW) == len(ids)
    assert mark_emitted(engine, ids, NOW) == 0
    assert pending_events(engine, now=NOW) == []
    marked = session.exec(select(TimelineEvent.emitted_at)).all()
    assert marked and all(at is not None for at in marked)
