"""Dated events of the cases a person sees: deadlines, board decisions, periods, follow-ups."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from dla.frenchtext import label
from dla.mail.base import CalendarEvent
from models import Case, FollowUp, Period, Stage, Step, Validation
from models.enums import StepStatus

# Rows read per kind of event: a month of a whole region stays readable, not unbounded.
KIND_LIMIT = 2000


@dataclass(frozen=True)
class AgendaItem:
    start: date
    end: date  # inclusive
    kind: str  # "echeance", "instance", "periode", "suivi"
    reference: str
    text: str
    uid: str
    late: bool = False


def agenda(
    *, session: Session, visible: ColumnElement[bool], first: date, last: date, today: date
) -> list[AgendaItem]:
    """Return the events between `first` and `last` (inclusive) of the cases `visible` keeps."""
    items: list[AgendaItem] = []

    def rows(model, *extra):
        return session.exec(
            select(model, Case.reference)
            .join(Case, col(Case.id) == model.case_id)
            .where(visible, *extra)
            .limit(KIND_LIMIT)
        ).all()

    for step, ref in rows(Step, Step.due_date >= first, Step.due_date <= last):
        if step.status is StepStatus.annulee:
            continue
        done = step.status is StepStatus.faite
        late = not done and step.due_date < today
        text = f"{step.title}" + (" (faite)" if done else "")
        items.append(
            AgendaItem(step.due_date, step.due_date, "echeance", ref, text, f"step-{step.id}", late)
        )
    decided = or_(
        and_(Validation.decided_on >= first, Validation.decided_on <= last),
        and_(Validation.postponed_to >= first, Validation.postponed_to <= last),
    )
    for v, ref in rows(Validation, decided):
        if first <= v.decided_on <= last:
            text = f"{label(v.body)} : {label(v.decision)}"
            items.append(
                AgendaItem(v.decided_on, v.decided_on, "instance", ref, text, f"validation-{v.id}")
            )
        if v.postponed_to and first <= v.postponed_to <= last:
            text = f"{label(v.body)} : nouvelle réunion (décision reportée)"
            uid = f"validation-{v.id}-report"
            items.append(AgendaItem(v.postponed_to, v.postponed_to, "instance", ref, text, uid))
    for p, ref in rows(Period, Period.start_on <= last, Period.end_on >= first):
        items.append(
            AgendaItem(p.start_on, p.end_on, "periode", ref, label(p.kind), f"period-{p.id}")
        )
    for f, ref in rows(FollowUp, FollowUp.due_date >= first, FollowUp.due_date <= last):
        text = f"Suivi à {f.months_after} mois" + (" (fait)" if f.done_on else "")
        late = f.done_on is None and f.due_date < today
        items.append(
            AgendaItem(f.due_date, f.due_date, "suivi", ref, text, f"followup-{f.id}", late)
        )
    for s, ref in rows(Stage, Stage.planned_end >= first, Stage.planned_end <= last):
        text = f"Fin prévue de l'étape : {s.title}"
        items.append(AgendaItem(s.planned_end, s.planned_end, "etape", ref, text, f"stage-{s.id}"))
    items.sort(key=lambda i: (i.start, i.reference, i.kind, i.text))
    return items


def calendar_events(items: list[AgendaItem]) -> list[CalendarEvent]:
    """Turn agenda items into .ics events (the reference leads each summary)."""
    return [
        CalendarEvent(
            uid=f"bureau-{i.uid}", summary=f"{i.reference} — {i.text}", start=i.start, end=i.end
        )
        for i in items
    ]
