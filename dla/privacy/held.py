"""Find every row that holds one person's address: contact, cases, outbox, timeline, decisions."""

from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, select

from dla.privacy.scrub import Erasure
from models import (
    Attachment,
    BoardLink,
    Case,
    Contact,
    FollowUp,
    Indicator,
    Notification,
    Period,
    Stage,
    Step,
    TimelineEvent,
    Validation,
)

# The other columns a case file's free text reaches (titles, notes, deadlines' anchors): an
# address typed there is copied into them by every load.
DETAIL_COLUMNS = {
    Stage: ("title",),
    Step: ("title", "deadline"),
    Period: ("note",),
    FollowUp: ("notes",),
    Indicator: ("label", "target_text", "measured_text"),
}


@dataclass
class Held:
    """What the database holds about one address."""

    email: str
    contact: Contact | None = None
    cases: list[Case] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    details: list = field(default_factory=list)  # rows of DETAIL_COLUMNS' tables
    links: list[BoardLink] = field(default_factory=list)  # signed links sent to the person
    # What the person entered through a signed link, under their name: decisions, their
    # timeline events, the minutes they attached.
    entered: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (
                self.contact,
                self.cases,
                self.notifications,
                self.events,
                self.validations,
                self.details,
                self.links,
            )
        )

    def names(self) -> set[str]:
        """Return the names recorded beside the address (contact row, case files, messages)."""
        found = {self.contact.name} if self.contact and self.contact.name else set()
        for case in self.cases:
            found |= {c.get("nom") for c in file_entries(case, self.email)}
        for row in self.notifications:
            if row.recipient.lower() == self.email:
                payload = row.payload or {}
                found |= {payload.get("to_name"), payload.get("context", {}).get("recipient_name")}
        found |= {link.recipient_name for link in self.links}
        return {n for n in found if isinstance(n, str) and n}


def _like(column, email: str):
    # autoescape: "_" and "%" are common in addresses and must not act as wildcards.
    return func.lower(column).contains(email, autoescape=True)


def file_entries(case: Case, email: str) -> list[dict]:
    """Return the contact entries of a case's stored case file that carry the address."""
    contacts = (case.document or {}).get("contacts") or []
    return [c for c in contacts if str(c.get("email", "")).lower() == email]


def find_held(email: str, *, session: Session) -> Held:
    """Return everything that mentions `email` (already normalised, lower-case)."""
    probe = Erasure(email)
    held = Held(email)
    held.contact = session.exec(select(Contact).where(func.lower(Contact.email) == email)).first()
    coordinated = held.contact.id if held.contact else -1
    held.cases = [
        c
        for c in session.exec(
            select(Case)
            .where(
                or_(
                    Case.coordinator_id == coordinated,
                    _like(cast(Case.document, String), email),
                    _like(cast(Case.context, String), email),
                    _like(Case.title, email),
                    _like(Case.perimeter, email),
                    _like(cast(Case.strategic_goals, String), email),
                    _like(cast(Case.operational_expectations, String), email),
                )
            )
            .order_by(Case.reference)
        )
        if c.coordinator_id == coordinated or any(probe.mentions(v) for v in _case_texts(c))
    ]
    held.notifications = [
        n
        for n in session.exec(
            select(Notification)
            .where(
                or_(
                    func.lower(Notification.recipient) == email,
                    _like(Notification.key, email),
                    _like(cast(Notification.payload, String), email),
                    _like(Notification.last_error, email),
                )
            )
            .order_by(Notification.due_at, Notification.id)
        )
        if any(probe.mentions(v) for v in (n.recipient, n.key, n.payload, n.last_error))
    ]
    held.events = [
        e
        for e in session.exec(
            select(TimelineEvent)
            .where(
                or_(
                    _like(TimelineEvent.summary, email),
                    _like(TimelineEvent.actor, email),
                    _like(TimelineEvent.key, email),
                    _like(cast(TimelineEvent.data, String), email),
                )
            )
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
        if any(probe.mentions(v) for v in (e.summary, e.actor, e.key, e.data))
    ]
    held.validations = [
        v
        for v in session.exec(
            select(Validation)
            .where(or_(_like(Validation.comment, email), _like(Validation.recorded_by, email)))
            .order_by(Validation.decided_on, Validation.id)
        )
        if probe.mentions(v.comment or "") or probe.mentions(v.recorded_by)
    ]
    held.details = _details(email, probe, session)
    held.links = list(
        session.exec(
            select(BoardLink).where(func.lower(BoardLink.recipient) == email).order_by(BoardLink.id)
        )
    )
    held.entered = _entered(held, session)
    return held


def _entered(held: Held, session: Session) -> list:
    """Return what the person entered through their signed links (recorded under their name)."""
    cases = sorted({link.case_id for link in held.links})
    names = sorted({link.recipient_name or link.recipient for link in held.links})
    if not cases:
        return []
    found: list = []
    for model, who in (
        (Validation, Validation.recorded_by),
        (Attachment, Attachment.recorded_by),
    ):
        found += session.exec(
            select(model).where(model.case_id.in_(cases), model.channel == "lien", who.in_(names))
        ).all()
    found += session.exec(
        select(TimelineEvent).where(
            TimelineEvent.case_id.in_(cases), TimelineEvent.actor.in_(names)
        )
    ).all()
    return found


def _case_texts(case: Case) -> tuple:
    return (
        case.document,
        case.context,
        case.title,
        case.perimeter,
        case.strategic_goals,
        case.operational_expectations,
    )


def _details(email: str, probe: Erasure, session: Session) -> list:
    """Return the stage, step, period, follow-up and indicator rows that show the address."""
    found = []
    for model, names in DETAIL_COLUMNS.items():
        columns = [getattr(model, n) for n in names]
        where = or_(*(_like(cast(c, String), email) for c in columns))
        rows = session.exec(select(model).where(where).order_by(model.id))
        found += [r for r in rows if any(probe.mentions(getattr(r, n)) for n in names)]
    return found
