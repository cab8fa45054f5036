"""Follow-up action: record a follow-up (the day it took place, what it found, the indicators
measured then). A recorded follow-up stops its reminders; the last one lets the case close
(dla/lifecycle.py `finish_case`)."""

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
from dla.actions.fields import forgotten_texts
from dla.actions.measures import check_measure, measure_day
from dla.clock import Clock
from dla.frenchtext import fr_date
from models import FollowUp, Indicator

MAX_SUMMARY = 4000  # followup.notes


def record_follow_up(
    reference: str,
    months: int | str,
    *,
    done_on: date | None = None,
    summary: str,
    measures: dict[str, str] | None = None,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Record the follow-up planned `months` after implementation: the day it took place
    (today by default), what it found, and the indicators measured then (key → value)."""
    case = open_case(reference, session=session, revision=revision)
    planned = {
        f.months_after: f
        for f in session.exec(
            select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.months_after)
        )
    }
    # A form sends the number as text: read it here, so every door gets the same refusal.
    months = int(months) if str(months).strip().isdigit() else months
    follow_up = planned.get(months)
    if follow_up is None:
        known = ", ".join(f"{m} ({fr_date(f.due_date)})" for m, f in planned.items())
        refuse("mois", f"suivi inconnu : {shown(months)} mois ; attendu parmi : {known or 'aucun'}")
    day = done_on or clock.today()
    problems = measure_day(day, case, clock, field="fait_le", name="date du suivi")
    if problem := text_problem(
        summary, field="resume", name="résumé", limit=MAX_SUMMARY, lines=True
    ):
        problems.append(problem)
    indicators = {
        i.key: i for i in session.exec(select(Indicator).where(Indicator.case_id == case.id))
    }
    checked = []
    for key, value in (measures or {}).items():
        field = f"mesure_{key}"
        if key not in indicators:
            problems.append(
                FieldProblem(
                    field,
                    f"indicateur inconnu : {shown(key)} ; attendu parmi : "
                    f"{', '.join(sorted(indicators)) or 'aucun'}",
                )
            )
            continue
        measure, more = check_measure(indicators[key], value, day, field=field)
        problems += more
        checked += [measure] if measure else []
    texts = {"resume": summary} | {f"mesure_{m.indicator.key}": m.text for m in checked}
    problems += forgotten_texts(texts, session=session)
    if problems:
        raise ActionRefused(problems)
    summary = summary.strip()
    changed = [m for m in checked if not m.unchanged]
    if (follow_up.done_on, follow_up.notes) == (day, summary) and not changed:
        return Outcome(f"Suivi à {months} mois déjà enregistré le {fr_date(day)} : inchangé", False)
    follow_up.done_on, follow_up.notes = day, summary
    session.add(follow_up)
    before = {m.indicator.key: m.apply() for m in changed}
    session.add_all([m.indicator for m in changed])
    text = f"Suivi à {months} mois fait le {fr_date(day)} (prévu le {fr_date(follow_up.due_date)})"
    if changed:
        text += " ; mesures : " + ", ".join(f"{m.indicator.label} {m.shown()}" for m in changed)
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="followup.recorded",
        summary=f"{text} — {summary}",
        data={"months": months, "on": day.isoformat(), "before": before}
        | {"measures": {m.indicator.key: m.value if m.text is None else m.text for m in changed}},
    )
    return Outcome(text)
