"""Who sees which case: the one place the desk's access rule is written, as a SQL clause."""

from sqlalchemy import ColumnElement, false, func, select, true, union
from sqlalchemy.orm import aliased

from models import Case, CaseAssignment, Contact, User, UserRole


def visible_cases(user: User | None) -> ColumnElement[bool]:
    """Return a clause on `Case` that keeps the cases `user` may read (lists filter in SQL).

    A chargé·e de mission sees the cases they coordinate (the case's coordinator contact has
    their e-mail) and the ones assigned to them; `coordination` the cases of its départements;
    `admin` every case; a disabled or missing account none.
    """
    if user is None or not user.active:
        return false()
    if user.role is UserRole.admin:
        return true()
    if user.role is UserRole.coordination:
        return Case.departement.in_(user.departements) if user.departements else false()
    # One IN over the few ids of their cases: the database reads those cases' rows through
    # their indexes. An OR of two IN clauses made PostgreSQL filter every row of every case
    # (a chargé·e's inbox cost as much as the national one). Aliased and not correlated: the
    # subquery stands alone inside a statement that already reads `case`.
    own = aliased(Case)
    coordinated = (
        select(own.id)
        .join(Contact, Contact.id == own.coordinator_id)
        .where(func.lower(Contact.email) == user.email.lower())
        .correlate(None)
    )
    assigned = (
        select(CaseAssignment.case_id).where(CaseAssignment.user_id == user.id).correlate(None)
    )
    return Case.id.in_(union(coordinated, assigned))
