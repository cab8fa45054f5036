"""Coordinator actions: one function per action, the same checks behind every door.

Each action (`mark_task_done`, `move_deadline`, `start_period`, …) takes the case reference and
its inputs, then keyword-only `session`, `clock`, `actor` (who, through which door) and an
optional `revision` (the case revision a form showed: a case changed since is refused with
"modifié entre-temps par …"). It checks everything first and raises `ActionRefused` (French
`FieldProblem`s: field, value, what was expected) with nothing written; otherwise it writes,
puts one event on the timeline (who, when, channel) and moves the case revision, inside the
caller's transaction (`dla.db.transaction`). It returns an `Outcome` (one French sentence;
`changed` False when there was nothing to do, so re-running an action adds nothing).

After the commit, the door calls `advance_after(engine, reference, clock)`: the case takes the
action into account at once (a stage whose last task is done goes to its gate).

The doors: the CLI (`dla/cli/`), the desk (`web/`), the Prefect deployment (`flows/`), and the
case-file loader. Board decisions stay in `dla.validations.record_validation`, re-exported here.
"""

from dla.actions.base import (
    CHANNELS,
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    advance_after,
    log,
    open_case,
    read_day,
)
from dla.actions.deadlines import move_deadline
from dla.actions.periods import end_period, start_period
from dla.actions.planning import add_task
from dla.actions.tasks import mark_task_done, mark_task_not_done
from dla.validations import DecisionInput, ValidationRefused, record_validation

__all__ = [
    "CHANNELS",
    "ActionRefused",
    "Actor",
    "DecisionInput",
    "FieldProblem",
    "Outcome",
    "ValidationRefused",
    "add_task",
    "advance_after",
    "end_period",
    "log",
    "mark_task_done",
    "mark_task_not_done",
    "move_deadline",
    "open_case",
    "read_day",
    "record_validation",
    "start_period",
]
