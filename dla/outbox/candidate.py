"""One planned notification as the rules produce it, before it becomes an outbox row."""

from dataclasses import dataclass, field
from datetime import date

from dla.outbox.rules import SUBJECTS, Rule, notification_key
from dla.outbox.state import CaseState
from models import Contact


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

    @property
    def key(self) -> str:
        return notification_key(self.rule, self.target, self.occurrence, self.recipient.email)

    @property
    def series(self) -> tuple[str, str, str]:
        return (self.rule, self.target, self.recipient.email)


def base_context(state: CaseState, title: str) -> dict:
    """Return what every reminder of a case shows."""
    case = state.case
    return {
        "reference": case.reference,
        "case_title": case.title,
        "title": title,
        "coordinator_email": state.coordinator.email,
        "coordinator_name": state.coordinator.name,
    }


def make(state, rule, target, occurrence, who, day, title, context, events=()) -> Candidate:
    """Build one candidate of a case with its subject and full context."""
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


def latest_only(cands: list[Candidate], today: date) -> tuple[list[Candidate], set[str]]:
    """Keep, in each series, only the latest reminder already due; return the superseded keys."""
    latest: dict[tuple, date] = {}
    for c in cands:
        if c.send_on <= today and c.cancelled is None:
            latest[c.series] = max(latest.get(c.series, c.send_on), c.send_on)
    superseded = {
        c.key for c in cands if c.send_on <= today and c.send_on < latest.get(c.series, c.send_on)
    }
    return [c for c in cands if c.key not in superseded], superseded
