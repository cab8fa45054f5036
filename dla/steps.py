"""The stage steps, each in its own transaction: the flow wraps them as tasks, replays call them.

Each step locks the case row first (`lifecycle.get_case`) and is idempotent against the
database, because Prefect re-runs a resumed flow from the top. The rules themselves are in
`dla.lifecycle`, within the caller's session.
"""

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from dla import lifecycle
from dla.clock import Clock
from dla.db import transaction
from dla.orgs import member_keys
from models.enums import CaseStatus


def open_stage(engine: Engine, reference: str, key: str, clock: Clock) -> bool:
    """Open the stage when its date has come, and plan the reminders it brings."""
    with transaction(engine) as session:
        opened = lifecycle.open_stage(reference, key, session=session, clock=clock)
        if opened:
            _plan_reminders(reference, session=session, clock=clock)
        return opened


def request_deliverables(engine: Engine, reference: str, key: str, clock: Clock) -> list[str]:
    """Record the deliverables the stage's steps must produce."""
    with transaction(engine) as session:
        return lifecycle.request_deliverables(reference, key, session=session, clock=clock)


def check_gate(engine: Engine, reference: str, key: str, clock: Clock) -> lifecycle.StageOutcome:
    """Pass the stage's gate, or plan the reminders of the validations it awaits."""
    with transaction(engine) as session:
        outcome = lifecycle.check_gate(reference, key, session=session, clock=clock)
        if outcome.state is lifecycle.StageState.awaiting:
            _plan_reminders(reference, session=session, clock=clock)
        return outcome


def finish_case(engine: Engine, reference: str, clock: Clock) -> CaseStatus:
    """Settle the case's status on its stages and move its clock on to today."""
    with transaction(engine) as session:
        return lifecycle.finish_case(reference, session=session, clock=clock)


def _plan_reminders(reference: str, *, session: Session, clock: Clock) -> None:
    """Write the case's notifications due by tomorrow to the outbox (idempotent)."""
    from dla.outbox.plan import plan_case

    case = lifecycle.get_case(reference, session=session)
    plan_case(case.id, session=session, today=clock.today(), now=clock.now())


@dataclass(frozen=True)
class Rendered:
    """The documents a stage's opening rendered, or the facts that were missing."""

    documents: list = field(default_factory=list)  # dla.deliverables.Generated
    missing: list[str] = field(default_factory=list)


def render_deliverables(
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


@dataclass(frozen=True)
class GateQuestion:
    """What the form of a waiting gate shows: the stage's title and the case's organisations."""

    title: str
    organisation_keys: dict[int, str]


def gate_question(engine: Engine, reference: str, key: str) -> GateQuestion:
    """Return the stage's title and the keys of the case's organisations (id → key)."""
    with Session(engine) as session:
        case = lifecycle.get_case(reference, session=session)
        stage = lifecycle.stage_of(case, key, session=session)
        return GateQuestion(stage.title, member_keys(case.id, session=session))
