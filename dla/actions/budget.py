"""Budget action: the consultant's days planned for a task, on site and in their office (the
plan's annex 5.1, `contexte.budget_jours` in case files)."""

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
from dla.actions.fields import number_text
from dla.clock import Clock
from dla.inputs import read_number
from models import Step
from models.enums import StepStatus

MAX_DAYS = 500  # as a case file's DayBudgetIn


def set_budget_days(
    reference: str,
    task: str,
    *,
    terrain: str | float | None,
    cabinet: str | float | None,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Set the consultant's days planned for a task (on site, and in their office); both left
    empty remove the task from the budget."""
    case = open_case(reference, session=session, revision=revision)
    steps = {
        s.key: s.title
        for s in session.exec(
            select(Step).where(Step.case_id == case.id, Step.status != StepStatus.annulee)
        )
    }
    if task not in steps:
        refuse(
            "tache", f"tâche inconnue : {shown(task)} ; attendu parmi : {', '.join(sorted(steps))}"
        )
    days, problems = {}, []
    for field, value, name in (
        ("terrain", terrain, "jours terrain"),
        ("cabinet", cabinet, "jours cabinet"),
    ):
        if value is None or str(value).strip() == "":
            days[field] = None
            continue
        number, problem = read_number(value, field=field, name=name)
        if problem is None and not 0 <= number <= MAX_DAYS:
            problem = FieldProblem(
                field, f"{name} : {shown(value)} ; attendu : entre 0 et {MAX_DAYS} jours"
            )
        problems += [problem] if problem else []
        days[field] = number
    if problems:
        raise ActionRefused(problems)
    budget = dict(case.context.get("budget_jours") or {})
    old = budget.get(task)
    new = (
        None
        if days == {"terrain": None, "cabinet": None}
        else {k: v or 0.0 for k, v in days.items()}
    )
    if old == new or (old is None and new is None):
        return Outcome(f"Budget de « {steps[task]} » : inchangé", False)
    if new is None:
        budget.pop(task)
        summary = f"Budget de « {steps[task]} » retiré"
    else:
        budget[task] = new
        summary = (
            f"Budget de « {steps[task]} » : {number_text(new['terrain'])} jour(s) terrain, "
            f"{number_text(new['cabinet'])} jour(s) cabinet"
        )
    case.context = {**case.context, "budget_jours": budget}
    session.add(case)
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="case.budget",
        summary=summary,
        data={"task": task, "before": old, "after": new},
    )
    return Outcome(summary)
