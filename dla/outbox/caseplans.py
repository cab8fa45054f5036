"""Each case's last planning: which cases the daily pass must plan again, in one query."""

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from dla.outbox.validity import CaseDates
from models import Case, ReminderPlan
from models.enums import ENDED

P = ReminderPlan.__table__
C = Case.__table__


def stale_case_ids(*, session: Session, today: date, horizon: timedelta) -> list[int]:
    """Return the open cases whose plan may differ from their last one, in order.

    Never planned, changed since (revision), planned for a later day (a replay started again),
    or one of their dates come: a rule starting to apply, a reminder reaching the window.
    """
    query = (
        select(C.c.id)
        .select_from(C.outerjoin(P, P.c.case_id == C.c.id))
        .where(
            col(Case.status).not_in(ENDED),
            or_(
                P.c.case_id.is_(None),
                P.c.revision != C.c.revision,
                P.c.planned_on > today,
                P.c.replan_on <= today,
                P.c.next_send_on <= today + horizon,
            ),
        )
        .order_by(C.c.id)
    )
    return list(session.execute(query).scalars())


def record_plans(plans: list[CaseDates], *, session: Session) -> None:
    """Write the cases' planning records (one statement for the batch)."""
    if not plans:
        return
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    stmt = insert(P)
    stmt = stmt.on_conflict_do_update(
        index_elements=[P.c.case_id],
        set_={
            name: stmt.excluded[name]
            for name in CaseDates.__dataclass_fields__
            if name != "case_id"
        },
    )
    session.connection().execute(stmt, [vars(p) for p in plans])
