"""Who sees which case: the one place the desk's access rule is written, as a SQL clause."""

from sqlalchemy import ColumnElement, false, func, or_, select, true

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
    coordinated = select(Contact.id).where(func.lower(Contact.email) == user.email.lower())
    assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == user.id)
    return or_(Case.coordinator_id.in_(coordinated), Case.id.in_(assigned))
