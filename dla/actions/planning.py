"""Planning actions: move a deadline (a task's, or a stage's end), add a task to an open stage."""

import re
from datetime import date

from babel.dates import format_date
from sqlmodel import Session, col, select

from dla.actions.base import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    log,
    open_case,
    shown,
    text_problem,
)
from dla.actions.tasks import closed, find_stage, find_task, not_yet_open
from dla.calendar import calendar_for
from dla.casefile.fields import SLUG_PATTERN
from dla.clock import Clock, day_problem
from dla.frenchtext import fr_date, label
from models import Case, CaseMember, Organisation, Stage, Step
from models.enums import StageStatus, StepStatus

MAX_REASON = 500


def working_day_problem(day: date, case: Case, *, field: str, name: str) -> FieldProblem | None:
    """Refuse a weekend or a public holiday of the case's département, naming the next working day."""
    calendar = calendar_for(case.departement)
    if calendar.is_working_day(day):
        return None
    holiday = calendar.holiday_name(day)
    why = f"jour férié ({holiday})" if holiday else "week-end"
    return FieldProblem(
        field,
        f"{name} le {format_date(day, 'EEEE d MMMM y', locale='fr_FR')} : {why} ; attendu : un "
        f"jour ouvré (le prochain : {fr_date(calendar.add_working_days(day, 1))})",
    )


def _day_problems(day: date, case: Case, clock: Clock, *, field: str, name: str) -> list:
    """Check a new deadline: in range, today or later, a working day of the case."""
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
    return [p for p in (working_day_problem(day, case, field=field, name=name),) if p]


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
    problems += _day_problems(to, case, clock, field="echeance", name="nouvelle échéance")
    if step is not None and to > row.planned_end:
        problems.append(_after_end(to, row))
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


def add_task(
    reference: str,
    stage: str,
    *,
    key: str,
    title: str,
    owner: str,
    due_on: date,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Add a task to an open stage, due by its end on a working day; a stage awaiting its gate
    opens again (its work is no longer all done)."""
    case = open_case(reference, session=session, revision=revision)
    row = find_stage(case, stage, session=session)
    problems = [p for p in (not_yet_open(row), closed(row)) if p]
    problems += _key_problems(case, key, session=session)
    if problem := text_problem(title, field="titre", name="titre", limit=300):
        problems.append(problem)
    owners = _owners(case, session=session)
    if owner not in owners:
        problems.append(
            FieldProblem(
                "responsable",
                f"responsable inconnu : {shown(owner)} ; attendu parmi : {', '.join(owners)}",
            )
        )
    problems += _day_problems(due_on, case, clock, field="echeance", name="échéance")
    if due_on > row.planned_end:
        problems.append(_after_end(due_on, row))
    if problems:
        raise ActionRefused(problems)
    title = title.strip()
    session.add(
        Step(
            case_id=case.id,
            stage_id=row.id,
            key=key,
            title=title,
            owner=owner,
            due_date=due_on,
            deadline={"date": due_on.isoformat()},
        )
    )
    summary = f"Tâche « {title} » ajoutée à l'étape « {row.title} » (échéance le {fr_date(due_on)})"
    if row.status is StageStatus.en_attente_validation:
        row.status = StageStatus.ouverte
        session.add(row)
        summary += " ; l'étape n'attend plus sa validation"
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="step.added",
        summary=summary,
        data={"stage": row.key, "step": key, "due": due_on.isoformat()},
    )
    return Outcome(summary)


def _after_end(day: date, stage: Stage) -> FieldProblem:
    return FieldProblem(
        "echeance",
        f"échéance {fr_date(day)} après la fin de l'étape ; attendu : le "
        f"{fr_date(stage.planned_end)} au plus tard (ou déplacez d'abord la fin de l'étape)",
    )


def _key_problems(case: Case, key: str, *, session: Session) -> list[FieldProblem]:
    if not isinstance(key, str) or not re.match(SLUG_PATTERN, key):
        return [
            FieldProblem(
                "cle",
                f"clé invalide : {shown(key)} ; attendu : minuscules, chiffres, tirets, "
                "80 caractères au plus (ex. entretien-ca)",
            )
        ]
    taken = session.exec(select(Step).where(Step.case_id == case.id, Step.key == key)).first()
    if taken is not None:
        return [
            FieldProblem("cle", f"clé déjà prise par la tâche « {taken.title} » : {shown(key)}")
        ]
    return []


def _owners(case: Case, *, session: Session) -> list[str]:
    return [value for value, _ in owner_choices(case, session=session)]


def owner_choices(case: Case, *, session: Session) -> list[tuple[str, str]]:
    """Who may own a task, with their French label: the coordination, a role held in the
    case, or a member organisation (by its key)."""
    roles = {
        r.value for r in session.exec(select(CaseMember.role).where(CaseMember.case_id == case.id))
    }
    members = session.exec(
        select(Organisation.key, Organisation.name)
        .join(CaseMember, col(CaseMember.organisation_id) == Organisation.id)
        .where(CaseMember.case_id == case.id)
        .order_by(Organisation.key)
    ).all()
    return [
        ("coordination", "coordination DLA"),
        *((r, label(r)) for r in sorted(roles)),
        *((key, name) for key, name in members),
    ]
