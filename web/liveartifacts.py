"""After a desk action, refresh the case's Prefect artifacts and the portfolio, off the request.

The coordinator gets the page back at once; one background thread publishes, and the actions
that arrive meanwhile are published together in its next round (the portfolio once per round,
however many cases changed). Without a Prefect server configured nothing is scheduled; a server
that fails is logged and the next daily pass publishes everything again.
"""

import logging
import threading
from datetime import date

from sqlalchemy import Engine

from dla.settings import prefect_api_configured

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pending: dict[str, tuple[Engine, date]] = {}  # reference -> where and as of which day
_worker: threading.Thread | None = None


def refresh_soon(engine: Engine, reference: str, today: date) -> bool:
    """Schedule the case's artifacts and the portfolio; say whether anything was scheduled."""
    global _worker
    if not prefect_api_configured():
        return False
    with _lock:
        _pending[reference] = (engine, today)
        if _worker is None:
            _worker = threading.Thread(target=_drain, name="artefacts-prefect", daemon=True)
            _worker.start()
    return True


def wait_until_published(timeout: float = 60) -> bool:
    """Wait for the scheduled refreshes to be done (tests, shutdown); say whether they are."""
    worker = _worker
    if worker is not None:
        worker.join(timeout)
    return _worker is None


def _drain() -> None:
    """Publish rounds of pending cases until none is left, then let the next action restart."""
    global _worker
    # Prefect is imported only when configured. A task run of its own: Prefect ties artifacts
    # to a run, and the task logs (and survives) a server that fails.
    from flows.live_artifacts import refresh_artifacts

    while True:
        with _lock:
            if not _pending:
                _worker = None
                return
            batch = dict(_pending)
            _pending.clear()
        by_engine: dict[Engine, dict[str, date]] = {}
        for reference, (engine, day) in batch.items():
            by_engine.setdefault(engine, {})[reference] = day
        for engine, days in by_engine.items():
            try:
                refresh_artifacts(engine, list(days), max(days.values()))
            except Exception:  # noqa: BLE001  (a display: the action is in; the daily pass redoes it)
                log.warning("artefacts Prefect non rafraîchis : %s", ", ".join(days), exc_info=True)
