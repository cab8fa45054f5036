"""Read models: the portfolio of cases and one case in detail."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func
from sqlalchemy import case as when
from sqlmodel import Session, col, select

from models import (
    Case,
    CaseMember,
    Contact,
    Deliverable,
    FollowUp,
    Indicator,
    Organisation,
    Period,
    Stage,
    Step,
    TimelineEvent,
    Validation,
    ValidationRequirement,
)
from models.enums import StageStatus, StepStatus


@dataclass
class PortfolioRow:
    reference: str
    departement: str
    title: str
    journey: str | None
    status: str
    current_stage: str | None
    next_due: date | None
    overdue: int
    awaiting: int


def portfolio(*, session: Session, today: date) -> list[PortfolioRow]:
    """Return one row per case, from a fixed number of aggregate queries."""
    cases = session.exec(select(Case).order_by(Case.departement, Case.reference)).all()
    open_step = Step.status == StepStatus.a_faire
    due_rows = session.exec(
        select(
            Step.case_id,
            func.min(when((Step.due_date >= today, Step.due_date))),
            func.sum(when((Step.due_date < today, 1), else_=0)),
        )
        .join(Stage, Stage.id == Step.stage_id)
        # A closed stage's leftover steps were overtaken by its gate: not late.
        .where(open_step, Stage.status != StageStatus.close)
        .group_by(Step.case_id)
    ).all()
    dues = {case_id: (next_due, int(overdue or 0)) for case_id, next_due, overdue in due_rows}
    running: dict[int, str] = {}
    coming: dict[int, str] = {}
    awaiting: dict[int, int] = {}
    for stage in session.exec(
        select(Stage).where(Stage.status != StageStatus.close).order_by(Stage.position)
    ):
        if stage.status is StageStatus.a_venir:
            # Between two stages, the next one is named as such, not as the stage in progress.
            coming.setdefault(stage.case_id, f"{stage.title} (à venir)")
        else:
            running.setdefault(stage.case_id, stage.title)
        if stage.status is StageStatus.en_attente_validation:
            awaiting[stage.case_id] = awaiting.get(stage.case_id, 0) + 1
    return [
        PortfolioRow(
            reference=c.reference,
            departement=c.departement,
            title=c.title,
            journey=c.journey,
            status=c.status.value,
            current_stage=running.get(c.id) or coming.get(c.id),
            next_due=dues.get(c.id, (None, 0))[0],
            overdue=dues.get(c.id, (None, 0))[1],
            awaiting=awaiting.get(c.id, 0),
        )
        for c in cases
    ]


@dataclass
class CaseDetail:
    case: Case
    host: Organisation
    coordinator: Contact
    members: list[tuple[CaseMember, Organisation]]
    stages: list[Stage]
    steps: list[Step]
    requirements: list[ValidationRequirement]
    validations: list[Validation]
    periods: list[Period]
    indicators: list[Indicator]
    follow_ups: list[FollowUp]
    timeline: list[TimelineEvent]
    organisations: dict[int, Organisation]


def case_detail(reference: str, *, session: Session) -> CaseDetail | None:
    """Return everything about one case, or None when the reference is unknown."""
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None:
        return None

    def rows(model, *order):
        return list(session.exec(select(model).where(model.case_id == case.id).order_by(*order)))

    members = list(
        session.exec(
            select(CaseMember, Organisation)
            .join(Organisation, col(Organisation.id) == CaseMember.organisation_id)
            .where(CaseMember.case_id == case.id)
            .order_by(CaseMember.role, Organisation.name)
        )
    )
    organisations = {o.id: o for _, o in members}
    host = session.get(Organisation, case.dla_host_id)
    organisations[host.id] = host
    return CaseDetail(
        case=case,
        host=host,
        coordinator=session.get(Contact, case.coordinator_id),
        members=members,
        stages=rows(Stage, Stage.position),
        steps=rows(Step, Step.due_date, Step.key),
        requirements=rows(ValidationRequirement, ValidationRequirement.id),
        validations=rows(Validation, Validation.decided_on, Validation.id),
        periods=rows(Period, Period.start_on),
        indicators=rows(Indicator, Indicator.key),
        follow_ups=rows(FollowUp, FollowUp.months_after),
        timeline=rows(TimelineEvent, TimelineEvent.at, TimelineEvent.id),
        organisations=organisations,
    )


def case_with_documents(engine: Engine, reference: str) -> tuple[CaseDetail, list[Deliverable]]:
    """Return the case's detail and its latest documents, read in one session."""
    from dla.deliverables.store import latest_documents

    with Session(engine) as session:
        detail = case_detail(reference, session=session)
        if detail is None:
            raise LookupError(f"cas inconnu : {reference!r}")
        return detail, latest_documents(detail.case.id, session=session)


def all_references(engine: Engine) -> list[str]:
    """Return every case's reference, sorted."""
    with Session(engine) as session:
        return sorted(session.exec(select(Case.reference)))
