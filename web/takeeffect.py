"""A decision from the desk or a board link takes effect at once, as `dla validate` does.

When a Prefect server is configured, the case's run waiting at that gate is resumed with the
decision; otherwise (or when no run waits) the case advances by its plain daily step. A server
that does not answer loses nothing: the decision is already recorded, the case advances, and
the next daily pass resumes the run (flows/resume.py `resume_decided_runs`).
"""

import logging

from sqlalchemy import Engine

from dla.actions import advance_after
from dla.clock import Clock
from dla.settings import prefect_api_configured
from dla.validations import DecisionInput
from web.liveartifacts import refresh_soon

log = logging.getLogger(__name__)

DEFERRED = (
    "Le serveur Prefect ne répond pas : le suivi du cas en attente de cette décision sera "
    "repris au prochain passage quotidien."
)


def after_decision(engine: Engine, entry: DecisionInput, clock: Clock) -> str | None:
    """Let a recorded decision take effect; return a French note when its run must wait."""
    resumed, note = 0, None
    if prefect_api_configured():
        try:
            resumed = _resume(entry)
        except Exception:  # noqa: BLE001  (unreachable, refused, timed out: the decision is in)
            log.warning(
                "Prefect injoignable, flux de %s non repris", entry.reference, exc_info=True
            )
            note = DEFERRED
    if not resumed:
        try:
            advance_after(engine, entry.reference, clock)
        except Exception:  # noqa: BLE001  (the decision is in; the daily pass advances the case)
            log.exception("décision enregistrée, cas %s non avancé", entry.reference)
        if note is None:  # a resumed run publishes them itself; here the desk does
            refresh_soon(engine, entry.reference, clock.today())
    return note


def _resume(entry: DecisionInput) -> int:
    """Resume the run waiting for this decision (Prefect is imported only when configured)."""
    from flows.decision_form import decision_answer
    from flows.resume import resume_waiting_runs

    return resume_waiting_runs(entry.reference, decision_answer(entry), stage=entry.stage)
