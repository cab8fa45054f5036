"""Dated events of the cases a person sees: deadlines, board decisions, periods, follow-ups."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from dla.frenchtext import label
from dla.mail.base import CalendarEvent
from models import Case, FollowUp, Period, Stage, Step, Validation
from models.enums import StepStatus

# Rows read per kind of event by `agenda` (the .ics feed): a region stays readable.
KIND_LIMIT = 2000
# Events shown in a day of the month's grid; the rest are counted ("N de plus").
DAY_LIMIT = 5
# Events listed on one day's own page; beyond, the person narrows by département.
DAY_PAGE_LIMIT = 500


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


@dataclass
class Day:
    """One day of the calendar: the events shown (at most the cap) and how many there are."""

    items: list[AgendaItem] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def days(
    *,
    session: Session,
    visible: ColumnElement[bool],
    first: date,
    last: date,
    today: date,
    cap: int | None = None,
) -> dict[date, Day]:
    """Return each day from `first` to `last` that has events, with its first `cap` events
    (by case reference; DAY_LIMIT by default) and its full count.

    Each kind of dated event is one statement whose window functions rank and count the
    events of each day in the database: a national month reads at most `cap` rows per day
    and kind, whatever the number of cases. Periods span days and are few: read whole.
    """
    cap = cap or DAY_LIMIT
    found: dict[date, list[AgendaItem]] = {}
    totals: dict[date, dict[str, int]] = {}  # day → statement → its count of that day

    def capped(model, day, extra, *columns):
        ranked = (
            select(
                day.label("day"),
                Case.reference.label("reference"),
                model.id.label("id"),
                *columns,
                func.row_number()
                .over(partition_by=day, order_by=(Case.reference, model.id))
                .label("rank"),
                func.count().over(partition_by=day).label("total"),
            )
            .join(Case, col(Case.id) == model.case_id)
            .where(visible, day >= first, day <= last, *extra)
            .subquery()
        )
        return session.execute(select(ranked).where(ranked.c.rank <= cap)).all()

    def add(row, kind, text, uid, late=False):
        found.setdefault(row.day, []).append(
            AgendaItem(row.day, row.day, kind, row.reference, text, uid, late)
        )
        # The day's count of this statement (its uid without the id: one per statement).
        totals.setdefault(row.day, {})[re.sub(r"\d+", "", uid)] = row.total

    kept = Step.status != StepStatus.annulee
    for r in capped(Step, Step.due_date, [kept], Step.title, Step.status):
        done = r.status is StepStatus.faite
        text = r.title + (" (faite)" if done else "")
        add(r, "echeance", text, f"step-{r.id}", not done and r.day < today)
    for r in capped(Validation, Validation.decided_on, [], Validation.body, Validation.decision):
        add(r, "instance", f"{label(r.body)} : {label(r.decision)}", f"validation-{r.id}")
    for r in capped(Validation, Validation.postponed_to, [], Validation.body):
        text = f"{label(r.body)} : nouvelle réunion (décision reportée)"
        add(r, "instance", text, f"validation-{r.id}-report")
    for r in capped(FollowUp, FollowUp.due_date, [], FollowUp.months_after, FollowUp.done_on):
        text = f"Suivi à {r.months_after} mois" + (" (fait)" if r.done_on else "")
        add(r, "suivi", text, f"followup-{r.id}", r.done_on is None and r.day < today)
    for r in capped(Stage, Stage.planned_end, [], Stage.title):
        add(r, "etape", f"Fin prévue de l'étape : {r.title}", f"stage-{r.id}")
    periods = session.exec(
        select(Period.id, Period.kind, Period.start_on, Period.end_on, Case.reference)
        .join(Case, col(Case.id) == Period.case_id)
        .where(visible, Period.start_on <= last, Period.end_on >= first)
    ).all()
    spans: dict[date, list[AgendaItem]] = {}
    for pid, kind, start, end, reference in periods:
        item = AgendaItem(start, end, "periode", reference, label(kind), f"period-{pid}")
        day = max(start, first)
        while day <= min(end, last):
            spans.setdefault(day, []).append(item)
            day += timedelta(days=1)
    out: dict[date, Day] = {}
    for day in sorted(set(found) | set(spans)):
        items = found.get(day, []) + spans.get(day, [])
        items.sort(key=lambda i: (i.reference, i.kind, i.text))
        total = sum(totals.get(day, {}).values()) + len(spans.get(day, []))
        out[day] = Day(items[:cap], total)
    return out
