"""Task actions: mark a task done, or not done again."""

from datetime import date

from sqlmodel import Session, select

from dla.actions.base import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    log,
    open_case,
    refuse,
    shown,
)
from dla.clock import Clock
from dla.frenchtext import fr_date
from dla.inputs import observed_day_problems
from models import Case, Stage, Step
from models.enums import StageStatus, StepStatus


def find_stage(case: Case, key: str, *, session: Session) -> Stage:
    """Return the case's stage `key`; refuse an unknown one, naming the known ones."""
    stages = {
        s.key: s
        for s in session.exec(
            select(Stage).where(Stage.case_id == case.id).order_by(Stage.position)
        )
    }
    if key not in stages:
        refuse("etape", f"étape inconnue : {shown(key)} ; attendu parmi : {', '.join(stages)}")
    return stages[key]


def find_task(stage: Stage, key: str, *, session: Session) -> Step:
    """Return the stage's task `key`; refuse an unknown one, naming the stage's tasks."""
    steps = {s.key: s for s in session.exec(select(Step).where(Step.stage_id == stage.id))}
    if key not in steps:
        known = ", ".join(sorted(steps)) or "aucune"
        refuse(
            "tache",
            f"tâche inconnue dans l'étape {stage.key!r} : {shown(key)} ; attendu parmi : {known}",
        )
    return steps[key]


def not_yet_open(stage: Stage) -> FieldProblem | None:
    """Return the refusal of a stage that has not opened yet, or None."""
    if stage.status is StageStatus.a_venir:
        return FieldProblem(
            "etape",
            f"étape {stage.key!r} pas encore ouverte (début prévu le "
            f"{fr_date(stage.planned_start)}) ; attendu : une étape ouverte",
        )
    return None


def reopened(stage: Stage, *, session: Session) -> str:
    """Open again a stage awaiting its gate whose work is no longer all done; say so, or ""."""
    if stage.status is not StageStatus.en_attente_validation:
        return ""
    stage.status = StageStatus.ouverte
    session.add(stage)
    return " ; l'étape n'attend plus sa validation"


def closed(stage: Stage) -> FieldProblem | None:
    """Return the refusal of a closed stage (its work no longer changes), or None."""
    if stage.status is StageStatus.close:
        day = stage.closed_at.date() if stage.closed_at else None
        return FieldProblem(
            "etape",
            f"étape {stage.key!r} close le {fr_date(day)} ; attendu : une étape ouverte",
        )
    return None


def mark_task_done(
    reference: str,
    stage: str,
    task: str,
    *,
    done_on: date | None = None,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Mark a task of an opened stage done on `done_on` (today by default).

    The day is between the case's start and today. A task done on a closed stage is recorded
    (late paperwork); a cancelled task is refused; the same day again changes nothing.
    """
    case = open_case(reference, session=session, revision=revision)
    row = find_stage(case, stage, session=session)
    step = find_task(row, task, session=session)
    day = done_on or clock.today()
    problems = [p for p in (not_yet_open(row), _cancelled(step)) if p]
    problems += done_day_problems(day, case.started_on, clock.today())
    if problems:
        raise ActionRefused(problems)
    if step.status is StepStatus.faite and step.done_on == day:
        return Outcome(f"Tâche « {step.title} » déjà faite le {fr_date(day)} : inchangé", False)
    before = step.done_on if step.status is StepStatus.faite else None
    step.status, step.done_on = StepStatus.faite, day
    session.add(step)
    summary = f"Tâche « {step.title} » ({row.title}) marquée faite le {fr_date(day)}" + (
        f" (au lieu du {fr_date(before)})" if before else ""
    )
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="task.done",
        summary=summary,
        data={"stage": row.key, "step": step.key, "done_on": day.isoformat()},
    )
    return Outcome(summary)


def mark_task_not_done(
    reference: str,
    stage: str,
    task: str,
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Put a done task of an open stage back to "à faire" (a stage awaiting its gate reopens)."""
    case = open_case(reference, session=session, revision=revision)
    row = find_stage(case, stage, session=session)
    step = find_task(row, task, session=session)
    problems = [p for p in (not_yet_open(row), closed(row), _cancelled(step)) if p]
    if problems:
        raise ActionRefused(problems)
    if step.status is not StepStatus.faite:
        return Outcome(f"Tâche « {step.title} » déjà à faire : inchangé", False)
    before = step.done_on
    step.status, step.done_on = StepStatus.a_faire, None
    session.add(step)
    summary = f"Tâche « {step.title} » ({row.title}) remise à faire" + (
        f" (marquée faite le {fr_date(before)})" if before else ""
    )
    summary += reopened(row, session=session)
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="task.undone",
        summary=summary,
        data={"stage": row.key, "step": step.key},
    )
    return Outcome(summary)


def done_day_problems(day: date, started_on: date, today: date | None) -> list[FieldProblem]:
    """Refuse the day a task was done: out of range, after today, before the case started
    (a case file's `fait_le` too)."""
    return observed_day_problems(
        day, started_on=started_on, today=today, field="fait_le", name="date de réalisation"
    )


def _cancelled(step: Step) -> FieldProblem | None:
    if step.status is StepStatus.annulee:
        return FieldProblem(
            "tache", f"tâche {step.key!r} annulée ; attendu : une tâche à faire ou faite"
        )
    return None
