"""Tell a case's coordination of a blocking point of vigilance (the example automation's action).

The event `dla.vigilance.bloquant` names the timeline row (its key); the message is built from
the database, not from the event. Each person is told once per row: the timeline keeps an
`alert.sent` row keyed on it, and the message's Message-ID derives from the same key (a send
repeated after a crash is the same message).
"""

import hashlib
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from dla.db import transaction
from dla.links import case_link
from dla.mail.base import Notice
from dla.timeline import add_event
from dla.vigilance import RULES, Level
from models import Case, CaseContact, Contact, Stage, TimelineEvent
from models.enums import ContactRole

TEMPLATE = "vigilance_bloquante"


def alert_key(row_key: str, email: str) -> str:
    """Key the alert of one person about one timeline row (hashed when too long)."""
    full = f"alerte:{row_key}:{email.lower()}"
    return (
        full if len(full) <= 300 else full[:230] + "#" + hashlib.sha256(full.encode()).hexdigest()
    )


def blocking_notices(engine: Engine, reference: str, row_key: str) -> list[Notice]:
    """Return the messages to the case's coordination not yet told of this review's blocking
    points (none when it has none, or when a later review of the stage superseded it)."""
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.reference == reference)).first()
        if case is None:
            raise LookupError(f"cas inconnu : {reference!r}")
        row = session.exec(
            select(TimelineEvent).where(
                TimelineEvent.case_id == case.id, TimelineEvent.key == row_key
            )
        ).first()
        if row is None or row.kind != "vigilance.reviewed":
            raise LookupError(f"revue des points de vigilance inconnue : {row_key!r}")
        codes = set(row.data.get("findings") or [])
        points = [r for r in RULES if r.code in codes and r.level is Level.bloquant]
        # A later review of the same stage supersedes this one (an event read late, after a
        # replay or an outage): what it found is no longer the case's state.
        later = session.exec(
            select(TimelineEvent.data).where(
                TimelineEvent.case_id == case.id,
                TimelineEvent.kind == "vigilance.reviewed",
                TimelineEvent.id > row.id,
            )
        ).all()
        if any((data or {}).get("stage") == row.data.get("stage") for data in later):
            points = []
        stage = session.exec(
            select(Stage.title).where(Stage.case_id == case.id, Stage.key == row.data.get("stage"))
        ).first()
        people = session.exec(
            select(Contact.email, Contact.name)
            .join(CaseContact, CaseContact.contact_id == Contact.id)
            .where(CaseContact.case_id == case.id, CaseContact.role == ContactRole.coordination_dla)
            .order_by(Contact.email)
        ).all()
        keys = {alert_key(row_key, email): (email, name) for email, name in people}
        told = set(
            session.exec(
                select(TimelineEvent.key).where(
                    TimelineEvent.case_id == case.id, col(TimelineEvent.key).in_(list(keys))
                )
            )
        )
    if not points:
        return []
    context = {
        "case_title": case.title,
        "stage_title": stage or row.data.get("stage") or "",
        "points": [{"message": p.message, "section": p.section} for p in points],
        "case_url": case_link(reference),
    }
    return [
        Notice(
            key=key,
            template=TEMPLATE,
            reference=reference,
            subject=f"Point de vigilance bloquant : {context['stage_title']}",
            to=email,
            to_name=name,
            context=context,
        )
        for key, (email, name) in keys.items()
        if key not in told
    ]


def record_alerts(engine: Engine, reference: str, sent: list[Notice], at: datetime) -> None:
    """Put each message sent on the case's timeline (what keeps it from being sent again)."""
    if not sent:
        return
    with transaction(engine) as session:
        case_id = session.exec(select(Case.id).where(Case.reference == reference)).one()
        for notice in sent:
            add_event(
                session,
                case_id=case_id,
                at=at,
                kind="alert.sent",
                summary=f"Alerte envoyée à {notice.to} : {notice.subject}",
                actor="automatisation Prefect",
                data={"alerte": notice.key},
                key=notice.key,
            )
