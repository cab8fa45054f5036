"""The desk's landing page ("Aujourd'hui"): what a person must act on, in a fixed few queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, String, and_, func, or_, type_coerce
from sqlmodel import Session, col, select

from dla.calendar import calendar_for, is_departement
from dla.frenchtext import fr_date, label
from dla.gates import FAVOURABLE, latest_decisions
from models import (
    Case,
    FollowUp,
    Notification,
    Organisation,
    Period,
    Stage,
    Step,
    TimelineEvent,
    Validation,
    ValidationRequirement,
)
from models.enums import Body, Decision, NotificationStatus, StageStatus, StepStatus

# Lines shown per section (the most urgent first); the counts in the titles are the full
# totals and the list (Cas) has the rest: a national inbox stays a page one reads.
SECTION_LIMIT = 50
WORKING_DAYS_AHEAD = 10


@dataclass(frozen=True)
class Line:
    day: date
    reference: str
    case_title: str
    text: str
    detail: str = ""


@dataclass
class Section:
    key: str
    title: str
    total: int = 0
    lines: list[Line] = field(default_factory=list)


def inbox(*, session: Session, visible: ColumnElement[bool], today: date) -> list[Section]:
    """Return the six sections of the landing page for the cases `visible` keeps."""
    return [
        _overdue(session, visible, today),
        _upcoming(session, visible, today),
        _validations(session, visible, today),
        _periods(session, visible, today),
        _follow_ups(session, visible, today),
        _failed(session, visible),
    ]


def _rows(session, statement):
    """Run a statement carrying a `total` window column; return (rows, total)."""
    rows = session.exec(statement.limit(SECTION_LIMIT)).all()
    return rows, (rows[0][-1] if rows else 0)


def _open_steps(visible):
    return (
        select(
            Step.due_date,
            Step.title,
            Step.owner,
            Case.reference,
            Case.title,
            Stage.title,
            func.count().over(),
        )
        .join(Case, col(Case.id) == Step.case_id)
        .join(Stage, col(Stage.id) == Step.stage_id)
        # A closed stage's leftover steps were overtaken by its gate (as in the portfolio).
        .where(visible, Step.status == StepStatus.a_faire, Stage.status != StageStatus.close)
        .order_by(Step.due_date, Case.reference, Step.key)
    )


def _step_line(due, task, owner, reference, title, stage_title) -> Line:
    return Line(due, reference, title, task, f"{stage_title} · {owner}")


def _overdue(session, visible, today) -> Section:
    rows, total = _rows(session, _open_steps(visible).where(Step.due_date < today))
    return Section("retard", "Tâches en retard", total, [_step_line(*r[:6]) for r in rows])


def horizon_clause(session, visible, today: date, column) -> ColumnElement[bool]:
    """Keep dates from today to 10 working days ahead, in each case's département calendar."""
    departements = session.exec(select(Case.departement).where(visible).distinct()).all()
    limits = {
        d: calendar_for(d).add_working_days(today, WORKING_DAYS_AHEAD)
        for d in departements
        if is_departement(d)
    }
    if not limits:
        return and_(column >= today, column <= today + timedelta(days=14))
    # Départements sharing a horizon (most do) in one IN list, and the latest horizon as a
    # plain bound: the date index then reads a fortnight of rows, not every future one.
    by_last: dict[date, list[str]] = {}
    for d, last in sorted(limits.items()):
        by_last.setdefault(last, []).append(d)
    return and_(
        column >= today,
        column <= max(by_last),
        or_(*(and_(Case.departement.in_(ds), column <= last) for last, ds in by_last.items())),
    )


def _upcoming(session, visible, today) -> Section:
    statement = _open_steps(visible).where(horizon_clause(session, visible, today, Step.due_date))
    rows, total = _rows(session, statement)
    title = f"Tâches des {WORKING_DAYS_AHEAD} prochains jours ouvrés"
    return Section("echeances", title, total, [_step_line(*r[:6]) for r in rows])


def _code(column):
    """Read an enum column as its stored code: thousands of rows skip the enum conversion."""
    return type_coerce(column, String).label(column.key)


def _validations(session, visible, today) -> Section:
    """One line per board still awaited on a stage waiting for its validation.

    Columns, not entities, and the waiting stages as a subquery, not a list of ids: a
    national inbox reads a few thousand small rows in four statements.
    """
    waiting = and_(visible, Stage.status == StageStatus.en_attente_validation)
    stages = session.exec(
        select(
            Stage.id,
            Stage.case_id,
            Stage.key,
            Stage.title,
            Stage.planned_end,
            Case.reference,
            Case.title,
        )
        .join(Case, col(Case.id) == Stage.case_id)
        .where(waiting)
    ).all()
    ids = select(Stage.id).join(Case, col(Case.id) == Stage.case_id).where(waiting)
    requirements: dict[int, list] = {}
    for r in session.exec(
        select(
            ValidationRequirement.stage_id,
            ValidationRequirement.organisation_id,
            _code(ValidationRequirement.body),
            Organisation.name,
        )
        .outerjoin(Organisation, col(Organisation.id) == ValidationRequirement.organisation_id)
        .where(col(ValidationRequirement.stage_id).in_(ids))
        .where(col(ValidationRequirement.step_id).is_(None))
        .order_by(ValidationRequirement.id)
    ):
        requirements.setdefault(r.stage_id, []).append(r)
    decisions: dict[int, list] = {}
    for v in session.exec(
        select(
            Validation.id,
            Validation.stage_id,
            Validation.step_id,
            Validation.organisation_id,
            _code(Validation.body),
            _code(Validation.decision),
            Validation.decided_on,
            Validation.recorded_at,
        ).where(col(Validation.stage_id).in_(ids))  # fmt: skip
    ):
        decisions.setdefault(v.stage_id, []).append(v)
    since: dict[tuple[int, str], date] = {}
    cases = select(Stage.case_id).join(Case, col(Case.id) == Stage.case_id).where(waiting)
    for case_id, at, data in session.exec(
        select(TimelineEvent.case_id, TimelineEvent.at, TimelineEvent.data)
        .where(col(TimelineEvent.case_id).in_(cases), TimelineEvent.kind == "stage.awaiting")
        .order_by(TimelineEvent.id)
    ):
        since[(case_id, (data or {}).get("stage"))] = at.date()
    awaited = []  # (day, reference, n, row, decided): worded only for the lines shown
    for stage_id, case_id, key, stage_title, planned_end, reference, title in stages:
        latest = latest_decisions(decisions.get(stage_id, []), today)
        day = since.get((case_id, key), planned_end)
        for r in requirements.get(stage_id, []):
            decided = latest.get((r.organisation_id, r.body))
            if decided is None or decided.decision not in FAVOURABLE:
                awaited.append((day, reference, len(awaited), r, decided, title, stage_title))
    awaited.sort(key=lambda a: a[:3])
    lines = []
    for day, reference, _, r, decided, title, stage_title in awaited[:SECTION_LIMIT]:
        state = (
            f" — {label(decided.decision, Decision)} le {fr_date(decided.decided_on)}"
            if decided
            else ""
        )
        text = f"{label(r.body, Body)} · {r.name or 'coordination DLA'}"
        lines.append(Line(day, reference, title, text, f"{stage_title}{state}"))
    return Section("validations", "Validations attendues", len(awaited), lines)


def _periods(session, visible, today) -> Section:
    """Periods starting or ending from today to 10 working days ahead."""
    starting = horizon_clause(session, visible, today, Period.start_on)
    ending = horizon_clause(session, visible, today, Period.end_on)
    statement = (
        select(Period, Case.reference, Case.title, starting, func.count().over())
        .join(Case, col(Case.id) == Period.case_id)
        .where(visible, or_(starting, ending))
        .order_by(Period.start_on, Case.reference)
    )
    rows, total = _rows(session, statement)
    lines = []
    for period, reference, title, starts, _ in rows:
        day, what = (period.start_on, "commence") if starts else (period.end_on, "se termine")
        span = f"{fr_date(period.start_on)} – {fr_date(period.end_on)}"
        lines.append(Line(day, reference, title, f"{label(period.kind)} {what} ({span})"))
    lines.sort(key=lambda line: (line.day, line.reference))
    return Section("periodes", "Périodes qui commencent ou finissent", total, lines)


def _follow_ups(session, visible, today) -> Section:
    statement = (
        select(FollowUp, Case.reference, Case.title, func.count().over())
        .join(Case, col(Case.id) == FollowUp.case_id)
        .where(visible, col(FollowUp.done_on).is_(None), FollowUp.due_date <= today + timedelta(31))
        .order_by(FollowUp.due_date, Case.reference)
    )
    rows, total = _rows(session, statement)
    lines = [
        Line(
            f.due_date,
            reference,
            title,
            f"Suivi à {f.months_after} mois",
            "en retard" if f.due_date < today else "à venir",
        )
        for f, reference, title, _ in rows
    ]
    return Section("suivis", "Suivis à faire", total, lines)


def _failed(session, visible) -> Section:
    statement = (
        select(Notification, Case.reference, Case.title, func.count().over())
        .join(Case, col(Case.id) == Notification.case_id)
        .where(visible, Notification.status == NotificationStatus.failed)
        .order_by(Notification.due_at, Case.reference)
    )
    rows, total = _rows(session, statement)
    lines = [
        Line(
            n.due_at.date(),
            reference,
            title,
            f"Relance à {n.recipient} non remise",
            n.last_error or "",
        )
        for n, reference, title, _ in rows
    ]
    return Section("relances", "Relances en échec", total, lines)
