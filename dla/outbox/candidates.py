"""Apply the reminder rules to a case: every notification it warrants on a given day."""

from datetime import date

from dla.outbox.candidate import Candidate, latest_only
from dla.outbox.people import stage_open, step_open
from dla.outbox.rhythm_rules import follow_up_candidates, period_candidates
from dla.outbox.state import CaseState
from dla.outbox.step_rules import step_candidates, validation_candidates
from models.enums import CaseStatus

__all__ = ["Candidate", "case_candidates", "latest_only", "stage_open", "step_open"]


def case_candidates(state: CaseState, today: date) -> list[Candidate]:
    """Return every notification the case warrants as of `today` (any sending day)."""
    if state.case.status is CaseStatus.close:
        return []
    out: list[Candidate] = []
    for step in state.steps:
        out += step_candidates(state, step, today)
    for stage in state.stages.values():
        out += validation_candidates(state, stage, today)
    out += period_candidates(state, today)
    out += follow_up_candidates(state, today)
    return out
