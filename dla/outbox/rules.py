"""Reminder rules: their names, their settings per case, keys and sending days."""

import hashlib
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from dla.calendar import WorkingCalendar
from models.types import PARIS


class Rule(StrEnum):
    """One kind of reminder; its value names templates/mail/<value>.txt.j2 and .html.j2."""

    echeance_proche = "echeance_proche"
    echeance_depassee = "echeance_depassee"
    validation_attendue = "validation_attendue"
    periode_debut = "periode_debut"
    periode_fin = "periode_fin"
    suivi = "suivi"
    resume_hebdo = "resume_hebdo"


SUBJECTS = {
    Rule.echeance_proche: "Échéance proche : {title}",
    Rule.echeance_depassee: "Échéance dépassée : {title}",
    Rule.validation_attendue: "Validation attendue : {title}",
    Rule.periode_debut: "Début de période : {title}",
    Rule.periode_fin: "Fin de période : {title}",
    Rule.suivi: "Suivi à {title} mois : indicateurs à recueillir",
    Rule.resume_hebdo: "Résumé hebdomadaire de vos accompagnements",
}


class Relances(BaseModel):
    """Reminder settings of a case; a case file's `relances:` block overrides these defaults."""

    model_config = ConfigDict(extra="forbid", title="Réglages des relances")

    echeance_proche: list[int] = Field(
        default=[7, 1], title="Rappels avant une échéance (jours ouvrés avant)"
    )
    retard_rappels: int = Field(
        default=8, ge=0, le=52, title="Nombre de rappels hebdomadaires après une échéance dépassée"
    )
    retard_coordination: int = Field(
        default=7, ge=1, title="Jours ouvrés de retard avant d'informer la coordination"
    )
    validation_rappels: int = Field(
        default=6, ge=0, le=52, title="Nombre de rappels hebdomadaires d'une validation attendue"
    )
    periode_avant: int = Field(
        default=3, ge=0, title="Annonce d'un début ou d'une fin de période (jours ouvrés avant)"
    )
    suivi_avant: int = Field(default=10, ge=0, title="Annonce d'un suivi (jours ouvrés avant)")
    resume_hebdo: bool = Field(default=True, title="Résumé hebdomadaire de la coordination")
    heure: int = Field(default=8, ge=0, le=23, title="Heure d'envoi (Europe/Paris)")


DEFAULTS = Relances()


def settings_for(document: dict | None) -> Relances:
    """Read a case's reminder settings: its case file's `relances:` block over the defaults."""
    block = (document or {}).get("relances")
    return Relances.model_validate(block) if block else DEFAULTS


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
