"""Drive a case through its stages: the one loop shared by the Prefect flow and plain replays."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import Engine
from sqlmodel import Session, select

from dla import lifecycle
from dla import steps as stage_steps
from dla.clock import Clock, FixedClock
from dla.lifecycle import StageState
from models import Case, Stage
from models.enums import ENDED, StageStatus, Standing


@dataclass
class StageSteps:
    """What happens to one stage; the flow passes Prefect tasks, replays plain functions."""

    open: Callable[[str, str, Clock], bool]
    request: Callable[[str, str, Clock], list[str]]
    check: Callable[[str, str, Clock], lifecycle.StageOutcome]
    finish: Callable[[str, Clock], object]
    # Renders the requested deliverables (the flow does; plain replays leave documents alone).
    render: Callable[[str, str, Clock], object] | None = None


def plain_steps(engine: Engine, render: bool = False) -> StageSteps:
    """Return the stage steps as plain functions (`dla.steps`), each in its own transaction."""
    return StageSteps(
        partial(stage_steps.open_stage, engine),
        partial(stage_steps.request_deliverables, engine),
        partial(stage_steps.check_gate, engine),
        partial(stage_steps.finish_case, engine),
        partial(stage_steps.render_deliverables, engine) if render else None,
    )


@dataclass(frozen=True)
class _Planned:
    key: str
    waits_for: tuple[str, ...]
    status: StageStatus

    @property
    def closed(self) -> bool:
        return self.status is StageStatus.close


def stage_order(reference: str, *, session: Session) -> list[_Planned]:
    """Return the case's stages by planned start (then position), with what each waits for."""
    case = lifecycle.get_case(reference, session=session)
    rows = session.exec(
        select(Stage).where(Stage.case_id == case.id).order_by(Stage.planned_start, Stage.position)
    )
    return [_Planned(s.key, tuple(s.waits_for), s.status) for s in rows]


def standing(stages: list[_Planned]) -> Standing:
    """Return where a case stands from its stages, as `advance` words it."""
    statuses = {s.status for s in stages}
    if StageStatus.en_attente_validation in statuses:
        return Standing.waiting
    if StageStatus.ouverte in statuses:
        return Standing.running
    return Standing.not_yet if StageStatus.a_venir in statuses else Standing.done


def advance(
    engine: Engine,
    reference: str,
    clock: Clock,
    steps: StageSteps,
    on_awaiting: Callable[[str, lifecycle.StageOutcome], lifecycle.StageOutcome] | None = None,
) -> Standing:
    """Take the case as far as today allows and return where it stands.

    A stage waits for the stages planned to end before it begins; stages whose planned dates
    overlap run side by side (a regional module alongside the next plan, say).
    `on_awaiting` may obtain decisions for a waiting gate and return the re-checked outcome.
    A day before the case's clock changes nothing: the stages already stand as they do later;
    nor does any day once the case is closed or abandoned (nothing opens again).
    """
    with Session(engine) as session:
        stages = stage_order(reference, session=session)
        clock_day, status = session.exec(
            select(Case.advanced_on, Case.status).where(Case.reference == reference)
        ).one()
    if status in ENDED:
        return Standing.done
    if clock_day is not None and clock.today() < clock_day:
        return standing(stages)
    closed = {s.key for s in stages if s.closed}
    states: list[StageState] = []
    for stage in stages:
        if stage.closed:
            states.append(StageState.closed)
            continue
        if not closed.issuperset(stage.waits_for) or not steps.open(reference, stage.key, clock):
            states.append(StageState.not_started)
            continue
        if steps.request(reference, stage.key, clock) and steps.render is not None:
            steps.render(reference, stage.key, clock)
        outcome = steps.check(reference, stage.key, clock)
        if outcome.state == StageState.awaiting and on_awaiting is not None:
            outcome = on_awaiting(stage.key, outcome)
        states.append(outcome.state)
        if outcome.state == StageState.closed:
            closed.add(stage.key)
    steps.finish(reference, clock)
    if StageState.awaiting in states:
        return Standing.waiting
    if StageState.in_progress in states:
        return Standing.running
    return Standing.not_yet if StageState.not_started in states else Standing.done


def replay(engine: Engine, reference: str, until: date, steps: StageSteps) -> Standing:
    """Run the case on each day something may happen, from its clock up to `until`.

    The days are recomputed after each pass (a refusal or a postponement moves a stage's end),
    and never go back before the case's clock: replaying in one go or in several steps writes
    the same timeline.
    """
    after: date | None = None
    while True:
        with Session(engine) as session:
            day = lifecycle.next_day(reference, session=session, after=after, until=until)
            if day is None:
                return standing(stage_order(reference, session=session))
        status = advance(engine, reference, FixedClock.on(day), steps)
        if day == until:
            return status
        after = day
