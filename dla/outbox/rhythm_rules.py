"""Rules on the case's rhythm: periods starting and ending, follow-ups with their indicators."""

from datetime import date, timedelta

from dla.frenchtext import label as frenchlabel
from dla.outbox.people import BOARD_ROLES, people, reachable
from dla.outbox.rules import Candidate, Rule, make, needed
from dla.outbox.state import LOOKBACK, CaseState
from models.enums import MemberRole


def period_candidates(state: CaseState, today: date) -> list[Candidate]:
    """Announce each period's start and end to the member structures and the consultant.

    The consultant gets the start only (with both dates and the .ics): nothing reaches them
    during a period, the end notice included.
    """
    cal, days = state.calendar, []
    for p in state.periods:
        for rule, edge, until in (
            (Rule.periode_debut, p.start_on, p.end_on),
            (Rule.periode_fin, p.end_on, p.end_on + LOOKBACK),
        ):
            day = cal.add_working_days(edge, -state.settings.periode_avant)
            if today <= until and needed(state, [day]):
                days.append((p, rule, edge, until, day))
    if not days:  # who would be told is only worked out when someone is
        return []
    members = [o for o, r in state.members.items() if r in (MemberRole.porteur, MemberRole.membre)]
    consultants = [o for o, r in state.members.items() if r is MemberRole.prestataire]
    boards = people(state, members, BOARD_ROLES)
    everyone = reachable(boards + people(state, consultants))
    out = []
    for p, rule, edge, until, day in days:
        label = frenchlabel(p.kind.value)
        target = f"{state.case.reference}/periode/{p.key}"
        context = {"kind": label, "start_on": p.start_on, "end_on": p.end_on, "note": p.note}
        event = {
            "uid": f"{state.case.reference}-{p.key}@dla",
            "summary": f"{state.case.reference} — {label}",
            "start": p.start_on,
            "end": p.end_on,
            "description": p.note or "",
        }
        title = label[0].upper() + label[1:]
        made = [
            make(state, rule, target, edge.isoformat(), c, day, title, context, [event])
            for c in (everyone if rule is Rule.periode_debut else boards)
        ]
        for c in made:
            c.until = until
        out += made
    return out


def follow_up_candidates(state: CaseState, today: date) -> list[Candidate]:
    """Announce each follow-up with the indicators to collect, to the coordinator and members."""
    cal, out = state.calendar, []
    days = [
        (f, day)
        for f in state.follow_ups
        if (day := cal.add_working_days(f.due_date, -state.settings.suivi_avant))
        and (f.done_on is None or f.done_on > today)
        and needed(state, [day])
    ]
    if not days:  # who would be told is only worked out when someone is
        return []
    members = [o for o, r in state.members.items() if r in (MemberRole.porteur, MemberRole.membre)]
    who = reachable([state.coordinator, *people(state, members, BOARD_ROLES)])
    indicators = [
        {
            "label": i.label,
            "unit": i.unit,
            "kind": i.kind.value,
            "target": i.target_text or (None if i.target_value is None else f"{i.target_value:g}"),
        }
        for i in state.indicators
    ]
    for f, day in days:
        event = {
            "uid": f"{state.case.reference}-suivi-{f.months_after}@dla",
            "summary": f"{state.case.reference} — suivi à {f.months_after} mois",
            "start": f.due_date,
            "end": f.due_date,
            "description": "Recueil des indicateurs de suivi",
        }
        context = {"months": f.months_after, "due_on": f.due_date, "indicators": indicators}
        target = f"{state.case.reference}/suivi/{f.months_after}"
        made = [
            make(
                state,
                Rule.suivi,
                target,
                f.due_date.isoformat(),
                c,
                day,
                str(f.months_after),
                context,
                [event],
            )
            for c in who
        ]
        # Announced until the follow-up is done (a day already recorded, in a replay).
        for c in made:
            c.until = f.done_on - timedelta(days=1) if f.done_on else None
        out += made
    return out
