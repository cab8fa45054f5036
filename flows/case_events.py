"""Mirror the case timeline in Prefect's event feed: batches of events, each row sent once.

The events (dla/case_events.py) are posted in batches to Prefect's API, which answers once it
has them; only then are the rows marked. A failure leaves them for the next pass, and an event
sent twice keeps its id, which Prefect stores once.
"""

from datetime import UTC, datetime

import httpx
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.events import Event
from prefect.exceptions import PrefectHTTPStatusError
from sqlalchemy import Engine

from dla.case_events import mark_emitted, pending_events

BATCH = 500


@task(cache_policy=NO_CACHE, task_run_name="événements du journal")
def emit_case_events(engine: Engine, references: list[str] | None = None) -> int:
    """Send the timeline rows not yet mirrored (of these cases, or all) as Prefect events."""
    sent = 0
    try:
        with get_client(sync_client=True) as client:
            while batch := pending_events(
                engine, now=datetime.now(UTC), references=references, limit=BATCH
            ):
                events = [Event.model_validate(p.event).model_dump(mode="json") for p in batch]
                client.request("POST", "/events", json=events)
                sent += mark_emitted(engine, [p.row_id for p in batch], datetime.now(UTC))
    except (httpx.HTTPError, PrefectHTTPStatusError) as exc:
        # Not an error of the case: the rows stay unmarked and the next pass sends them.
        get_run_logger().warning(
            "Événements Prefect non envoyés (repris au prochain passage) : %s", exc
        )
    return sent
