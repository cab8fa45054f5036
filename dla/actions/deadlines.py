"""Move a deadline: a task's, or a stage's end; the timeline keeps the old and the new date."""

from datetime import date

from sqlmodel import Session

from dla.actions.base import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    log,
    open_case,
    text_problem,
)
from dla.actions.tasks import closed, find_stage, find_task
from dla.clock import Clock, day_problem
from dla.frenchtext import fr_date
from dla.inputs import working_day_problem
from models import Case, Stage
from models.enums import StageStatus, StepStatus

MAX_REASON = 500


def deadline_problems(
    day: date, case: Case, clock: Clock, *, field: str, name: str
) -> list[FieldProblem]:
    """Return what is wrong with a new deadline: out of range, past, or not a working day."""
    if (problem := day_problem(day, name)) is not None:
        return [FieldProblem(field, problem)]
    if day < clock.today():
        return [
            FieldProblem(
                field,
                f"{name} dans le passé : {fr_date(day)} ; attendu : aujourd'hui "
                f"({fr_date(clock.today())}) ou après",
            )
        ]
    return [p for p in (working_day_problem(day, case.departement, field=field, name=name),) if p]


def move_deadline(
    reference: str,
    stage: str,
    task: str | None,
    *,
    to: date,
    reason: str,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Move a task's deadline (or, without `task`, the stage's end) to `to`, for a reason.

    The stage is not closed and the task still to do; the new day is today or later and a
    working day of the case's département. The timeline keeps the old and the new date.
    """
    case = open_case(reference, session=session, revision=revision)
    row = find_stage(case, stage, session=session)
    step = find_task(row, task, session=session) if task is not None else None
    problems = [p for p in (closed(row),) if p]
    if step is not None and step.status is not StepStatus.a_faire:
        what = f"faite le {fr_date(step.done_on)}" if step.done_on else "annulée"
        problems.append(
            FieldProblem("tache", f"tâche {step.key!r} {what} ; attendu : une tâche à faire")
        )
    problems += deadline_problems(to, case, clock, field="echeance", name="nouvelle échéance")
    if step is not None and to > row.planned_end:
        problems.append(after_end(to, row))
    if step is None and to < row.planned_start:
        problems.append(
            FieldProblem(
                "echeance",
                f"nouvelle fin {fr_date(to)} avant le début de l'étape ; attendu : le "
                f"{fr_date(row.planned_start)} ou après",
            )
        )
    if problem := text_problem(reason, field="motif", name="motif", limit=MAX_REASON):
        problems.append(problem)
    if problems:
        raise ActionRefused(problems)
    reason = reason.strip()
    old = step.due_date if step is not None else row.planned_end
    what = f"« {step.title} »" if step is not None else f"la fin de l'étape « {row.title} »"
    if old == to:
        return Outcome(f"Échéance de {what} déjà au {fr_date(to)} : inchangé", False)
    summary = f"Échéance de {what} déplacée du {fr_date(old)} au {fr_date(to)} (motif : {reason})"
    if step is not None:
        step.due_date, step.deadline = to, {"date": to.isoformat()}
        session.add(step)
    else:
        row.planned_end = to
        if row.status is StageStatus.en_attente_validation and to > clock.today():
            # Its work is due later now: the stage is open until then (or its tasks are done).
            row.status = StageStatus.ouverte
        session.add(row)
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="step.moved" if step is not None else "stage.moved",
        summary=summary,
        data={"stage": row.key, "step": task, "old": old.isoformat(), "new": to.isoformat()}
        | {"motif": reason},
    )
    return Outcome(summary)


def after_end(day: date, stage: Stage) -> FieldProblem:
    """Refuse a task due after its stage's end."""
    return FieldProblem(
        "echeance",
        f"échéance {fr_date(day)} après la fin de l'étape ; attendu : le "
        f"{fr_date(stage.planned_end)} au plus tard (ou déplacez d'abord la fin de l'étape)",
    )
