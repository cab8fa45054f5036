"""The case timeline mirrored as Prefect events: each row once, read back through the client."""

import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.events.filters import EventFilter, EventOccurredFilter, EventResourceFilter
from sqlalchemy import update
from sqlmodel import Session, select

from dla.case_events import event_id, event_name
from dla.db import make_engine, transaction
from flows.case_events import emit_case_events
from flows.case_flow import CaseRun, run_case
from models import Case, TimelineEvent
from tests.factories import save_case

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "cases" / "cantal-2006.yaml"
POLL_SECONDS = 60


def timeline(engine, reference: str) -> dict[str, str]:
    """Map each timeline row of the case to the id and name of the event that mirrors it."""
    with Session(engine) as session:
        rows = session.exec(
            select(TimelineEvent).join(Case).where(Case.reference == reference)
        ).all()
    return {str(event_id(reference, r.id)): event_name(r.kind, r.key, r.data) for r in rows}


def prefect_events(reference: str, since: datetime) -> list:
    """Read every event about the case from Prefect's API, page after page."""
    query = EventFilter(
        resource=EventResourceFilter(id=[f"dla.cas.{reference}"]),
        occurred=EventOccurredFilter(since=since, until=datetime.now(UTC) + timedelta(minutes=5)),
    )
    with get_client(sync_client=True) as client:
        page = client.read_events(filter=query, limit=50)
        events = list(page.events)
        while page.next_page:
            page = client.read_events_page(page.next_page)
            events += page.events
    return events


def settled_events(reference: str, since: datetime, expected: int) -> list:
    """Poll until Prefect has stored `expected` events about the case (it writes in batches)."""
    end = time.monotonic() + POLL_SECONDS
    while True:
        events = prefect_events(reference, since)
        if len(events) >= expected or time.monotonic() > end:
            return events
        time.sleep(1)


@flow
def mirror(database_url: str, reference: str) -> int:
    engine = make_engine(database_url)
    try:
        return emit_case_events(engine, [reference])
    finally:
        engine.dispose()


def test_a_replayed_sample_is_in_prefect_once_per_timeline_event_even_when_sent_again(
    prefect_server, dla_env, tmp_path
):
    since = datetime.now(UTC) - timedelta(seconds=5)
    # The sample under a reference of its own: other tests of the session replay it too.
    reference = f"DLA15-EV-{uuid.uuid4().hex[:8].upper()}"
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8")) | {"reference": reference}
    engine = make_engine(dla_env)
    save_case(engine, tmp_path, data)

    run_case(CaseRun(reference=reference, rejouer=True, aujourdhui=date(2011, 12, 31)))
    expected = timeline(engine, reference)
    events = settled_events(reference, since, len(expected))

    assert Counter(str(e.id) for e in events) == Counter(expected.keys())
    assert {str(e.id): e.event for e in events} == expected
    names = set(expected.values())
    assert {"dla.cas.ouvert", "dla.etape.ouverte", "dla.decision.enregistree"} <= names
    event = events[0]
    assert event.resource.id == f"dla.cas.{reference}"
    assert event.resource["dla.departement"] == "15"
    assert {(r.role, r.get("dla.courriel")) for r in event.related} == {
        ("departement", None),
        ("charge-de-mission", "coordination@cantal-expansion.example.org"),
    }

    # The flow run again emits nothing; rows sent again (a retried emission) keep their ids.
    run_case(CaseRun(reference=reference, rejouer=True, aujourdhui=date(2011, 12, 31)))
    assert timeline(engine, reference) == expected
    with transaction(engine) as session:
        session.execute(update(TimelineEvent).values(emitted_at=None))
    assert mirror(dla_env, reference) == len(expected)
    time.sleep(5)  # what Prefect would have stored by now, had it kept a duplicate
    again = prefect_events(reference, since)
    assert Counter(str(e.id) for e in again) == Counter(expected.keys())
    engine.dispose()
