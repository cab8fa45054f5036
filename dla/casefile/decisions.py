"""Judge a case file's decisions as `dla validate` judges them, against the case as it stands."""

from datetime import date

from sqlmodel import Session, col, select

from dla.casefile.loader import CasePlan, at_line
from dla.casefile.problems import Problem
from dla.validations import DecisionInput, decision_problems, opening_day
from models import Case, Stage


def judge_decisions(plan: CasePlan, case: Case | None, *, session: Session) -> list[Problem]:
    """Return what `dla validate` would refuse in the file's decisions (dla/validations.py).

    Each decision must come from a validator its stage's gate (or its task) expects, not be
    dated before the stage opened, and a postponement must say until when (`report_au`). A
    stage the case has not opened yet opens on its planned start, as a stage caught up late
    does (dla/lifecycle.py): a decision is then judged against that day. The load day (no
    decision after it) is checked when the file is read (`build_plan`).
    """
    opened = _opening_days(case, session) if case is not None else {}
    problems: list[Problem] = []
    for stage in plan.stages:
        key = stage.source.cle
        tasks = {t.key: t for t in stage.tasks}
        for d, where in zip(stage.decisions, stage.decision_paths, strict=True):
            entry = DecisionInput(
                plan.case.reference,
                key,
                d.structure,
                d.instance,
                d.decision,
                d.date,
                d.commentaire,
                d.report_au,
                d.tache,
            )
            expected = tasks[d.tache].validators if d.tache else stage.validators
            values = {
                "structure": d.structure,
                "date": d.date.isoformat(),
                "report_au": d.report_au.isoformat() if d.report_au else None,
            }
            for name, message in decision_problems(
                entry,
                who=d.structure,
                expected=set(expected),
                opened_on=opened.get(key, stage.start),
                today=None,
            ):
                problem = at_line(Problem(f"{where}.{name}", message, values[name]), plan.lines)
                if problem not in problems:  # a @membres decision: one problem, not one a member
                    problems.append(problem)
    return problems


def _opening_days(case: Case, session: Session) -> dict[str, date]:
    """Return the day each opened stage of the case opened, by stage key."""
    stages = session.exec(
        select(Stage).where(Stage.case_id == case.id, col(Stage.opened_at).is_not(None))
    )
    return {s.key: opening_day(s) for s in stages}
