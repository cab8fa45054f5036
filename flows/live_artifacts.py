"""Refresh the artifacts of the cases a flow changed, and the portfolio, in that same flow."""

from collections.abc import Iterable
from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine

from dla.clock import SystemClock
from dla.db import make_engine
from dla.settings import get_settings
from flows.case_artifacts import publish_case_artifacts
from flows.portfolio_artifacts import portfolio_artifact


@task(cache_policy=NO_CACHE, task_run_name="artefacts des cas et du portefeuille")
def refresh_artifacts(engine: Engine, references: Iterable[str], today: date) -> int:
    """Publish each changed case's artifacts, then the portfolio once (one task in all).

    The change is already written: a Prefect API that fails here must not fail the action,
    so the run warns and the next daily pass publishes them again.
    """
    try:
        return publish_changed(engine, references, today)
    except Exception as exc:  # noqa: BLE001  (see above: never undo an action for a display)
        get_run_logger().warning(
            "artefacts non rafraîchis (%s) ; le prochain balayage quotidien les republiera", exc
        )
    return 0


def publish_changed(engine: Engine, references: Iterable[str], today: date) -> int:
    """Publish each case's artifacts, then the portfolio once; return the cases published."""
    done = 0
    for reference in dict.fromkeys(references):
        publish_case_artifacts(engine, reference, today)
        done += 1
    portfolio_artifact(engine, today)
    return done


def refresh_cases(references: Iterable[str], today: date | None = None) -> int:
    """Refresh the cases' artifacts and the portfolio from a flow that holds no engine."""
    engine = make_engine(get_settings().resolved_database_url)
    try:
        return refresh_artifacts(engine, list(references), today or SystemClock().today())
    finally:
        engine.dispose()
