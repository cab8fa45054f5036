"""Read models: the portfolio of cases and one case in detail."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Engine, func, true
from sqlalchemy import case as when
from sqlmodel import Session, col, select

from models import (
    Case,
    CaseContact,
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
    case_id: int
    reference: str
    departement: str
    title: str
    journey: str | None
    status: str
    current_stage: str | None
    next_due: date | None
    overdue: int
    awaiting: int


def portfolio(
    *,
    session: Session,
    today: date,
    where: ColumnElement[bool] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[PortfolioRow]:
    """Return one row per case (those `where` keeps, one page of them with `limit`), from a
    fixed number of aggregate queries."""
    chosen = select(Case).order_by(Case.departement, Case.reference)
    if where is not None:
        chosen = chosen.where(where)
    if limit is not None:
        chosen = chosen.limit(limit).offset(offset)
    cases = session.exec(chosen).all()
    # A filtered or paged portfolio aggregates its own cases only.
    ids = [c.id for c in cases] if where is not None or limit is not None else None
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
        .where(col(Step.case_id).in_(ids) if ids is not None else true())
        .group_by(Step.case_id)
    ).all()
    dues = {case_id: (next_due, int(overdue or 0)) for case_id, next_due, overdue in due_rows}
    running: dict[int, str] = {}
    coming: dict[int, str] = {}
    awaiting: dict[int, int] = {}
    for stage in session.exec(
        select(Stage)
        .where(Stage.status != StageStatus.close)
        .where(col(Stage.case_id).in_(ids) if ids is not None else true())
        .order_by(Stage.position)
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
            case_id=c.id,
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


def case_detail(reference: str, *, session: Session, timeline: bool = True) -> CaseDetail | None:
    """Return everything about one case, or None when the reference is unknown.

    `timeline=False` leaves the journal out (empty): the desk's case page reads it a page at
    a time, and a long case's whole journal is most of what this would read.
    """
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
        timeline=rows(TimelineEvent, TimelineEvent.at, TimelineEvent.id) if timeline else [],
        organisations=organisations,
    )


def case_contacts(
    case_id: int, *, session: Session
) -> list[tuple[Contact, Organisation, CaseContact]]:
    """Return the people of a case with the organisation and the role they hold in it.

    The one place that says who a case's contacts are (the desk's case page reads it); a role
    belongs to the case (`casecontact`), never to the person.
    """
    return list(
        session.exec(
            select(Contact, Organisation, CaseContact)
            .join(CaseContact, col(CaseContact.contact_id) == Contact.id)
            .join(Organisation, col(Organisation.id) == CaseContact.organisation_id)
            .where(CaseContact.case_id == case_id)
            .order_by(Organisation.name, Contact.name, Contact.email)
        )
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


def unknown_references(engine: Engine, references: list[str]) -> list[str]:
    """Return the references of `references` that name no case, in their order."""
    with Session(engine) as session:
        known = set(session.exec(select(Case.reference).where(col(Case.reference).in_(references))))
    return [r for r in references if r not in known]
