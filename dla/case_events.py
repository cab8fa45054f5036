"""The case timeline as Prefect events: names, resources and ids, without Prefect itself.

Each timeline row becomes one event about the resource `dla.cas.<reference>`, with the case's
département and chargé·e de mission as related resources. Its id derives from the row, so an
emission tried again is deduplicated by Prefect; `emitted_at` marks the rows already sent.
The event's time is when Prefect learns of it (Prefect keeps and shows recent events only; a
replay writes rows dated years back); the row's own instant is in the payload (`survenu_le`).

| timeline kind            | event                                                    |
|--------------------------|----------------------------------------------------------|
| case.created / updated   | dla.cas.ouvert / dla.cas.recharge                        |
| case.status              | dla.cas.termine (follow-ups to come) / dla.cas.clos      |
| stage.*                  | dla.etape.ouverte, .en-attente-de-validation, .close…    |
| stage.postponed          | dla.echeance.reportee                                    |
| validation.recorded      | dla.decision.enregistree                                 |
| vigilance.reviewed       | dla.vigilance.bloquant (a blocking point), else .revue   |
| notification.sent        | dla.relance.envoyee; dla.echeance.depassee for an        |
|                          | overdue-deadline reminder                                |
| notification.failed      | dla.relance.en-echec (.annulee, .suspendue likewise)     |
| anything else            | dla.journal.<kind>                                       |
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from dla.db import transaction
from dla.links import case_link
from dla.vigilance import RULES, Level
from models import Case, Contact, TimelineEvent
from models.enums import Rule

# Fixed forever: event ids already in Prefect were derived from it.
NAMESPACE = uuid.UUID("5b6f3c1e-9a0d-4f51-8f7e-2c6a1d0b9e47")

EVENT_NAMES = {
    "case.created": "dla.cas.ouvert",
    "case.updated": "dla.cas.recharge",
    "stage.opened": "dla.etape.ouverte",
    "stage.awaiting": "dla.etape.en-attente-de-validation",
    "stage.closed": "dla.etape.close",
    "stage.reopened": "dla.etape.rouverte",
    "stage.removed": "dla.etape.retiree",
    "stage.moved": "dla.etape.deplacee",
    "stage.postponed": "dla.echeance.reportee",
    "deadline.paused": "dla.echeance.suspendue",
    "step.moved": "dla.tache.deplacee",
    "step.cancelled": "dla.tache.annulee",
    "validation.recorded": "dla.decision.enregistree",
    "deliverable.requested": "dla.livrable.demande",
    "deliverable.generated": "dla.livrable.genere",
    "deliverable.failed": "dla.livrable.en-echec",
    "notification.sent": "dla.relance.envoyee",
    "notification.failed": "dla.relance.en-echec",
    "notification.cancelled": "dla.relance.annulee",
    "notification.held": "dla.relance.suspendue",
    "contact.erased": "dla.contact.efface",
    "shared.updated": "dla.donnees-partagees.modifiees",
    "alert.sent": "dla.alerte.envoyee",
}
CASE_ENDS = {"case:suivi": "dla.cas.termine", "case:close": "dla.cas.clos"}
BLOCKING = frozenset(r.code for r in RULES if r.level is Level.bloquant)


@dataclass(frozen=True)
class Pending:
    """A timeline row not yet mirrored, and the event (Prefect's JSON form) that mirrors it."""

    row_id: int
    event: dict


def event_name(kind: str, key: str | None, data: dict) -> str:
    """Return the Prefect event name of a timeline row."""
    if kind == "case.status":
        return CASE_ENDS.get(key or "", "dla.cas.statut")
    if kind == "vigilance.reviewed":
        blocking = BLOCKING.intersection(data.get("findings") or [])
        return "dla.vigilance.bloquant" if blocking else "dla.vigilance.revue"
    if kind == "notification.sent" and _rule(data) == Rule.echeance_depassee:
        return "dla.echeance.depassee"
    return EVENT_NAMES.get(kind, f"dla.journal.{kind}")


def event_id(reference: str, row_id: int) -> uuid.UUID:
    """Return the event id of a timeline row: the same each time it is emitted."""
    return uuid.uuid5(NAMESPACE, f"{reference}:{row_id}")


def pending_events(
    engine: Engine, *, now: datetime, references: list[str] | None = None, limit: int = 500
) -> list[Pending]:
    """Return up to `limit` rows not yet mirrored (of these cases, if given), oldest first."""
    query = (
        select(TimelineEvent, Case.reference, Case.title, Case.departement, Contact)
        .join(Case, Case.id == TimelineEvent.case_id)
        .join(Contact, Contact.id == Case.coordinator_id)
        .where(col(TimelineEvent.emitted_at).is_(None))
        .order_by(TimelineEvent.id)
        .limit(limit)
    )
    if references is not None:
        query = query.where(col(Case.reference).in_(references))
    with Session(engine) as session:
        rows = session.exec(query).all()
    return [
        Pending(row.id, _event(row, ref, title, dep, who, now))
        for row, ref, title, dep, who in rows
    ]


def mark_emitted(engine: Engine, row_ids: list[int], at: datetime) -> int:
    """Mark these rows as mirrored; return how many were still unmarked."""
    if not row_ids:
        return 0
    with transaction(engine) as session:
        result = session.execute(
            update(TimelineEvent)
            .where(col(TimelineEvent.id).in_(row_ids), col(TimelineEvent.emitted_at).is_(None))
            .values(emitted_at=at)
        )
        return result.rowcount


def _event(
    row: TimelineEvent, reference: str, title: str, departement: str, who: Contact, now: datetime
) -> dict:
    return {
        "id": str(event_id(reference, row.id)),
        "event": event_name(row.kind, row.key, row.data or {}),
        "occurred": now.isoformat(),
        "resource": {
            "prefect.resource.id": f"dla.cas.{reference}",
            "prefect.resource.name": f"{reference} · {title}"[:300],
            "dla.reference": reference,
            "dla.departement": departement,
        },
        "related": [
            {
                "prefect.resource.id": f"dla.departement.{departement}",
                "prefect.resource.role": "departement",
                "prefect.resource.name": f"Département {departement}",
            },
            {
                # Named by the person's id: the address stays a value of its own, which
                # `dla contact forget` finds and replaces (with the name beside it) in
                # Prefect's database; glued to "….charge-de-mission." it would not be found.
                "prefect.resource.id": f"dla.charge-de-mission.{who.id}",
                "prefect.resource.role": "charge-de-mission",
                "prefect.resource.name": who.name or who.email,
                "dla.courriel": who.email,
            },
        ],
        "payload": {
            "resume": row.summary,
            "type_journal": row.kind,
            "survenu_le": row.at.isoformat(),
            "acteur": row.actor,
            "cle": row.key,
            "donnees": row.data or {},
            "lien": case_link(reference),
        },
    }


def _rule(data: dict) -> str:
    # A notification's key starts with its rule (dla.outbox.rules.notification_key).
    return str(data.get("notification") or "").partition(":")[0]
