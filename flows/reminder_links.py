"""Links from awaited-validation reminders to the case's suspended run in the Prefect UI."""

import logging

from prefect.client.orchestration import get_client
from prefect.utilities.urls import url_for

from dla.outbox.claim import Claimed
from dla.outbox.rules import Rule
from flows.paused_runs import read_suspended_case_runs, waiting_stage

log = logging.getLogger(__name__)


def waiting_run_links(rows: list[Claimed]) -> dict[str, str]:
    """Link each awaited-validation reminder to its case's suspended run in the Prefect UI."""
    wanted = {
        r.key: (r.payload["context"]["reference"], r.payload["context"]["stage_key"])
        for r in rows
        if r.rule == Rule.validation_attendue
    }
    if not wanted:
        return {}
    try:
        with get_client(sync_client=True) as client:
            runs = read_suspended_case_runs(client, [ref for ref, _ in wanted.values()])
    except Exception as exc:  # noqa: BLE001  (a missing link must not stop the reminders)
        log.warning("liens Prefect indisponibles : %s", exc)
        return {}
    urls = {}
    for run in runs:
        if (stage := waiting_stage(run)) and (url := url_for("flow-run", obj_id=run.id)):
            urls[(run.name, stage)] = url
    return {k: urls[where] for k, where in wanted.items() if where in urls}
