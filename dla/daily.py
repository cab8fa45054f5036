"""Advance every case with something due today: one query finds them, plain steps move them."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, String, and_, cast, exists, literal, or_
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from dla import progress
from dla.clock import Clock
from dla.db import DatabaseUnavailable
from models import Case, Stage, Step, TimelineEvent, Validation
from models.enums import ENDED, CaseStatus, StageStatus, StepStatus


def cases_due(*, session: Session, today: date) -> list[str]:
    """Return the cases a pass would change today (two queries, whatever the portfolio's size).

    A stage is due when its start has come and the stages it waits for are closed (it opens),
    when its work is due (planned end reached, or every step done), or when a decision in
    effect is not yet on the timeline (its gate may pass).
    """
    steps_done = and_(
        exists().where(Step.stage_id == Stage.id),
        ~exists().where(Step.stage_id == Stage.id, Step.status == StepStatus.a_faire),
    )
    # Decisions are put on the timeline under "validation:<id>" the first time a pass sees them.
    unseen_decision = exists().where(
        Validation.stage_id == Stage.id,
        Validation.decided_on <= today,
        ~exists().where(
            TimelineEvent.case_id == Validation.case_id,
            TimelineEvent.key == literal("validation:") + cast(Validation.id, String),
        ),
    )
    starting = and_(Stage.status == StageStatus.a_venir, Stage.planned_start <= today)
    rows = session.exec(
        select(Case.id, Case.reference, Stage.status, Stage.waits_for)
        .join(Stage, col(Stage.case_id) == Case.id)
        .where(
            col(Case.status).in_([s for s in CaseStatus if s not in ENDED]),
            or_(
                starting,
                and_(
                    Stage.status == StageStatus.ouverte,
                    or_(Stage.planned_end <= today, steps_done, unseen_decision),
                ),
                and_(Stage.status == StageStatus.en_attente_validation, unseen_decision),
            ),
        )
    ).all()
    due = {ref for _, ref, status, _ in rows if status is not StageStatus.a_venir}
    # A stage whose start has come still waits for its predecessors (a case blocked at a gate
    # must not come back every day): one more query reads what is closed in those cases.
    starts = [(case_id, ref, set(waits)) for case_id, ref, status, waits in rows if ref not in due]
    closed: dict[int, set[str]] = {}
    if starts:
        for case_id, key in session.exec(
            select(Stage.case_id, Stage.key).where(
                col(Stage.case_id).in_({c for c, _, _ in starts}),
                Stage.status == StageStatus.close,
            )
        ):
            closed.setdefault(case_id, set()).add(key)
    due |= {ref for case_id, ref, waits in starts if waits <= closed.get(case_id, set())}
    return sorted(due)


@dataclass
class Advanced:
    """What a daily pass did: each case's status, and the cases that failed with their reason."""

    statuses: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return dict(Counter(self.statuses.values()))


def advance_due(engine: Engine, clock: Clock, *, render: bool = True) -> Advanced:
    """Take every due case as far as today allows; one case's failure does not stop the others."""
    with Session(engine) as session:
        references = cases_due(session=session, today=clock.today())
    steps = progress.plain_steps(engine, render=render)
    done = Advanced()
    for reference in references:
        try:
            done.statuses[reference] = progress.advance(engine, reference, clock, steps)
        except (DBAPIError, DatabaseUnavailable):
            raise  # the database itself failed: the whole pass fails and is retried
        except Exception as exc:  # noqa: BLE001 - reported per case, the pass goes on
            done.failures[reference] = f"{type(exc).__name__} : {exc}"
    return done
