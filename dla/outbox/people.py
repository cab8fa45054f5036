"""Who a reminder goes to, and whether a stage or a step was open on a given day."""

from datetime import date

from dla.outbox.state import CaseState
from dla.privacy.scrub import is_pseudonym
from models import Contact, Stage, Step
from models.enums import ContactRole, MemberRole, OrganisationKind, StepStatus

BOARD_ROLES = (ContactRole.presidence, ContactRole.direction)


def stage_open(stage: Stage | None, today: date) -> bool:
    """Tell whether a stage was open on `today` (dates make replays of the past faithful)."""
    return (
        stage is not None
        and stage.opened_at is not None
        and stage.opened_at.date() <= today
        and (stage.closed_at is None or stage.closed_at.date() > today)
    )


def step_open(step: Step, today: date) -> bool:
    """Tell whether a step still had to be done on `today`."""
    if step.status is StepStatus.annulee:
        return False
    return not (step.status is StepStatus.faite and (step.done_on is None or step.done_on <= today))


def reachable(contacts: list[Contact]) -> list[Contact]:
    """Drop digest-only and erased contacts and duplicates, keeping the order."""
    seen, out = set(), []
    for c in contacts:
        if not c.digest_only and not is_pseudonym(c.email) and c.email not in seen:
            seen.add(c.email)
            out.append(c)
    return out


def people(state: CaseState, org_ids, roles=None) -> list[Contact]:
    """Return the reachable contacts of organisations (only the given roles, when some exist).

    Roles, organisations and digest choices are the ones declared in this case (`CaseContact`,
    read by `load_states`): what another case says of the same person never counts here.
    """
    memo = (tuple(org_ids), roles)
    if memo in state.people:  # the same people again for each of a case's reminders
        return state.people[memo]
    out = []
    for org_id in org_ids:
        contacts = reachable(state.contacts.get(org_id, []))
        chosen = [c for c in contacts if roles is None or c.role in roles]
        out += chosen or contacts
    state.people[memo] = reachable(out)
    return state.people[memo]


def owners(state: CaseState, owner: str) -> tuple[list[Contact], bool]:
    """Return who is reminded of a step and whether the consultant owns it."""
    if owner == "coordination":
        return reachable([state.coordinator]), False
    if owner in MemberRole.__members__:
        orgs = [o for o, role in state.members.items() if role == owner]
    else:
        orgs = [o for o, org in state.orgs.items() if org.key == owner]
    consultant = owner == MemberRole.prestataire or any(
        state.members.get(o) is MemberRole.prestataire
        or state.orgs[o].kind is OrganisationKind.prestataire
        for o in orgs
    )
    return (people(state, orgs) or reachable([state.coordinator])), consultant
