"""The weekly digest: one per coordinator (all their cases) and per digest-only contact."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from dla.frenchtext import label
from dla.gates import gate_status
from dla.links import case_link
from dla.outbox.candidates import Candidate, stage_open, step_open
from dla.outbox.rules import SUBJECTS, Rule, digest_day, overdue_days, week_of
from dla.outbox.state import CaseState, load_states
from dla.privacy.scrub import is_pseudonym
from models import Contact, Notification, Stage, Step, TimelineEvent
from models.enums import NotificationStatus, StageStatus, StepStatus

EVER = date(1970, 1, 1)
# Why an overdue step listed in the digest gets no reminder (or no more).
ENDED = "plus de relance automatique"
NOT_OPEN = "étape pas encore ouverte : pas de relance"


def digest_candidates(
    states: dict[int, CaseState], *, session: Session, today: date, horizon: timedelta
) -> list[Candidate]:
    """Return this week's digests (and next week's when the horizon reaches it)."""
    readers: dict[str, tuple[Contact, str, list[CaseState]]] = {}
    for state in sorted(states.values(), key=lambda s: s.case.id):
        if not state.settings.resume_hebdo:
            continue
        coordinator = state.coordinator
        if not is_pseudonym(coordinator.email):  # an erased person receives nothing
            readers.setdefault(coordinator.email, (coordinator, "coordination", []))[2].append(
                state
            )
        for contacts in state.contacts.values():
            for contact in contacts:
                if (
                    contact.digest_only
                    and contact.email != coordinator.email
                    and not is_pseudonym(contact.email)
                ):
                    entry = readers.setdefault(contact.email, (contact, "partenaire", []))
                    entry[2].append(state)
    out = []
    for contact, role, cases in readers.values():
        first = cases[0]
        days = {digest_day(first.calendar, today + timedelta(weeks=w)) for w in (-1, 0, 1)}
        for day in sorted(d for d in days if d <= today + horizon):
            out.append(
                Candidate(
                    Rule.resume_hebdo,
                    first.case.id,
                    role,
                    week_of(day),
                    contact,
                    day,
                    SUBJECTS[Rule.resume_hebdo],
                    {"cases": [s.case.id for s in cases], "role": role, "title": "résumé"},
                    original_on=day,
                    hour=first.settings.heure,
                )
            )
    return out


def digest_contexts(
    requests: list[tuple[str, list[int], str]], *, session: Session, now: datetime
) -> dict[str, dict]:
    """Build the context of each digest (key, case ids, role) from a few queries for all."""
    today = now.date()
    ids = sorted({i for _, cases, _ in requests for i in cases})
    states = load_states(session=session, today=today, case_ids=ids, since=EVER)
    vigilance: dict[int, str] = {}
    for event in session.exec(
        select(TimelineEvent)
        .where(col(TimelineEvent.case_id).in_(ids), TimelineEvent.kind == "vigilance.reviewed")
        .order_by(TimelineEvent.at, TimelineEvent.id)
    ):
        vigilance[event.case_id] = event.summary
    waiting = _steps_of_unopened_stages(ids, session=session, today=today)
    failed: dict[int, list[dict]] = defaultdict(list)
    for row in session.exec(
        select(Notification)
        .where(
            col(Notification.case_id).in_(ids),
            Notification.status == NotificationStatus.failed,
            Notification.claimed_at >= now - timedelta(days=7),
        )
        .order_by(Notification.claimed_at)
    ):
        failed[row.case_id].append(
            {
                "recipient": row.recipient,
                "rule": label(row.rule, Rule),
                "error": row.last_error or "",
                "on": row.claimed_at.date(),
            }
        )
    out = {}
    for key, cases, role in requests:
        rows = [
            _case_summary(states[i], today, vigilance.get(i), waiting.get(i, []))
            for i in cases
            if i in states
        ]
        if role == "coordination":  # the coordinators have a desk account; other readers none
            for row in rows:
                row["url"] = case_link(row["reference"])
        out[key] = {
            "today": today,
            "role": role,
            "cases": rows,
            "failed": [
                {"reference": states[i].case.reference, **f}
                for i in cases
                if i in states and role == "coordination"
                for f in failed.get(i, [])
            ],
        }
    return out


def _steps_of_unopened_stages(
    ids: list[int], *, session: Session, today: date
) -> dict[int, list[dict]]:
    """Return the overdue steps of stages never opened (a gate before them still waits)."""
    out: dict[int, list[dict]] = defaultdict(list)
    for case_id, title, due in session.execute(
        select(Step.case_id, Step.title, Step.due_date)
        .join(Stage, Stage.id == Step.stage_id)
        .where(
            col(Step.case_id).in_(ids),
            Step.status == StepStatus.a_faire,
            Step.due_date < today,
            col(Stage.opened_at).is_(None),
            Stage.status != StageStatus.close,
        )
    ):
        out[case_id].append({"title": title, "due_on": due, "note": NOT_OPEN})
    return out


def _case_summary(
    state: CaseState, today: date, vigilance: str | None, waiting: list[dict]
) -> dict:
    """Summarise a case; every overdue step shows, with why it is no longer reminded.

    Overdue steps are the portfolio's (those of the stages not closed): the reminders stop
    after `retard_rappels` weeks and never start for a stage not yet open, but the
    coordinator keeps seeing each such step here.
    """
    soon, late = [], list(waiting)
    for step in state.steps:
        stage = state.stages.get(step.stage_id)
        if not step_open(step, today) or stage is None:
            continue
        if not stage_open(stage, today):
            # Closed: its leftover steps were overtaken by its gate. Opened later: not yet.
            if stage.opened_at.date() > today and step.due_date < today:
                late += [{"title": step.title, "due_on": step.due_date, "note": NOT_OPEN}]
            continue
        item = {"title": step.title, "due_on": step.due_date, "note": None}
        if step.due_date < today:
            days = overdue_days(state.calendar, step.due_date, state.settings)
            if not days or days[-1] < today:
                item["note"] = ENDED
            late.append(item)
        elif step.due_date <= today + timedelta(days=7):
            soon.append(item)
    soon.sort(key=lambda s: (s["due_on"], s["title"]))
    late.sort(key=lambda s: (s["due_on"], s["title"]))
    awaited = []
    for stage in sorted(state.stages.values(), key=lambda s: s.position):
        reqs = [r for r in state.requirements if r.stage_id == stage.id]
        if not reqs or not stage_open(stage, today) or today < stage.planned_end:
            continue
        votes = [v for v in state.validations if v.stage_id == stage.id]
        gate = gate_status(reqs, votes, stage.gate_rule, stage.gate_quorum, today)
        for org_id, body in [] if gate.satisfied else gate.missing:
            org = state.orgs.get(org_id) if org_id else None
            who = org.name if org else "coordination DLA"
            awaited.append({"stage": stage.title, "who": who, "body": label(body.value)})
    return {
        "reference": state.case.reference,
        "title": state.case.title,
        "status": state.case.status.value,
        "due": soon,
        "overdue": late,
        "awaited": awaited,
        "vigilance": vigilance,
    }


def has_news(context: dict) -> bool:
    """Tell whether a digest has anything to say (otherwise it is not sent)."""
    return bool(context["failed"]) or any(
        c["due"] or c["overdue"] or c["awaited"] for c in context["cases"]
    )
