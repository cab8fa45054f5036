"""Reminder rules: their names and subjects, keys, sending days, and the candidates they make."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from dla.calendar import WorkingCalendar
from dla.casefile.relances import Relances
from models import Contact
from models.enums import Rule
from models.types import PARIS

SUBJECTS = {
    Rule.echeance_proche: "Échéance proche : {title}",
    Rule.echeance_depassee: "Échéance dépassée : {title}",
    Rule.validation_attendue: "Validation attendue : {title}",
    Rule.periode_debut: "Début de période : {title}",
    Rule.periode_fin: "Fin de période : {title}",
    Rule.suivi: "Suivi à {title} mois : indicateurs à recueillir",
    Rule.resume_hebdo: "Résumé hebdomadaire de vos accompagnements",
}


def notification_key(rule: str, target: str, occurrence: str, recipient: str) -> str:
    """Build the idempotency key rule:target:occurrence:recipient (hashed tail if too long)."""
    key = f"{rule}:{target}:{occurrence}:{recipient.lower()}"
    if len(key) <= 300:
        return key
    return key[:235] + "#" + hashlib.sha256(key.encode()).hexdigest()


def at_hour(day: date, hour: int) -> datetime:
    """Return the sending instant of a day (Europe/Paris)."""
    return datetime.combine(day, time(hour), tzinfo=PARIS)


def working_on_or_after(calendar: WorkingCalendar, day: date) -> date:
    """Return `day` if it is a working day, else the next one."""
    return day if calendar.is_working_day(day) else calendar.add_working_days(day, 1)


def due_soon_days(
    calendar: WorkingCalendar, due: date, settings: Relances
) -> list[tuple[int, date]]:
    """Return (working days before, sending day) for each due-soon reminder of a deadline."""
    return [(n, calendar.add_working_days(due, -n)) for n in sorted(set(settings.echeance_proche))]


def weekly_days(calendar: WorkingCalendar, first: date, count: int) -> list[date]:
    """Return `count` sending days a week apart from `first`, each moved to a working day."""
    return [working_on_or_after(calendar, first + timedelta(weeks=k)) for k in range(count)]


def overdue_days(calendar: WorkingCalendar, due: date, settings: Relances) -> list[date]:
    """Return the overdue reminders' days: the next working day, then weekly."""
    return weekly_days(calendar, calendar.add_working_days(due, 1), settings.retard_rappels)


def week_of(day: date) -> str:
    """Name the ISO week of a day (the weekly digest's occurrence), e.g. 2006-W47."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_day(calendar: WorkingCalendar, day: date) -> date:
    """Return the weekly digest's day for the week of `day`: its first working day."""
    monday = day - timedelta(days=day.weekday())
    first = working_on_or_after(calendar, monday)
    # A week whose five days are all holidays does not exist in France; stay in the week anyway.
    return first if first.isocalendar()[1] == monday.isocalendar()[1] else monday


@dataclass
class Candidate:
    """One notification a rule asks for: who, when, about what."""

    rule: Rule
    case_id: int
    target: str
    occurrence: str
    recipient: Contact
    send_on: date  # after any hold
    subject: str
    context: dict
    events: list[dict] = field(default_factory=list)
    original_on: date | None = None  # the rule's day, before a hold moved it
    held: dict | None = None
    cancelled: str | None = None  # planned as cancelled (a hold made it pointless)
    hour: int = 8
    # The last day the rules warrant it while the case does not change (None: no end known).
    until: date | None = None
    # Going out outside the planning window (`CaseState.window`): no subject, no context.
    bare: bool = False

    # Computed once: a pass reads them several times for each candidate (none of their parts
    # changes after the candidate is made; a hold only moves its day).
    @cached_property
    def key(self) -> str:
        return notification_key(self.rule, self.target, self.occurrence, self.recipient.email)

    @cached_property
    def series(self) -> tuple[str, str, str]:
        return (self.rule, self.target, self.recipient.email)


def base_context(state, title: str) -> dict:
    """Return what every reminder of a case shows."""
    case = state.case
    return {
        "reference": case.reference,
        "case_title": case.title,
        "title": title,
        "coordinator_email": state.coordinator.email,
        "coordinator_name": state.coordinator.name,
    }


def needed(state, days: list[date]) -> list[tuple[int, date]]:
    """Return the (index, day) of a series' days its candidates are made for.

    All of them, unless the state has a planning window: then those within it and the
    first one after it (the one that replaces the last within, the day to plan again).
    """
    if state.window is None:
        return list(enumerate(days))
    start, end = state.window
    after = [(day, k) for k, day in enumerate(days) if day > end]
    first = [(k, day) for day, k in [min(after)]] if after else []
    return [(k, day) for k, day in enumerate(days) if start <= day <= end] + first


def outside(state, day: date) -> bool:
    """Tell whether `day` falls outside the state's planning window (its reminders go bare)."""
    return state.window is not None and not state.window[0] <= day <= state.window[1]


def make(state, rule, target, occurrence, who, day, title, context, events=()) -> Candidate:
    """Build one candidate of a case with its subject and full context (bare outside the window).

    `context` may be a function of nothing returning the dict: it is then only called for a
    candidate inside the window (what it computes is not needed for the others).
    """
    if outside(state, day):
        return Candidate(
            rule, state.case.id, target, occurrence, who, day, "", {}, original_on=day, bare=True
        )
    if callable(context):
        context = context()
    return Candidate(
        rule,
        state.case.id,
        target,
        occurrence,
        who,
        day,
        SUBJECTS[rule].format(title=title),
        {**base_context(state, title), "recipient_name": who.name, **context},
        list(events),
        original_on=day,
        hour=state.settings.heure,
    )
