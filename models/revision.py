"""Bump a case's revision whenever something the reminder rules read of it changes."""

from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from models.case import Case, CaseContact, CaseMember
from models.organisation import Contact, Organisation
from models.planning import FollowUp, Indicator, Period
from models.stage import Stage, Step, ValidationRequirement
from models.validation import Validation

# Rows of one case (they carry its id) that the reminder rules read.
CASE_ROWS = (
    CaseMember,
    CaseContact,
    Stage,
    Step,
    ValidationRequirement,
    Validation,
    Period,
    FollowUp,
    Indicator,
)


def touched_cases(session: Session) -> set[int]:
    """Return the ids of the cases whose rule inputs this flush changes."""
    cases: set[int] = set()
    orgs: set[int] = set()
    contacts: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Case):
            # A new case has no confirmed reminder yet; a deleted one has none left.
            if obj.id is not None and obj not in session.deleted:
                cases.add(obj.id)
        elif isinstance(obj, CASE_ROWS):
            cases.update(_values(obj, "case_id"))
        elif isinstance(obj, Contact):
            contacts.update(_values(obj, "id"))
        elif isinstance(obj, Organisation):
            orgs.update(_values(obj, "id"))
    if orgs or contacts:
        # People and organisations are shared between cases: every case using them is touched.
        with session.no_autoflush:
            cases.update(
                session.execute(
                    select(CaseMember.case_id).where(CaseMember.organisation_id.in_(orgs))
                ).scalars()
            )
            cases.update(
                session.execute(
                    select(CaseContact.case_id).where(
                        or_(
                            CaseContact.contact_id.in_(contacts),
                            CaseContact.organisation_id.in_(orgs),
                        )
                    )
                ).scalars()
            )
            cases.update(
                session.execute(
                    select(Case.id).where(
                        or_(Case.coordinator_id.in_(contacts), Case.dla_host_id.in_(orgs))
                    )
                ).scalars()
            )
    return cases


def _values(obj, attr: str) -> set[int]:
    """Return the attribute's current and previous values (a row moved between parents)."""
    history = inspect(obj).attrs[attr].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


@event.listens_for(Session, "before_flush")
def _bump_revisions(session: Session, _context, _instances) -> None:
    ids = touched_cases(session)
    if ids:
        table = Case.__table__
        # In SQL (revision + 1), never from a loaded value: a stale object must not rewind it.
        session.connection().execute(
            update(table).where(table.c.id.in_(sorted(ids))).values(revision=table.c.revision + 1)
        )
