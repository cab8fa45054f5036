"""Changes a case file makes to shared records: who else uses them, refusal, timeline."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from sqlalchemy import String, cast, or_, union
from sqlmodel import Session, col, insert, select

from dla.casefile.problems import Problem
from models import Case, CaseContact, CaseMember, Contact, Organisation, TimelineEvent

HOW = (
    "pour la modifier pour tous ces cas, recharger avec « dla case load --update-shared » "
    "(formulaire : cocher « Modifier les organisations et contacts d'autres cas ») ; sinon "
    "reprendre la valeur enregistrée, ou une autre clé ou adresse"
)

# How a case uses an organisation, and a person: (case id column, record id column).
ORG_LINKS = (
    (CaseMember.case_id, CaseMember.organisation_id),
    (Case.id, Case.dla_host_id),
    (CaseContact.case_id, CaseContact.organisation_id),
)
PERSON_LINKS = ((CaseContact.case_id, CaseContact.contact_id), (Case.id, Case.coordinator_id))


@dataclass
class SharedChange:
    """Facts a case file changes on a record that already exists."""

    record: Organisation | Contact
    path: str  # where the record is declared, e.g. organisations[2]
    facts: list[tuple[str, object, object]]  # (file field, stored value, declared value)
    users: dict[int, str] = field(default_factory=dict)  # cases using the record: id → reference

    @property
    def label(self) -> str:
        if isinstance(self.record, Organisation):
            return f"l'organisation « {self.record.key} »"
        return f"le contact {self.record.email}"


def shown(value) -> object:
    """Return a fact as a case file writes it."""
    return value.value if isinstance(value, Enum) else value


def find_users(changes: list[SharedChange], session: Session) -> None:
    """Fill each change's cases, in a few queries for all of them (rare: a differing fact)."""
    org_ids = {c.record.id for c in changes if isinstance(c.record, Organisation)}
    contact_ids = {c.record.id for c in changes if isinstance(c.record, Contact)}
    # A network is used by the cases of the organisations that list it.
    keys = {c.record.key: c.record.id for c in changes if isinstance(c.record, Organisation)}
    listing: dict[int, set[int]] = {}
    if keys:
        text = cast(Organisation.networks, String)
        for org in session.exec(
            select(Organisation).where(or_(*(text.contains(f'"{k}"') for k in keys)))
        ):
            for key in set(org.networks) & keys.keys():
                listing.setdefault(org.id, set()).add(keys[key])
    found: dict[tuple[str, int], dict[int, str]] = {}
    for kind, links, ids in (
        ("org", ORG_LINKS, sorted(org_ids | listing.keys())),
        ("contact", PERSON_LINKS, sorted(contact_ids)),
    ):
        if not ids:
            continue
        # Each branch filtered on its own index, then the cases' references in one query.
        users = union(*(select(c, r).where(col(r).in_(ids)) for c, r in links)).subquery()
        case_col, record_col = users.c
        for case_id, record_id, reference in session.exec(
            select(case_col, record_col, Case.reference)
            .join(Case, Case.id == case_col)
            .order_by(Case.reference)
        ):
            targets = {record_id} | (listing.get(record_id, set()) if kind == "org" else set())
            for target in targets:
                found.setdefault((kind, target), {})[case_id] = reference
    for change in changes:
        kind = "org" if isinstance(change.record, Organisation) else "contact"
        change.users = found.get((kind, change.record.id), {})


def refusals(changes: list[SharedChange], case_id: int | None) -> list[Problem]:
    """Return a problem per fact the file changes on a record other cases use."""
    problems = []
    for change in changes:
        others = [ref for i, ref in change.users.items() if i != case_id]
        if not others:
            continue
        refs = ", ".join(others[:5]) + (
            f" et {len(others) - 5} autre(s)" if len(others) > 5 else ""
        )
        for name, stored, declared in change.facts:
            problems.append(
                Problem(
                    f"{change.path}.{name}",
                    f"{change.label} sert aussi au(x) cas {refs}, où ce champ vaut "
                    f"{shown(stored)!r} : donnée partagée, rien n'a été changé ; {HOW}",
                    shown(declared),
                )
            )
    return problems


def log_changes(
    changes: list[SharedChange],
    case_id: int,
    reference: str,
    *,
    session: Session,
    at: datetime,
    actor: str,
    reason: str,
    channel: str | None = None,
) -> list[str]:
    """Write each change on the timeline of every case using the record; return the summaries.

    `channel` names the door of a coordinator action (dla/actions), kept in each event's data.
    """
    rows, summaries = [], []
    for change in changes:
        facts = " ; ".join(f"{n} : {shown(old)!r} → {shown(new)!r}" for n, old, new in change.facts)
        summary = f"Donnée partagée modifiée depuis le cas {reference} : {change.label}, {facts}"
        summary = f"{summary} (motif : {reason})"[:2000]
        data = {
            "motif": reason,
            "depuis": reference,
            "changements": [
                {"champ": n, "avant": shown(o), "apres": shown(v)} for n, o, v in change.facts
            ],
        } | ({"channel": channel} if channel else {})
        rows += [
            {"case_id": i, "at": at, "kind": "shared.updated", "actor": actor, "summary": summary}
            | {"data": data, "key": None}
            for i in sorted(set(change.users) | {case_id})
        ]
        summaries.append(summary)
    if rows:  # one statement, however many cases share the record
        session.execute(insert(TimelineEvent.__table__), rows)
    return summaries
