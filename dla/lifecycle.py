"""Move a case through its stages: open, request deliverables, vigilance, gate, close.

Each function is idempotent against the database: Prefect re-runs a resumed flow from the top.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from dla.calendar import calendar_for
from dla.clock import Clock
from dla.frenchtext import case_status_label, fr_date, label
from dla.gates import GateStatus, gate_status
from dla.timeline import add_event
from dla.validations import COORDINATION, log_decisions
from dla.vigilance import Facts, Finding, blocking, evaluate
from models import (
    Case,
    CaseMember,
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
from models.enums import ENDED, CaseStatus, Moment, StageStatus, StepStatus
from models.types import PARIS


class StageState(StrEnum):
    """Where one stage stands after a pass (code words: never stored nor shown)."""

    not_started = "not_started"
    in_progress = "in_progress"
    awaiting = "awaiting"
    closed = "closed"


@dataclass
class StageOutcome:
    """Where one stage stands after a pass, what vigilance found and what its gate awaits."""

    stage: str
    state: StageState
    findings: list[Finding] = field(default_factory=list)
    gate: GateStatus | None = None
    gate_deadline: date | None = None


def get_case(reference: str, *, session: Session) -> Case:
    """Return the case, its row locked until the transaction ends (PostgreSQL)."""
    # Every step that changes a case starts here: two workers advancing the same case (two
    # sweeps, a sweep and the case's flow) take turns and the second sees what the first wrote,
    # instead of both inserting the same keyed event. NO KEY UPDATE leaves other transactions'
    # foreign-key checks on this case (outbox records) unblocked. SQLite serialises writers.
    query = select(Case).where(Case.reference == reference).with_for_update(key_share=True)
    case = session.exec(query).first()
    if case is None:
        raise LookupError(f"cas inconnu : {reference!r}")
    return case


def stage_of(case: Case, key: str, *, session: Session) -> Stage:
    """Return the case's stage `key`."""
    return session.exec(select(Stage).where(Stage.case_id == case.id, Stage.key == key)).one()


def _log(session, case, clock, kind, summary, key, **data):
    add_event(
        session,
        case_id=case.id,
        at=clock.now(),
        kind=kind,
        summary=summary,
        actor="flux accompagnement",
        data=data,
        key=key,
    )


def open_stage(reference: str, key: str, *, session: Session, clock: Clock) -> bool:
    """Open the stage when its start date has come; return whether it is open."""
    case = get_case(reference, session=session)
    stage = stage_of(case, key, session=session)
    if stage.status is not StageStatus.a_venir:
        return True
    if clock.today() < stage.planned_start:
        return False
    # A stage caught up late counts as open since its planned start: a board decision taken in
    # between is then accepted (the timeline still says when the flow noticed).
    on_time = clock.today() == stage.planned_start
    stage.status = StageStatus.ouverte
    stage.opened_at = (
        clock.now() if on_time else datetime.combine(stage.planned_start, time.min, tzinfo=PARIS)
    )
    case.status = CaseStatus.en_cours
    session.add_all([stage, case])
    _log(
        session,
        case,
        clock,
        "stage.opened",
        f"Étape ouverte : {stage.title} (fin prévue le {fr_date(stage.planned_end)})",
        f"stage:{key}:opened",
        stage=key,
    )
    return True


def request_deliverables(reference: str, key: str, *, session: Session, clock: Clock) -> list[str]:
    """Record the deliverables this stage's steps must produce (rendered by the deliverables flow)."""
    case = get_case(reference, session=session)
    stage = stage_of(case, key, session=session)
    kinds = sorted(
        {
            s.deliverable
            for s in session.exec(select(Step).where(Step.stage_id == stage.id))
            if s.deliverable
        }
    )
    for kind in kinds:
        _log(
            session,
            case,
            clock,
            "deliverable.requested",
            f"Livrable demandé : {label(kind)} ({stage.title})",
            f"deliverable:{key}:{kind}",
            stage=key,
            deliverable=kind,
        )
    return kinds


def case_facts(case: Case, *, session: Session, today: date) -> Facts:
    """Gather what the vigilance rules read, in a handful of queries."""
    roles = list(session.exec(select(CaseMember.role).where(CaseMember.case_id == case.id)))
    implementation = session.exec(
        select(Stage.planned_start)
        .where(Stage.case_id == case.id, Stage.moment == Moment.mise_en_oeuvre)
        .order_by(Stage.position)
    ).first()
    indicators = [
        (i.target_value is not None or bool(i.target_text), i.target_set_on)
        for i in session.exec(select(Indicator).where(Indicator.case_id == case.id))
    ]
    return Facts(
        origin=case.origin,
        context=case.context,
        strategic_goals=case.strategic_goals,
        member_roles=roles,
        period_kinds=[
            p.kind.value for p in session.exec(select(Period).where(Period.case_id == case.id))
        ],
        indicators=indicators,
        follow_ups=len(session.exec(select(FollowUp.id).where(FollowUp.case_id == case.id)).all()),
        implementation_start=implementation,
        today=today,
    )


def review_vigilance(reference: str, key: str, *, session: Session, clock: Clock) -> list[Finding]:
    """Evaluate the points of vigilance at this stage; log the findings when they change."""
    case = get_case(reference, session=session)
    stage = stage_of(case, key, session=session)
    findings = evaluate(case_facts(case, session=session, today=clock.today()), stage.moment)
    codes = ",".join(sorted(f.code for f in findings)) or "aucun"
    summary = "Points de vigilance : " + (
        "; ".join(f"[{f.level}] {f.message} (§{f.section})" for f in findings) or "aucun"
    )
    _log(
        session,
        case,
        clock,
        "vigilance.reviewed",
        f"{stage.title} — {summary}",
        f"vigilance:{key}:{hashlib.sha256(codes.encode()).hexdigest()[:16]}",
        stage=key,
        findings=[f.code for f in findings],
    )
    return findings


def check_gate(reference: str, key: str, *, session: Session, clock: Clock) -> StageOutcome:
    """Close the stage if its work is due and its gate passes; otherwise say what it awaits."""
    case = get_case(reference, session=session)
    stage = stage_of(case, key, session=session)
    if stage.status is StageStatus.close:
        return StageOutcome(key, StageState.closed)
    if stage.status is StageStatus.a_venir:
        return StageOutcome(key, StageState.not_started)
    today = clock.today()
    findings = review_vigilance(reference, key, session=session, clock=clock)
    validations = list(session.exec(select(Validation).where(Validation.stage_id == stage.id)))
    requirements = list(
        session.exec(
            select(ValidationRequirement).where(ValidationRequirement.stage_id == stage.id)
        )
    )
    gate = gate_status(requirements, validations, stage.gate_rule, stage.gate_quorum, today)
    _log_decisions(case, stage, [v for v in validations if v.decided_on <= today], session, clock)
    _apply_refusals_and_postponements(case, stage, gate, session, clock)
    steps = list(session.exec(select(Step.status, Step.done_on).where(Step.stage_id == stage.id)))
    deadline = calendar_for(case.departement).add_working_days(
        stage.planned_end, stage.gate_grace_days
    )
    # Work is done when its steps are, by today in the case's clock (a step the file says was
    # done later is not done yet); a stage without steps runs until its planned end.
    work_done = today >= stage.planned_end or (
        bool(steps) and not any(_pending(status, done, today) for status, done in steps)
    )
    # A gate with validators closes on their decisions; a gate-less stage when its work is due.
    ready = gate.satisfied if gate.has_requirements else work_done
    if ready and not blocking(findings):
        stage.status, stage.closed_at = StageStatus.close, clock.now()
        session.add(stage)
        _log(
            session,
            case,
            clock,
            "stage.closed",
            f"Étape close : {stage.title}",
            f"stage:{key}:closed",
            stage=key,
        )
        return StageOutcome(key, StageState.closed, findings, gate)
    if not work_done:
        return StageOutcome(key, StageState.in_progress, findings, gate, deadline)
    stage.status = StageStatus.en_attente_validation
    case.status = CaseStatus.en_attente_validation
    session.add_all([stage, case])
    waiting = ", ".join(f"{who} ({label(body)})" for who, body in awaited(gate, session=session))
    blockers = "; ".join(f.message for f in blocking(findings))
    _log(
        session,
        case,
        clock,
        "stage.awaiting",
        f"En attente de validation : {stage.title}"
        + (f" — attendu : {waiting}" if waiting else "")
        + (f" — bloquant : {blockers}" if blockers else ""),
        f"stage:{key}:awaiting:{stage.planned_end.isoformat()}",
        stage=key,
    )
    return StageOutcome(key, StageState.awaiting, findings, gate, deadline)


def _pending(status: StepStatus, done_on: date | None, today: date) -> bool:
    if status is StepStatus.faite:
        return done_on is not None and done_on > today
    return status is StepStatus.a_faire


def awaited(gate: GateStatus, *, session: Session) -> list[tuple[str, str]]:
    """Name the validators a gate still waits for (organisation name, or the coordination)."""
    ids = [org for org, _ in gate.missing if org is not None]
    names = dict(
        session.exec(
            select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))
        ).all()
    )
    return [(names.get(org, COORDINATION), body.value) for org, body in gate.missing]


def _log_decisions(case, stage, validations, session, clock) -> None:
    """Put each decision on the timeline when it counts (file decisions arrive with no event)."""
    # Every pass re-checks the gate: one query finds what is already logged, not one per decision.
    keys = {f"validation:{v.id}": v for v in validations}
    logged = set(
        session.exec(
            select(TimelineEvent.key).where(
                TimelineEvent.case_id == case.id, col(TimelineEvent.key).in_(list(keys))
            )
        )
    )
    validations = [v for key, v in keys.items() if key not in logged]
    if not validations:
        return
    ids = [v.organisation_id for v in validations if v.organisation_id is not None]
    names = dict(
        session.exec(
            select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))
        ).all()
    )
    log_decisions(session, stage, validations, names, at=clock.now())


def _apply_refusals_and_postponements(case, stage, gate, session, clock) -> None:
    calendar = calendar_for(case.departement)
    for v in gate.refusals:
        new_end = max(
            stage.planned_end, calendar.add_working_days(v.decided_on, stage.gate_grace_days)
        )
        _log(
            session,
            case,
            clock,
            "stage.reopened",
            f"Étape rouverte : {stage.title} — refus du {fr_date(v.decided_on)}"
            + (f" : {v.comment}" if v.comment else "")
            + f" ; nouvelle fin le {fr_date(new_end)}",
            f"refusal:{v.id}",
            stage=stage.key,
            validation_id=v.id,
        )
        if stage.status is StageStatus.en_attente_validation:
            stage.status = StageStatus.ouverte
        stage.planned_end = new_end
    for v in gate.postponements:
        if v.postponed_to and v.postponed_to > stage.planned_end:
            _log(
                session,
                case,
                clock,
                "stage.postponed",
                f"Échéance de l'étape {stage.title} reportée du {fr_date(stage.planned_end)} au "
                f"{fr_date(v.postponed_to)}" + (f" : {v.comment}" if v.comment else ""),
                f"postpone:{v.id}",
                stage=stage.key,
                validation_id=v.id,
            )
            stage.planned_end = v.postponed_to
    session.add(stage)


def finish_case(reference: str, *, session: Session, clock: Clock) -> CaseStatus:
    """Settle the case's status on what its stages say, and move its clock on to today.

    Every stage closed: follow-up (or closed when none remain); a stage awaiting its gate:
    awaiting; otherwise in progress once a stage has opened (between two stages too).
    """
    case = get_case(reference, session=session)
    statuses = set(session.exec(select(Stage.status).where(Stage.case_id == case.id)))
    if case.status in ENDED:
        status = case.status  # closed or abandoned by the coordinator: it stays so
    elif statuses == {StageStatus.close}:
        pending = session.exec(
            select(FollowUp.id).where(FollowUp.case_id == case.id, FollowUp.done_on.is_(None))
        ).first()
        status = CaseStatus.suivi if pending else CaseStatus.close
    elif StageStatus.en_attente_validation in statuses:
        status = CaseStatus.en_attente_validation
    elif statuses & {StageStatus.ouverte, StageStatus.close}:
        status = CaseStatus.en_cours
    else:
        status = case.status
    if case.status is not status:
        case.status = status
        session.add(case)
        if status in (CaseStatus.suivi, CaseStatus.close):
            _log(
                session,
                case,
                clock,
                "case.status",
                f"Accompagnement {case_status_label(status)}",
                f"case:{status.value}",
            )
    if case.advanced_on is None or case.advanced_on < clock.today():
        # In SQL, not through the object: the clock is no input of the reminder rules, and a
        # changed Case object would bump the case's revision (models/revision.py) every day.
        session.execute(
            update(Case.__table__)
            .where(Case.__table__.c.id == case.id)
            .values(advanced_on=clock.today())
        )
    return status


def next_day(reference: str, *, session: Session, after: date | None, until: date) -> date | None:
    """Return the next day a replay runs the case: after `after`, never before the case's clock.

    The days are every date on which the outcome of a pass may change (stage dates as they
    stand now, decisions, steps done, the vigilance facts' dates), so that a replay split at
    any day writes the same timeline as one going straight through; `until` closes the replay.
    """
    case = get_case(reference, session=session)
    start = after + timedelta(days=1) if after is not None else case.started_on
    if case.advanced_on is not None:
        start = max(start, case.advanced_on)
    days = [d for d in _change_days(case, session) if start <= d <= until]
    if days:
        return min(days)
    return until if start <= until else None


def _change_days(case: Case, session: Session) -> set[date]:
    days = {case.started_on}
    for start, end in session.exec(
        select(Stage.planned_start, Stage.planned_end).where(Stage.case_id == case.id)
    ):
        days |= {start, end}
    for decided, postponed in session.exec(
        select(Validation.decided_on, Validation.postponed_to).where(Validation.case_id == case.id)
    ):
        days |= {decided, postponed}
    days |= set(session.exec(select(Step.done_on).where(Step.case_id == case.id)))
    days |= set(session.exec(select(Indicator.target_set_on).where(Indicator.case_id == case.id)))
    agreed = case.context.get("gouvernance_validee_le")
    days.add(_day(agreed))
    days.discard(None)
    # The day after each date too: reminders count from the day after a stage's end.
    return days | {d + timedelta(days=1) for d in days}


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
