"""Rules on steps and gates: due soon, overdue (held for the consultant), validation awaited."""

from dataclasses import replace
from datetime import date, timedelta

from dla.frenchtext import fr_date, label
from dla.gates import gate_status
from dla.outbox.people import BOARD_ROLES, owners, people, reachable, stage_open, step_open
from dla.outbox.rules import (
    Candidate,
    Rule,
    due_soon_days,
    make,
    needed,
    overdue_days,
    weekly_days,
    working_on_or_after,
)
from dla.outbox.state import CaseState
from models import Stage, Step


def step_candidates(state: CaseState, step: Step, today: date) -> list[Candidate]:
    """Remind a step's owners before its deadline and weekly once overdue (then the coordinator)."""
    stage = state.stages.get(step.stage_id)
    if not stage_open(stage, today) or not step_open(step, today):
        return []
    who, consultant = owners(state, step.owner)
    if consultant and state.periods and state.window is not None:
        # A hold may bring a reminder into the window from outside: make them all in full.
        state = replace(state, window=None)
    cal, due, settings = state.calendar, step.due_date, state.settings
    target = f"{state.case.reference}/tache/{step.key}"
    context = {"step_key": step.key, "stage_title": stage.title, "due_on": due, "owner": step.owner}
    out = []
    if due >= today:
        soon = due_soon_days(cal, due, settings)
        for k, day in needed(state, [day for _, day in soon]):
            n = soon[k][0]
            out += [
                make(
                    state,
                    Rule.echeance_proche,
                    target,
                    f"j-{n}@{due}",
                    c,
                    day,
                    step.title,
                    {**context, "days_before": n},
                )
                for c in who
            ]
    days = overdue_days(cal, due, settings)
    # The coordinator is told from `retard_coordination` working days late on.
    escalation = cal.add_working_days(due, settings.retard_coordination)
    recipients = (reachable(who), reachable([*who, state.coordinator]))
    for k, day in needed(state, days):

        def overdue(c, day=day, k=k) -> dict:
            return {
                **context,
                "working_days_late": cal.working_days_between(due, day),
                # The last one the rules send: the step then shows in the digest only.
                "final": k + 1 == len(days),
                "escalated": all(c.email != w.email for w in who),
            }

        out += [
            make(
                state,
                Rule.echeance_depassee,
                target,
                f"r{k + 1}@{due}",
                c,
                day,
                step.title,
                lambda c=c, overdue=overdue: overdue(c),
            )
            for c in recipients[day >= escalation]
        ]
    # Warranted while the stage stays open and the step undone (a close or a completion
    # already dated later, in a replay), a due-soon reminder only until the deadline.
    ends = _closing(stage) + _done(step.done_on)
    for c in out:
        c.until = last_day(*ends, *([due] if c.rule is Rule.echeance_proche else []))
    return hold(state, out, due) if consultant else out


def last_day(*days: date) -> date | None:
    """Return the earliest of these last days (None: no end)."""
    return min(days, default=None)


def _closing(stage: Stage) -> list[date]:
    return [stage.closed_at.date() - timedelta(days=1)] if stage.closed_at else []


def _done(day: date | None) -> list[date]:
    return [day - timedelta(days=1)] if day else []


def hold(state: CaseState, cands: list[Candidate], due: date) -> list[Candidate]:
    """Move the consultant's reminders out of appropriation and non-intervention periods.

    A held reminder goes on the first working day after the period, unless it no longer
    makes sense then: a due-soon reminder after the deadline, another reminder of the series
    going out that same day, or (overdue) in the following week.
    """
    cal = state.calendar
    periods = sorted(state.periods, key=lambda p: p.start_on)
    covering = {
        c.key: next((p for p in periods if p.start_on <= c.send_on <= p.end_on), None)
        for c in cands
    }
    regular = {(c.series, c.send_on) for c in cands if covering[c.key] is None}
    taken: set[tuple] = set()
    for c in sorted(cands, key=lambda c: c.send_on):
        period = covering[c.key]
        if period is None:
            continue
        after = cal.add_working_days(period.end_on, 1)
        c.held = {
            "period": period.key,
            "kind": period.kind.value,
            "start_on": period.start_on.isoformat(),
            "end_on": period.end_on.isoformat(),
            "original_on": c.send_on.isoformat(),
        }
        c.send_on = after
        # An overdue reminder is weekly: one going out within six days makes this one pointless.
        span = 7 if c.rule is Rule.echeance_depassee else 1
        soon = {(c.series, after + timedelta(days=d)) for d in range(span)}
        if c.rule is Rule.echeance_proche and after > due:
            c.cancelled = (
                f"suspendue pendant la {_words(period)}, échéance passée ensuite : annulée"
            )
        elif (c.series, after) in taken or soon & regular:
            c.cancelled = f"suspendue pendant la {_words(period)}, un autre rappel suit : annulée"
        taken.add((c.series, after))
    return cands


def _words(period) -> str:
    return f"{label(period.kind.value)} du {fr_date(period.start_on)} au {fr_date(period.end_on)}"


def validation_candidates(state: CaseState, stage: Stage, today: date) -> list[Candidate]:
    """Remind each structure whose decision a stage's gate still awaits, weekly."""
    requirements = [r for r in state.requirements if r.stage_id == stage.id]
    if not requirements or not stage_open(stage, today) or today < stage.planned_end:
        return []
    cal = state.calendar
    first = working_on_or_after(cal, stage.planned_end + timedelta(days=1))
    days = weekly_days(cal, first, state.settings.validation_rappels)
    if not needed(state, days):  # all gone out before the planning window
        return []
    validations = [v for v in state.validations if v.stage_id == stage.id]
    gate = gate_status(requirements, validations, stage.gate_rule, stage.gate_quorum, today)
    if gate.satisfied:
        return []
    deadline = cal.add_working_days(stage.planned_end, stage.gate_grace_days)
    out = []
    for org_id, body in gate.missing:
        org = state.orgs.get(org_id) if org_id else None
        who = people(state, [org_id], BOARD_ROLES) if org else []
        who = who or reachable([state.coordinator])
        target = f"{state.case.reference}/validation/{stage.key}/{org.key if org else 'dla'}-{body.value}"
        context = {
            "stage_key": stage.key,
            "stage_end": stage.planned_end,
            "deadline": deadline,
            "body": label(body.value),
            "organisation": org.name if org else None,
            "prefect_ui_url": None,
            # What a board's signed link is bound to (dla/boardlinks.py), and the link itself.
            "structure_key": org.key if org else None,
            "body_key": body.value,
            "lien_decision": None,
        }
        for k, day in needed(state, days):
            out += [
                make(
                    state,
                    Rule.validation_attendue,
                    target,
                    f"v{k + 1}@{stage.planned_end}",
                    c,
                    day,
                    stage.title,
                    {**context, "final": k + 1 == len(days)},
                )
                for c in who
            ]
    # Awaited while the stage stays open, until a decision already recorded with a later date.
    ends = _closing(stage) + _done(
        min((v.decided_on for v in validations if v.decided_on > today), default=None)
    )
    for c in out:
        c.until = last_day(*ends)
    return out
