"""Apply the reminder rules to a case: every notification it warrants on a given day."""

from datetime import date

from dla.outbox.people import stage_open, step_open
from dla.outbox.rhythm_rules import follow_up_candidates, period_candidates
from dla.outbox.rules import Candidate
from dla.outbox.state import CaseState
from dla.outbox.step_rules import step_candidates, validation_candidates
from models.enums import ENDED

__all__ = ["Candidate", "case_candidates", "latest_only", "stage_open", "step_open"]


def case_candidates(
    state: CaseState, today: date, targets: set[str] | None = None
) -> list[Candidate]:
    """Return every notification the case warrants as of `today` (any sending day).

    With `targets` (re-checking claimed rows), only the series of those targets are built:
    a series never spans targets, so the answer for them is the same, for a fraction of the work.
    """
    if state.case.status in ENDED:
        return []
    ref = state.case.reference

    def wanted(prefix: str) -> bool:
        return targets is None or any(t.startswith(prefix) for t in targets)

    out: list[Candidate] = []
    for step in state.steps:
        if targets is None or f"{ref}/tache/{step.key}" in targets:
            out += step_candidates(state, step, today)
    for stage in state.stages.values():
        if wanted(f"{ref}/validation/{stage.key}/"):
            out += validation_candidates(state, stage, today)
    if wanted(f"{ref}/periode/"):
        out += period_candidates(state, today)
    if wanted(f"{ref}/suivi/"):
        out += follow_up_candidates(state, today)
    return out


def latest_only(cands: list[Candidate], today: date) -> tuple[list[Candidate], set[str]]:
    """Keep, in each series, only the latest reminder already due; return the superseded keys."""
    latest: dict[tuple, date] = {}
    for c in cands:
        if c.send_on <= today and c.cancelled is None:
            latest[c.series] = max(latest.get(c.series, c.send_on), c.send_on)
    superseded = {
        c.key for c in cands if c.send_on <= today and c.send_on < latest.get(c.series, c.send_on)
    }
    return [c for c in cands if c.key not in superseded], superseded
