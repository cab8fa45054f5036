"""Links from awaited-validation reminders to the case's suspended run in the Prefect UI."""

import logging

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.utilities.urls import url_for

from dla.outbox.claim import Claimed

log = logging.getLogger(__name__)


def waiting_run_links(rows: list[Claimed]) -> dict[str, str]:
    """Link each awaited-validation reminder to its case's suspended run in the Prefect UI."""
    wanted = {
        r.key: (r.payload["context"]["reference"], r.payload["context"]["stage_key"])
        for r in rows
        if r.rule == "validation_attendue"
    }
    if not wanted:
        return {}
    try:
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=["accompagnement"])),
                flow_run_filter=FlowRunFilter(
                    name=FlowRunFilterName(any_=sorted({ref for ref, _ in wanted.values()})),
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
                ),
            )
    except Exception as exc:  # noqa: BLE001  (a missing link must not stop the reminders)
        log.warning("liens Prefect indisponibles : %s", exc)
        return {}
    urls = {}
    for run in runs:
        key = run.state.state_details.pause_key if run.state else None
        if key and (url := url_for("flow-run", obj_id=run.id)):
            # The case flow suspends with the key "<stage>-<question number>".
            urls[(run.name, key.rpartition("-")[0])] = url
    return {k: urls[where] for k, where in wanted.items() if where in urls}
