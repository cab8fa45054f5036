"""Checks of one value that the actions and the case-file loader share: the same bad value gets
the same French refusal whether it is typed in a form, given to a command or written in a file.

The shape of an address (`email_problem`) is checked with the case files' `Email` type.
Each returns `FieldProblem`s (the action's form field, the message); the loader puts the
message at the file's path. Nothing here reads the database.
"""

import math
import re
from datetime import date

from dla.calendar import calendar_for
from dla.casefile.fields import control_char
from dla.clock import day_problem
from dla.frenchtext import fr_date
from dla.refusals import FieldProblem, shown
from models.enums import PeriodKind
from models.labels import label

MAX_COMMENT = 2000  # a decision's comment (validation.comment)
FORGOTTEN = "adresse d'une personne effacée à sa demande (dla contact forget), qui ne peut revenir"
MAX_PERIOD_DAYS = 365  # as a case file's `duree`


def observed_day_problems(
    day: date, *, started_on: date, today: date | None, field: str, name: str
) -> list[FieldProblem]:
    """Refuse the day something was done or observed: out of range, after today (None: not
    checked), or before the accompaniment started."""
    if (problem := day_problem(day, name)) is not None:
        return [FieldProblem(field, problem)]
    if today is not None and day > today:
        return [
            FieldProblem(
                field,
                f"{name} dans le futur : {fr_date(day)} ; attendu : au plus tard aujourd'hui "
                f"({fr_date(today)})",
            )
        ]
    if day < started_on:
        return [
            FieldProblem(
                field,
                f"{name} {fr_date(day)} antérieure au début de l'accompagnement ; attendu : le "
                f"{fr_date(started_on)} ou après",
            )
        ]
    return []


def done_day_problems(day: date, *, started_on: date, today: date | None) -> list[FieldProblem]:
    """Refuse the day a task was done (a form's date, a case file's `fait_le`)."""
    return observed_day_problems(
        day, started_on=started_on, today=today, field="fait_le", name="date de réalisation"
    )


def measured_day_problems(day: date, *, started_on: date, today: date | None) -> list[FieldProblem]:
    """Refuse the day an indicator was measured (a form's date, a case file's `mesure_le`)."""
    return observed_day_problems(
        day, started_on=started_on, today=today, field="mesure_le", name="date de mesure"
    )


def working_day_problem(
    day: date, departement: str, *, field: str, name: str
) -> FieldProblem | None:
    """Refuse a weekend or a public holiday of the département (naming the next working day)."""
    calendar = calendar_for(departement)
    if calendar.is_working_day(day):
        return None
    holiday = calendar.holiday_name(day)
    why = f"jour férié ({holiday})" if holiday else "week-end"
    return FieldProblem(
        field,
        f"{name} le {fr_date(day, weekday=True)} : {why} ; attendu : un "
        f"jour ouvré (le prochain : {fr_date(calendar.add_working_days(day, 1))})",
    )


def period_kind_problem(kind: object, *, field: str = "type") -> FieldProblem | None:
    """Refuse a period type that is not one of `PeriodKind` (naming each with its label)."""
    if kind in {k.value for k in PeriodKind}:
        return None
    return FieldProblem(
        field,
        f"type de période inconnu : {shown(kind)} ; attendu parmi : "
        + ", ".join(f"{k.value} ({label(k)})" for k in PeriodKind),
    )


def period_end_problems(start: date, end: date, *, field: str = "fin") -> list[FieldProblem]:
    """Refuse a period's planned end: out of range, before its start, or a year away."""
    if (problem := day_problem(end, "fin prévue")) is not None:
        return [FieldProblem(field, problem)]
    if end < start:
        return [
            FieldProblem(
                field,
                f"fin prévue {fr_date(end)} avant le début ; attendu : le {fr_date(start)} ou après",
            )
        ]
    if (days := (end - start).days + 1) > MAX_PERIOD_DAYS:
        return [
            FieldProblem(field, f"période de {days} jours ; attendu : {MAX_PERIOD_DAYS} au plus")
        ]
    return []


def erased_email(text: str, *, field: str, name: str) -> FieldProblem:
    """Refuse the address of a person erased at their request (the caller found it so)."""
    return FieldProblem(
        field, f"{name} {shown(text.strip())} : {FORGOTTEN} ; attendu : une autre adresse"
    )


def erased_in_text(path: str, *, field: str) -> FieldProblem:
    """Refuse a text (at `path`) holding an erased person's address."""
    return FieldProblem(
        field, f"{path} : contient l'{FORGOTTEN} ; attendu : le texte sans cette adresse"
    )


def read_number(
    value: str | float | int | None, *, field: str, name: str, unit: str | None = None
) -> tuple[float | None, FieldProblem | None]:
    """Read a number typed the French way ("12,5", "1 200"), its unit after it allowed."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value or "").strip().replace("\u202f", " ").replace("\xa0", " ")
        if unit and text.endswith(unit):
            text = text[: -len(unit)].strip()
        compact = re.sub(r"(?<=\d) (?=\d{3}\b)", "", text).replace(",", ".")
        number = float(compact) if re.fullmatch(r"[-+]?\d+(\.\d+)?", compact) else None
    if number is None or not math.isfinite(number) or abs(number) > 1e12:
        expected = f"un nombre (ex. 12 ou 12,5){f' en {unit}' if unit else ''}"
        return None, FieldProblem(field, f"{name} invalide : {shown(value)} ; attendu : {expected}")
    return number, None


def measure_name(indicator_label: str) -> str:
    """Name an indicator's measured value in a refusal."""
    return f"valeur de « {indicator_label} »"


def comment_problem(comment: str) -> FieldProblem | None:
    """Refuse a decision's comment: too long, or holding a control character."""
    if len(comment) > MAX_COMMENT:
        return FieldProblem(
            "commentaire",
            f"commentaire trop long : {len(comment)} caractères (au plus {MAX_COMMENT})",
        )
    if control_char(comment, "\n\t"):
        return FieldProblem(
            "commentaire", f"commentaire : caractère de contrôle refusé ({shown(comment)})"
        )
    return None


def absent_structure(structure: str, members: list[str]) -> FieldProblem:
    """Refuse a decision by a structure that is not a member of the case."""
    return FieldProblem(
        "structure",
        f"structure absente du cas : {structure!r} ; attendu parmi : {', '.join(sorted(members))}",
    )
