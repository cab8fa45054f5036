"""The daily planning pass: in full, and incremental (the cases changed, or whose dates came).

On a portfolio planned today (the generator's pass), a share of the cases is changed through
the actions, as the desk would (a task of an open stage marked done). Then, side by side, each
pass in a transaction rolled back after it (every run does the same work):

- full: every open case planned for the next working day;
- incremental, next working day: the changed cases, and those whose dates come (a reminder
  reaching the window, a stage's end with its gate waiting);
- incremental, same day: the changed cases only.
"""

import time
from datetime import date, timedelta

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from benchmarks.measure import Timing, side_by_side
from dla.actions import Actor, mark_task_done
from dla.clock import FixedClock
from dla.db import transaction
from dla.outbox.plan import PlanResult, plan_due_window
from dla.outbox.rules import at_hour
from models import Case, Stage, Step
from models.enums import ENDED, StageStatus, StepStatus

BENCH = Actor("benchmark", "bureau")  # as the desk would


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def change(engine: Engine, today: date, share: float) -> int:
    """Mark one task done in `share` of the open cases (one transaction); return how many."""
    with Session(engine) as session:
        first = (
            select(Step.case_id, func.min(Step.id).label("step_id"))
            .join(Stage, Stage.id == Step.stage_id)
            .join(Case, Case.id == Step.case_id)
            .where(
                Stage.status == StageStatus.ouverte,
                Step.status == StepStatus.a_faire,
                Case.status.not_in(ENDED),
            )
            .group_by(Step.case_id)
            .subquery()
        )
        tasks = session.execute(
            select(Case.reference, Stage.key, Step.key)
            .select_from(first)
            .join(Step, Step.id == first.c.step_id)
            .join(Stage, Stage.id == Step.stage_id)
            .join(Case, Case.id == Step.case_id)
            .order_by(Case.id)
        ).all()
        cases = session.execute(
            select(func.count()).select_from(Case).where(Case.status.not_in(ENDED))
        ).scalar_one()
    wanted = int(cases * share)
    every = max(1, len(tasks) // max(wanted, 1))
    chosen = tasks[::every][:wanted]
    clock = FixedClock(at_hour(today, 12))
    with transaction(engine) as session:
        for reference, stage, task in chosen:
            mark_task_done(reference, stage, task, session=session, clock=clock, actor=BENCH)
    return len(chosen)


def one_pass(engine: Engine, day: date, *, incremental: bool) -> tuple[PlanResult, float]:
    """Plan `day` in a transaction rolled back afterwards; return what it did and its CPU time."""
    cpu = time.process_time()
    with Session(engine) as session:
        result = plan_due_window(
            session=session,
            today=day,
            now=at_hour(day, 7),
            digests=False,
            incremental=incremental,
        )
        session.rollback()
    return result, time.process_time() - cpu


def run(engine: Engine, today: date, *, runs: int, share: float = 0.10) -> dict:
    """Change `share` of the cases, then time the three passes side by side; return the figures."""
    changed = change(engine, today, share)
    tomorrow = next_working_day(today)
    subjects = {
        "full": (tomorrow, False),
        "next_day": (tomorrow, True),
        "same_day": (today, True),
    }
    results: dict[str, PlanResult] = {}
    cpu: dict[str, list[float]] = {name: [] for name in subjects}

    def subject(name: str):
        day, incremental = subjects[name]

        def go():
            results[name], seconds = one_pass(engine, day, incremental=incremental)
            cpu[name].append(seconds)

        return go

    timings = side_by_side({name: subject(name) for name in subjects}, runs=runs)
    with Session(engine) as session:
        open_cases = session.execute(
            select(func.count()).select_from(Case).where(Case.status.not_in(ENDED))
        ).scalar_one()
    return {
        "changed": changed,
        "open": open_cases,
        "tomorrow": tomorrow,
        "timings": timings,
        "cpu": {name: Timing(seconds) for name, seconds in cpu.items()},
        "planned": {name: r.planned_cases for name, r in results.items()},
        "inserted": {name: len(r.inserted) for name, r in results.items()},
    }
