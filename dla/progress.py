"""Drive a case through its stages: the one loop shared by the Prefect flow and plain replays."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from dla import lifecycle
from dla.clock import Clock, FixedClock
from dla.db import transaction
from models import Case, Stage
from models.enums import StageStatus

# The status a drive ends with, in the words the CLI and the flow return.
DONE, WAITING, RUNNING, NOT_YET = "termine", "en-attente-de-validation", "en-cours", "etape-a-venir"


@dataclass
class StageSteps:
    """What happens to one stage; the flow passes Prefect tasks, replays plain functions."""

    open: Callable[[str, str, Clock], bool]
    request: Callable[[str, str, Clock], list[str]]
    check: Callable[[str, str, Clock], lifecycle.StageOutcome]
    finish: Callable[[str, Clock], object]
    # Renders the requested deliverables (the flow does; plain replays leave documents alone).
    render: Callable[[str, str, Clock], object] | None = None


def open_stage(reference: str, key: str, *, session: Session, clock: Clock) -> bool:
    """Open the stage when its date has come, and plan the reminders it brings."""
    opened = lifecycle.open_stage(reference, key, session=session, clock=clock)
    if opened:
        plan_reminders(reference, session=session, clock=clock)
    return opened


def check_gate(
    reference: str, key: str, *, session: Session, clock: Clock
) -> lifecycle.StageOutcome:
    """Pass the stage's gate, or plan the reminders of the validations it awaits."""
    outcome = lifecycle.check_gate(reference, key, session=session, clock=clock)
    if outcome.state == "awaiting":
        plan_reminders(reference, session=session, clock=clock)
    return outcome


def plan_reminders(reference: str, *, session: Session, clock: Clock) -> None:
    """Write the case's notifications due by tomorrow to the outbox (idempotent)."""
    from dla.outbox.plan import plan_case

    case = lifecycle.get_case(reference, session=session)
    plan_case(case.id, session=session, today=clock.today(), now=clock.now())


@dataclass(frozen=True)
class Rendered:
    """The documents a stage's opening rendered, or the facts that were missing."""

    documents: list = field(default_factory=list)  # dla.deliverables.Generated
    missing: list[str] = field(default_factory=list)


def render_stage(
    engine: Engine, reference: str, key: str, clock: Clock, *, previews: bool = False
) -> Rendered:
    """Render the stage's deliverables in the configured formats (a missing fact is reported)."""
    from dla.deliverables import MissingFacts, generate_for_stage
    from dla.settings import get_settings

    settings = get_settings()
    try:
        with transaction(engine) as session:
            return Rendered(
                generate_for_stage(
                    reference,
                    key,
                    session=session,
                    var_dir=settings.var_dir,
                    clock=clock,
                    formats=settings.stage_deliverable_formats,
                    previews=previews,
                )
            )
    except MissingFacts as exc:
        # A missing fact must not hold the case: the coordinator completes the file and the
        # next pass renders the document.
        return Rendered(missing=exc.problems)


def plain_steps(engine: Engine, render: bool = False) -> StageSteps:
    """Return the stage steps as plain functions, each in its own transaction."""

    def run(function):
        def call(*args):
            reference, *rest, clock = args
            with transaction(engine) as session:
                return function(reference, *rest, session=session, clock=clock)

        return call

    return StageSteps(
        run(open_stage),
        run(lifecycle.request_deliverables),
        run(check_gate),
        run(lifecycle.finish_case),
        (lambda reference, key, clock: render_stage(engine, reference, key, clock))
        if render
        else None,
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


def standing(stages: list[_Planned]) -> str:
    """Return where a case stands from its stages, as `advance` words it."""
    statuses = {s.status for s in stages}
    if StageStatus.en_attente_validation in statuses:
        return WAITING
    if StageStatus.ouverte in statuses:
        return RUNNING
    return NOT_YET if StageStatus.a_venir in statuses else DONE


def advance(
    engine: Engine,
    reference: str,
    clock: Clock,
    steps: StageSteps,
    on_awaiting: Callable[[str, lifecycle.StageOutcome], lifecycle.StageOutcome] | None = None,
) -> str:
    """Take the case as far as today allows and return where it stands.

    A stage waits for the stages planned to end before it begins; stages whose planned dates
    overlap run side by side (a regional module alongside the next plan, say).
    `on_awaiting` may obtain decisions for a waiting gate and return the re-checked outcome.
    A day before the case's clock changes nothing: the stages already stand as they do later.
    """
    with Session(engine) as session:
        stages = stage_order(reference, session=session)
        clock_day = session.exec(select(Case.advanced_on).where(Case.reference == reference)).one()
    if clock_day is not None and clock.today() < clock_day:
        return standing(stages)
    closed = {s.key for s in stages if s.closed}
    states: list[str] = []
    for stage in stages:
        if stage.closed:
            states.append("closed")
            continue
        if not closed.issuperset(stage.waits_for) or not steps.open(reference, stage.key, clock):
            states.append("not_started")
            continue
        if steps.request(reference, stage.key, clock) and steps.render is not None:
            steps.render(reference, stage.key, clock)
        outcome = steps.check(reference, stage.key, clock)
        if outcome.state == "awaiting" and on_awaiting is not None:
            outcome = on_awaiting(stage.key, outcome)
        states.append(outcome.state)
        if outcome.state == "closed":
            closed.add(stage.key)
    steps.finish(reference, clock)
    if "awaiting" in states:
        return WAITING
    if "in_progress" in states:
        return RUNNING
    return NOT_YET if "not_started" in states else DONE


def replay(engine: Engine, reference: str, until: date, steps: StageSteps) -> str:
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
