"""Measure action: record an indicator's measured value (a number in the indicator's unit
for a quantitative one, a text for a qualitative one), on a day between the case's start and
today."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from dla.actions.base import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    log,
    open_case,
    refuse,
    shown,
    text_problem,
)
from dla.actions.fields import forgotten_texts, number_text
from dla.clock import Clock
from dla.frenchtext import fr_date
from dla.inputs import measure_name, observed_day_problems, read_number
from models import Case, Indicator
from models.enums import IndicatorKind

MAX_TEXT = 1000  # indicator.measured_text


@dataclass(frozen=True)
class Measure:
    """A checked measurement of one indicator: a number or a text, and its day."""

    indicator: Indicator
    value: float | None
    text: str | None
    day: date

    @property
    def unchanged(self) -> bool:
        i = self.indicator
        return (i.measured_value, i.measured_text, i.measured_on) == (
            self.value,
            self.text,
            self.day,
        )

    def shown(self) -> str:
        if self.text is not None:
            return f"« {self.text} »"
        return number_text(self.value, self.indicator.unit)

    def apply(self) -> dict:
        """Write the measurement; return the previous one (for the timeline)."""
        i = self.indicator
        before = {"valeur": i.measured_value, "texte": i.measured_text, "le": i.measured_on}
        i.measured_value, i.measured_text, i.measured_on = self.value, self.text, self.day
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in before.items()}


def measure_day(day: date | None, case: Case, clock: Clock, *, field: str, name: str) -> list:
    """Check a day something was observed: between the case's start and today."""
    if day is None:
        return []
    return observed_day_problems(
        day, started_on=case.started_on, today=clock.today(), field=field, name=name
    )


def check_measure(
    indicator: Indicator, value, day: date, *, field: str, unit: str | None = None
) -> tuple[Measure | None, list[FieldProblem]]:
    """Check a value typed for `indicator` (a number in its unit, or a text)."""
    name = measure_name(indicator.label)
    if indicator.kind is IndicatorKind.qualitatif:
        if unit:
            return None, [
                FieldProblem(
                    field, f"unité {shown(unit)} pour un indicateur qualitatif ; attendu : aucune"
                )
            ]
        text = str(value or "")
        if problem := text_problem(text, field=field, name=name, limit=MAX_TEXT, lines=True):
            return None, [problem]
        return Measure(indicator, None, text.strip(), day), []
    if unit is not None and unit.strip() != (indicator.unit or ""):
        expected = (
            f"{shown(indicator.unit)} (l'unité de l'indicateur)" if indicator.unit else "aucune"
        )
        return None, [FieldProblem(field, f"unité {shown(unit)} ; attendu : {expected}")]
    number, problem = read_number(value, field=field, name=name, unit=indicator.unit)
    if problem:
        return None, [problem]
    return Measure(indicator, number, None, day), []


def find_indicator(case: Case, key: str, *, session: Session) -> Indicator:
    """Return the case's indicator `key`; refuse an unknown one, naming the case's."""
    rows = {i.key: i for i in session.exec(select(Indicator).where(Indicator.case_id == case.id))}
    if key not in rows:
        refuse(
            "indicateur",
            f"indicateur inconnu : {shown(key)} ; attendu parmi : {', '.join(sorted(rows)) or 'aucun'}",
        )
    return rows[key]


def record_measure(
    reference: str,
    indicator: str,
    *,
    value: str | float,
    measured_on: date | None = None,
    unit: str | None = None,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Record the value of an indicator measured on `measured_on` (today by default)."""
    case = open_case(reference, session=session, revision=revision)
    row = find_indicator(case, indicator, session=session)
    day = measured_on or clock.today()
    problems = measure_day(day, case, clock, field="mesure_le", name="date de mesure")
    measure, more = check_measure(row, value, day, field="valeur", unit=unit)
    problems += more + forgotten_texts({"valeur": measure and measure.text}, session=session)
    if problems:
        raise ActionRefused(problems)
    if measure.unchanged:
        return Outcome(
            f"« {row.label} » déjà mesuré {measure.shown()} le {fr_date(day)} : inchangé", False
        )
    before = measure.apply()
    session.add(row)
    summary = f"Indicateur « {row.label} » mesuré le {fr_date(day)} : {measure.shown()}"
    if row.target_value is not None or row.target_text:
        target = (
            number_text(row.target_value, row.unit) if row.target_text is None else row.target_text
        )
        summary += f" (cible : {target})"
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="indicator.measured",
        summary=summary,
        data={"indicator": row.key, "value": measure.value, "text": measure.text}
        | {"on": day.isoformat(), "before": before},
    )
    return Outcome(summary)
