"""Period actions: start an appropriation or non-intervention period, end one in progress.

A period holds the consultant's reminders while it lasts (dla/outbox/step_rules.py `hold`) and
announces its start and end to the boards: the outbox reads the `Period` rows these write.
"""

import re
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
from dla.casefile.fields import SLUG_PATTERN
from dla.clock import Clock, day_problem
from dla.frenchtext import fr_date, label
from dla.inputs import period_end_problems, period_kind_problem
from models import Period, Step
from models.enums import ENDED, PeriodKind

MAX_NOTE = 1000


def start_period(
    reference: str,
    *,
    kind: str,
    end_on: date,
    start_on: date | None = None,
    key: str | None = None,
    after_task: str | None = None,
    note: str | None = None,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Start a period today (or on `start_on`, not in the past) until its planned `end_on`.

    `key` defaults to the kind and the start day; `after_task` names the intermediate
    deliverable (a task of the case) the period follows.
    """
    case = open_case(reference, session=session, revision=revision)
    start = start_on or clock.today()
    problems = []
    if case.status in ENDED:
        problems.append(
            FieldProblem(None, f"accompagnement {label(case.status)} : plus de période à ouvrir")
        )
    kinds = {k.value: k for k in PeriodKind}
    problems += [p for p in (period_kind_problem(kind),) if p]
    problems += _start_problems(start, clock) + period_end_problems(start, end_on)
    key = key or (f"{kind}-{start.isoformat()}" if kind in kinds else "")
    same = session.exec(select(Period).where(Period.case_id == case.id, Period.key == key)).first()
    if same is not None and (same.kind.value, same.start_on, same.end_on) == (kind, start, end_on):
        # The same request again (a re-run flow, a second click): nothing more to do.
        return Outcome(f"{_named(kind)} « {key} » déjà ouverte : inchangé", False)
    problems += _key_problems(case.id, key, session=session)
    if (
        after_task
        and not session.exec(
            select(Step.id).where(Step.case_id == case.id, Step.key == after_task)
        ).first()
    ):
        problems.append(FieldProblem("apres", f"tâche inconnue dans le cas : {shown(after_task)}"))
    if note and (
        problem := text_problem(note, field="note", name="note", limit=MAX_NOTE, lines=True)
    ):
        problems.append(problem)
    if problems:
        raise ActionRefused(problems)
    period = Period(
        case_id=case.id,
        key=key,
        kind=kinds[kind],
        start_on=start,
        end_on=end_on,
        after_step=after_task or None,
        note=note.strip() if note else None,
    )
    session.add(period)
    summary = (
        f"{_named(kind)} « {key} » ouverte du {fr_date(start)} au {fr_date(end_on)} "
        "(relances du prestataire suspendues)"
    )
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="period.started",
        summary=summary,
        data={"period": key, "start": start.isoformat(), "end": end_on.isoformat()},
    )
    return Outcome(summary)


def end_period(
    reference: str,
    key: str,
    *,
    end_on: date | None = None,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """End a period in progress today (or on `end_on`, between its start and today)."""
    case = open_case(reference, session=session, revision=revision)
    periods = {
        p.key: p
        for p in session.exec(
            select(Period).where(Period.case_id == case.id).order_by(Period.start_on)
        )
    }
    period = periods.get(key)
    if period is None:
        refuse(
            "periode",
            f"période inconnue : {shown(key)} ; attendu parmi : {', '.join(periods) or 'aucune'}",
        )
    today = clock.today()
    day = end_on or today
    if not period.start_on <= today <= period.end_on:
        when = (
            f"commence le {fr_date(period.start_on)}"
            if today < period.start_on
            else f"terminée le {fr_date(period.end_on)}"
        )
        refuse("periode", f"période {key!r} pas en cours ({when}) ; attendu : une période en cours")
    if (problem := day_problem(day, "date de fin")) is not None:
        refuse("fin", problem)
    if not period.start_on <= day <= today:
        refuse(
            "fin",
            f"date de fin {fr_date(day)} ; attendu : entre le début de la période "
            f"({fr_date(period.start_on)}) et aujourd'hui ({fr_date(today)})",
        )
    if day == period.end_on:
        return Outcome(f"{_named(period.kind.value)} « {key} » déjà terminée : inchangé", False)
    planned = period.end_on
    period.end_on = day
    session.add(period)
    summary = (
        f"{_named(period.kind.value)} « {key} » terminée le {fr_date(day)} (prévue "
        f"jusqu'au {fr_date(planned)})"
    )
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="period.ended",
        summary=summary,
        data={"period": key, "old": planned.isoformat(), "new": day.isoformat()},
    )
    return Outcome(summary)


def _named(kind: str) -> str:
    text = label(kind)  # "période d'appropriation"
    return text[:1].upper() + text[1:]


def _start_problems(start: date, clock: Clock) -> list[FieldProblem]:
    if (problem := day_problem(start, "début")) is not None:
        return [FieldProblem("debut", problem)]
    if start < clock.today():
        return [
            FieldProblem(
                "debut",
                f"début dans le passé : {fr_date(start)} ; attendu : aujourd'hui "
                f"({fr_date(clock.today())}) ou après",
            )
        ]
    return []


def _key_problems(case_id: int, key: str, *, session: Session) -> list[FieldProblem]:
    if not key:
        return []
    if not re.match(SLUG_PATTERN, key):
        return [
            FieldProblem(
                "cle",
                f"clé invalide : {shown(key)} ; attendu : minuscules, chiffres, tirets, 80 "
                "caractères au plus (ex. appropriation-note)",
            )
        ]
    if session.exec(select(Period.id).where(Period.case_id == case_id, Period.key == key)).first():
        return [FieldProblem("cle", f"clé déjà prise par une autre période : {shown(key)}")]
    return []
