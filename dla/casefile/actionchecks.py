"""What a case file says that an action could say, judged as the action judges it.

A task's `fait_le` (`dla task done`), a deadline written as a date (`dla task add`), an
indicator's `mesure_le` (`dla indicator measure`): the same bad value gets the same French
words (dla/inputs.py), at the file's path.
"""

from datetime import date

from dla.casefile.merge import StagePaths
from dla.casefile.problems import Problem
from dla.casefile.schema import CaseFile, StageIn
from dla.inputs import done_day_problems, measured_day_problems, working_day_problem
from dla.refusals import FieldProblem


def at(where: str, found: list[FieldProblem], value) -> list[Problem]:
    """Put the problems an action would raise at the file's path (its field under `where`)."""
    return [Problem(f"{where}.{p.field}", p.message, value) for p in found]


def task_problems(
    located: StagePaths, stage: StageIn, case: CaseFile, today: date | None
) -> list[Problem]:
    """Judge what a task says as the task actions judge it: the day it was done (`dla task
    done`), a deadline written as a date (`dla task add`: a working day)."""
    problems = []
    for task, where in zip(stage.taches, located.tasks, strict=True):
        if task.fait_le is not None:
            found = done_day_problems(task.fait_le, started_on=case.debut, today=today)
            problems += at(where, found, task.fait_le.isoformat())
        if isinstance(task.echeance, date):
            found = working_day_problem(
                task.echeance, case.departement, field="echeance", name="échéance"
            )
            problems += at(where, [found] if found else [], task.echeance.isoformat())
    return problems


def measure_problems(case: CaseFile, today: date | None) -> list[Problem]:
    """Judge the day each indicator was measured as `dla indicator measure` judges it."""
    problems = []
    for i, indicator in enumerate(case.indicateurs):
        if indicator.mesure_le is not None:
            found = measured_day_problems(indicator.mesure_le, started_on=case.debut, today=today)
            problems += at(f"indicateurs[{i}]", found, indicator.mesure_le.isoformat())
    return problems
