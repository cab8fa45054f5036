"""Ending actions: close a case (its accompaniment is over) or abandon it (stopped before its
end), for a reason.

An ended case is left alone by every pass (dla/progress.py, dla/daily.py) and warrants no
reminder (dla/outbox): its planned reminders are cancelled here, and one already claimed by a
sweep is re-checked before it is sent (dla/outbox/check.py). Its stages still open are closed,
its tasks still to do cancelled, its follow-ups not done removed; the timeline keeps the list.
"""

from sqlalchemy import update
from sqlmodel import Session, col, select

from dla.actions.base import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    log,
    open_case,
    text_problem,
)
from dla.actions.fields import forgotten_texts
from dla.clock import Clock
from dla.frenchtext import case_status_label, fr_date
from models import FollowUp, Notification, Stage, Step
from models.enums import ENDED, CaseStatus, NotificationStatus, StageStatus, StepStatus

MAX_REASON = 500


def close_case(
    reference: str,
    *,
    reason: str,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Close the case: its accompaniment is over (before its plan says, or as planned)."""
    return _end(reference, CaseStatus.close, reason, session, clock, actor, revision)


def abandon_case(
    reference: str,
    *,
    reason: str,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Abandon the case: the accompaniment stops before its end."""
    return _end(reference, CaseStatus.abandonne, reason, session, clock, actor, revision)


def _end(reference, status, reason, session, clock, actor, revision) -> Outcome:
    case = open_case(reference, session=session, revision=revision)
    problems = [
        p for p in (text_problem(reason, field="motif", name="motif", limit=MAX_REASON),) if p
    ]
    problems += forgotten_texts({"motif": reason}, session=session)
    word = case_status_label(status)
    if case.status is status:
        if problems:
            raise ActionRefused(problems)
        return Outcome(f"Accompagnement déjà {word} : inchangé", False)
    if case.status in ENDED:
        problems.append(
            FieldProblem(
                None,
                f"accompagnement déjà {case_status_label(case.status)} ; attendu : un "
                "accompagnement en cours pour le dire " + word,
            )
        )
    if problems:
        raise ActionRefused(problems)
    reason = reason.strip()
    now = clock.now()
    stages = list(
        session.exec(
            select(Stage)
            .where(Stage.case_id == case.id, Stage.status != StageStatus.close)
            .order_by(Stage.position)
        )
    )
    for stage in stages:
        stage.status, stage.closed_at = StageStatus.close, now
    tasks = list(
        session.exec(select(Step).where(Step.case_id == case.id, Step.status == StepStatus.a_faire))
    )
    for task in tasks:
        task.status = StepStatus.annulee
    follow_ups = list(
        session.exec(
            select(FollowUp)
            .where(FollowUp.case_id == case.id, col(FollowUp.done_on).is_(None))
            .order_by(FollowUp.months_after)
        )
    )
    for follow_up in follow_ups:
        session.delete(follow_up)
    session.add_all([*stages, *tasks])
    case.status = status
    session.add(case)
    table = Notification.__table__
    cancelled = session.execute(
        update(table)
        .where(table.c.case_id == case.id, table.c.status == NotificationStatus.planned)
        .values(status=NotificationStatus.cancelled, last_error=f"accompagnement {word}")
    ).rowcount
    summary = f"Accompagnement {word} le {fr_date(clock.today())} (motif : {reason})"
    parts = [
        f"{len(stages)} étape(s) close(s)" if stages else "",
        f"{len(tasks)} tâche(s) annulée(s)" if tasks else "",
        "suivi(s) retiré(s) : " + ", ".join(f"{f.months_after} mois" for f in follow_ups)
        if follow_ups
        else "",
        f"{cancelled} relance(s) prévue(s) annulée(s)" if cancelled else "",
    ]
    if any(parts):
        summary += " ; " + ", ".join(p for p in parts if p)
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="case.closed" if status is CaseStatus.close else "case.abandoned",
        summary=summary,
        data={
            "motif": reason,
            "stages": [s.key for s in stages],
            "tasks": [t.key for t in tasks],
            "follow_ups": [f.months_after for f in follow_ups],
            "cancelled": cancelled,
        },
    )
    return Outcome(summary)
