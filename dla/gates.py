"""Validation gates: is a stage's gate satisfied by the decisions known on a given day?"""

from dataclasses import dataclass, field
from datetime import date

from models import Validation, ValidationRequirement
from models.enums import Body, Decision, GateRule

FAVOURABLE = (Decision.validee, Decision.validee_avec_reserves)
Who = tuple[int | None, Body]


@dataclass
class GateStatus:
    satisfied: bool
    has_requirements: bool = False
    missing: list[Who] = field(default_factory=list)
    refusals: list[Validation] = field(default_factory=list)
    postponements: list[Validation] = field(default_factory=list)


def latest_decisions(validations: list[Validation], today: date) -> dict[Who, Validation]:
    """Return each validator's latest stage-level decision taken on or before `today`."""
    latest: dict[Who, Validation] = {}
    for v in sorted(validations, key=lambda v: (v.decided_on, v.recorded_at, v.id or 0)):
        if v.step_id is None and v.decided_on <= today:
            latest[(v.organisation_id, v.body)] = v
    return latest


def gate_status(
    requirements: list[ValidationRequirement],
    validations: list[Validation],
    rule: GateRule,
    quorum: int | None,
    today: date,
) -> GateStatus:
    """Evaluate a gate (rule tous / quorum / au_moins_un) against the decisions known today."""
    wanted: list[Who] = [(r.organisation_id, r.body) for r in requirements if r.step_id is None]
    if not wanted:
        return GateStatus(satisfied=True)
    latest = latest_decisions(validations, today)
    given = [w for w in wanted if w in latest and latest[w].decision in FAVOURABLE]
    needed = {
        GateRule.tous: len(wanted),
        GateRule.quorum: quorum or len(wanted),
        GateRule.au_moins_un: 1,
    }[rule]
    return GateStatus(
        satisfied=len(given) >= needed,
        has_requirements=True,
        missing=[w for w in wanted if w not in given],
        refusals=[
            latest[w] for w in wanted if w in latest and latest[w].decision is Decision.refusee
        ],
        postponements=[
            latest[w] for w in wanted if w in latest and latest[w].decision is Decision.reportee
        ],
    )
