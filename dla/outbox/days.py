"""One day of reminders (plan, then sweep), a dry run of it, and a replay along past dates."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from dla.clock import Clock, FixedClock, SystemClock
from dla.db import transaction
from dla.frenchtext import fr_date
from dla.mail.base import Transport
from dla.outbox.check import recheck
from dla.outbox.claim import Claimed
from dla.outbox.plan import DEFAULT_HORIZON, PlanResult, plan_due_window
from dla.outbox.record import BACKOFF_FIRST
from dla.outbox.sweep import Renderer, Signer, SweepReport, notices, sweep
from models import Notification, Period, Stage, Validation
from models.enums import NotificationStatus, Rule
from models.labels import label


@dataclass
class Line:
    """One line of what the reminders did or would do: for the CLI and the artifact."""

    reference: str
    rule: str
    recipient: str
    subject: str
    status: str
    why: str


def remind(
    *,
    engine: Engine,
    transport: Transport,
    renderer: Renderer,
    clock: Clock,
    limit: int = 200,
    horizon: timedelta = DEFAULT_HORIZON,
    digests: bool = True,
    wall: Clock | None = None,
    backoff: timedelta = BACKOFF_FIRST,
    signer: Signer | None = None,
) -> tuple[PlanResult, SweepReport]:
    """Plan what today warrants, then send everything due (`wall`: the real clock)."""
    with transaction(engine) as session:
        planned = plan_due_window(
            session=session, today=clock.today(), horizon=horizon, now=clock.now(), digests=digests
        )
    report = sweep(
        engine=engine,
        transport=transport,
        renderer=renderer,
        clock=clock,
        limit=limit,
        wall=wall,
        backoff=backoff,
        signer=signer,
    )
    report.held += planned.held
    return planned, report


def preview(
    *, engine: Engine, clock: Clock, digests: bool = True, wall: Clock | None = None
) -> list[Line]:
    """Say what would go now, to whom and why, without writing anything (rolled back)."""
    now, real = clock.now(), (wall or SystemClock()).now()
    with Session(engine) as session:
        planned = plan_due_window(session=session, today=now.date(), now=now, digests=digests)
        rows = session.exec(
            select(Notification)
            .where(
                Notification.status == NotificationStatus.planned,
                Notification.due_at <= now,
                # A retry still in its backoff (real time) would not go now.
                or_(col(Notification.not_before).is_(None), Notification.not_before <= real),
            )
            .order_by(Notification.due_at, Notification.id)
        ).all()
        claimed = [
            Claimed(
                r.id,
                r.key,
                r.case_id,
                r.rule,
                r.recipient,
                r.attempts,
                json.dumps(r.payload),
                False,
            )
            for r in rows
        ]
        keep, cancel = recheck(claimed, session=session, today=now.date())
        pairs, empty = notices(keep, session=session, now=now)
        keep = [row for row, _ in pairs]
        cancel += [(v.row, v.detail or "") for v in empty]
        held = session.exec(
            select(Notification).where(col(Notification.key).in_(planned.held))
        ).all()
        lines = [line(r, "planned", _why(r)) for r in keep]
        lines += [line(r, "cancelled", why) for r, why in cancel]
        lines += [_held(h) for h in held]
        session.rollback()
    return lines


def line(row, status: str, why: str) -> Line:
    """Describe a notification row (claimed or stored) in French."""
    payload = row.payload or {}
    return Line(
        payload.get("context", {}).get("reference", "—"),
        label(row.rule, Rule),
        row.recipient,
        payload.get("subject", ""),
        label(status, NotificationStatus),
        why,
    )


def held_lines(engine: Engine, keys: list[str]) -> list[Line]:
    """Describe the rows planning held back (their reason, or the day they were put off to)."""
    with Session(engine) as session:
        rows = session.exec(select(Notification).where(col(Notification.key).in_(keys))).all()
    return [_held(r) for r in rows]


def _held(row: Notification) -> Line:
    return line(row, "held", row.last_error or f"reportée au {row.due_at:%d/%m/%Y}")


def report_lines(report: SweepReport) -> list[Line]:
    """Describe what a sweep did."""
    return [line(v.row, v.status, v.detail or "") for v in report.verdicts]


def _why(row: Claimed) -> str:
    context = row.payload.get("context", {})
    if row.rule in ("echeance_proche", "echeance_depassee"):
        due = fr_date(date.fromisoformat(context["due_on"]))
        return f"tâche « {context.get('title')} », échéance le {due}"
    if row.rule == "validation_attendue":
        return f"décision attendue : {context.get('body')} {context.get('organisation') or ''}"
    return label(row.rule, Rule)


def replay(
    *,
    engine: Engine,
    transport: Transport,
    renderer_for: Callable[[Clock], Renderer],
    start: date,
    end: date,
    digests: bool = True,
    wall: Clock | None = None,
    backoff: timedelta = BACKOFF_FIRST,
    signer: Signer | None = None,
) -> SweepReport:
    """Replay the reminders day by day: plan on Mondays and on the cases' dates, sweep daily.

    Only the simulated day moves: claims and retries keep to the real clock `wall`, so a
    replay running beside another one (or beside the daily sweep) never takes their rows in
    flight, and a retry comes back once its backoff has passed in real time.
    """
    total = SweepReport()
    plan_days = _case_dates(engine, start, end)
    day = start
    while day <= end:
        if day.weekday() < 5:
            clock = FixedClock.on(day)
            if day == start or day.weekday() == 0 or day in plan_days:
                with transaction(engine) as session:
                    planned = plan_due_window(
                        session=session,
                        today=day,
                        horizon=timedelta(days=7),
                        now=clock.now(),
                        digests=digests,
                    )
                total.held += planned.held
            report = sweep(
                engine=engine,
                transport=transport,
                renderer=renderer_for(clock),
                clock=clock,
                wall=wall,
                backoff=backoff,
                signer=signer,
            )
            total.verdicts += report.verdicts
            total.batches += report.batches
        day += timedelta(days=1)
    return total


def _case_dates(engine: Engine, start: date, end: date) -> set[date]:
    """Return the days something changes in a case (stages, decisions, periods)."""
    days: set[date] = set()
    with Session(engine) as session:
        for opened, closed, s, e in session.exec(
            select(Stage.opened_at, Stage.closed_at, Stage.planned_start, Stage.planned_end)
        ):
            days |= {d.date() for d in (opened, closed) if d} | {s, e}
        days |= set(session.exec(select(Validation.decided_on)))
        for s, e in session.exec(select(Period.start_on, Period.end_on)):
            days |= {s, e}
    return {d for d in days if start <= d <= end}
