"""Load what the reminder rules read, for many cases at once, in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import String, and_, false, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dla.calendar import WorkingCalendar, calendar_for
from dla.casefile.relances import Relances, settings_for
from dla.outbox.rules import at_hour
from models import (
    Case,
    CaseContact,
    CaseMember,
    Contact,
    FollowUp,
    Indicator,
    Organisation,
    Period,
    Stage,
    Step,
    Validation,
    ValidationRequirement,
)
from models.enums import ENDED, MemberRole, StepStatus

# A case as the rules read it (a plain row: the case file and the facts stay in the database).
CASE = (
    Case.id,
    Case.revision,
    Case.reference,
    Case.title,
    Case.departement,
    Case.status,
    Case.coordinator_id,
    Case.document["relances"].label("relances"),
)
# A person as one case sees them (the attribute names the rules read of a contact). The role
# stays the plain text the rules compare (a StrEnum value): converting it was a large share of
# reading a national portfolio's people.
PERSON = (
    Contact.id,
    Contact.email,
    Contact.name,
    CaseContact.case_id,
    CaseContact.organisation_id,
    type_coerce(CaseContact.role, String).label("role"),
    CaseContact.digest_only,
)
# A sweep that missed a few days still sends what fell due meanwhile.
LOOKBACK = timedelta(days=7)


@dataclass
class CaseState:
    """One case as the rules see it on a given day (its plan as read-only table rows)."""

    case: Case  # a row of CASE (its attribute names), not a loaded ORM object
    calendar: WorkingCalendar
    settings: Relances
    coordinator: Contact  # as the case sees them (a row of PERSON), else the plain contact
    stages: dict[int, Stage] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    members: dict[int, MemberRole] = field(default_factory=dict)
    orgs: dict[int, Organisation] = field(default_factory=dict)
    contacts: dict[int, list[Contact]] = field(default_factory=lambda: defaultdict(list))
    # The gates of the stages whose planned end has come (the others await nothing yet).
    requirements: list[ValidationRequirement] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    revision: int = 0  # the case's revision, read before the rest of its state
    # The last due day of the steps and follow-ups loaded (later ones plan nothing yet).
    steps_until: date | None = None
    follow_ups_until: date | None = None
    # A planning pass writes only the reminders going out in this window: the others are
    # made bare (dla/outbox/rules.py, `make`), enough to know when they go.
    window: tuple[date, date] | None = None
    # The reachable people of some organisations and roles, worked out once (outbox/people.py).
    people: dict[tuple, list] = field(default_factory=dict)


# Columns no rule reads (decoding them was a large share of a national pass's reads).
UNREAD = {
    "stage": ("waits_for",),
    "step": ("deadline",),
    "organisation": ("networks", "siae_kind", "siret", "departement"),
}


def rows(model):
    """Select a table's plain rows (read-only, same attribute names as the model)."""
    # Several times cheaper to load than ORM objects: a national sweep reads tens of thousands.
    table = model.__table__
    unread = UNREAD.get(table.name, ())
    return sa_select(*(c for c in table.columns if c.name not in unread))


def load_states(
    *,
    session: Session,
    today: date,
    horizon: timedelta = timedelta(0),
    case_ids: list[int] | None = None,
    since: date | None = None,
) -> dict[int, CaseState]:
    """Load the cases (given ones, or every case not closed) with what their rules need."""
    where = col(Case.id).in_(case_ids) if case_ids is not None else col(Case.status).not_in(ENDED)
    # Read first, with the revision: a change made while the rest loads shows as a newer one.
    # Core rows through the session's connection: half the cost of the ORM's result handling
    # (what the session holds unflushed is flushed first, as its own queries would).
    if session.autoflush:
        session.flush()
    conn = session.connection()
    cases = conn.execute(sa_select(*CASE).where(where)).all()
    if not cases:
        return {}
    ids = select(Case.id).where(where)
    settings = {c.id: settings_for({"relances": c.relances}) for c in cases}
    weeks = max(max(s.retard_rappels, s.validation_rappels) for s in settings.values()) + 2
    lo = min(since or today, today - LOOKBACK) - timedelta(weeks=weeks)
    hi = today + horizon + timedelta(days=60)
    # A follow-up is announced `suivi_avant` working days ahead: later ones plan nothing yet.
    ahead = max(s.suivi_avant for s in settings.values())
    follow_ups_hi = hi + timedelta(days=2 * ahead)
    # Each person as the case sees them: their role, organisation and digest choice there.
    people: dict[int, list] = defaultdict(list)
    for person in conn.execute(
        sa_select(*PERSON)
        .join(Contact, Contact.id == CaseContact.contact_id)
        .where(col(CaseContact.case_id).in_(ids))
        .order_by(Contact.email)
    ):
        people[person.case_id].append(person)
    # A case saved before its people had a role of their own: the plain contact.
    coordinators = {
        c.id: c
        for c in conn.execute(
            sa_select(Contact.id, Contact.email, Contact.name, false().label("digest_only")).where(
                col(Contact.id).in_([c.coordinator_id for c in cases])
            )
        )
    }
    states = {
        c.id: CaseState(
            c,
            calendar_for(c.departement),
            settings[c.id],
            next(
                (p for p in people[c.id] if p.id == c.coordinator_id),
                coordinators[c.coordinator_id],
            ),
            revision=c.revision,
            steps_until=hi,
            follow_ups_until=follow_ups_hi,
        )
        for c in cases
    }
    # Only stages open at some point of the window matter (closed ones cancel reminders).
    live = and_(
        col(Stage.case_id).in_(ids),
        col(Stage.opened_at).is_not(None),
        or_(col(Stage.closed_at).is_(None), col(Stage.closed_at) >= at_hour(lo, 0)),
    )
    for stage in conn.execute(rows(Stage).where(live)):
        states[stage.case_id].stages[stage.id] = stage
    live_ids = select(Stage.id).where(live)
    for step in conn.execute(
        rows(Step).where(
            col(Step.stage_id).in_(live_ids),
            Step.status != StepStatus.annulee,
            Step.due_date >= lo,
            Step.due_date <= hi,
        )
    ):
        states[step.case_id].steps.append(step)
    for period in conn.execute(
        rows(Period).where(col(Period.case_id).in_(ids), Period.end_on >= lo)
    ):
        states[period.case_id].periods.append(period)
    for follow_up in conn.execute(
        rows(FollowUp).where(
            col(FollowUp.case_id).in_(ids),
            FollowUp.due_date >= lo,
            FollowUp.due_date <= follow_ups_hi,
        )
    ):
        states[follow_up.case_id].follow_ups.append(follow_up)
    with_follow_ups = [i for i, s in states.items() if s.follow_ups]
    for indicator in conn.execute(
        rows(Indicator).where(col(Indicator.case_id).in_(with_follow_ups)).order_by(Indicator.id)
    ):
        states[indicator.case_id].indicators.append(indicator)
    for org in conn.execute(
        select(CaseMember.case_id.label("member_of"), CaseMember.role.label("member_role"))
        .add_columns(*rows(Organisation).selected_columns)
        .join(Organisation, Organisation.id == CaseMember.organisation_id)
        .where(col(CaseMember.case_id).in_(ids))
    ):
        states[org.member_of].members[org.id] = org.member_role
        states[org.member_of].orgs[org.id] = org
    for state in states.values():
        for org_id in state.members:
            state.contacts[org_id] = []
        for person in people[state.case.id]:
            if person.organisation_id in state.members:
                state.contacts[person.organisation_id].append(person)
    # A gate is awaited from its stage's planned end on: later ones are not read yet.
    ended_ids = select(Stage.id).where(live, Stage.planned_end <= today)
    for requirement in conn.execute(
        rows(ValidationRequirement).where(
            col(ValidationRequirement.stage_id).in_(ended_ids),
            col(ValidationRequirement.step_id).is_(None),
        )
    ):
        states[requirement.case_id].requirements.append(requirement)
    # Decisions on closed stages are history: only the live stages' gates are read.
    for validation in conn.execute(
        rows(Validation).where(
            col(Validation.stage_id).in_(ended_ids), col(Validation.step_id).is_(None)
        )
    ):
        states[validation.case_id].validations.append(validation)
    return states
