"""Organisations and contacts are shared across cases: a case links to them by key and e-mail.

What a case file declares of a shared record (an organisation's name, kind, SIRET… a person's
name) must match what is stored, unless no other case uses the record or the change is asked
for explicitly; an explicit change is logged on every case that uses the record. A person's role
and organisation belong to one case (`CaseContact`), so they never reach another case.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from sqlalchemy import String, cast, or_, union
from sqlmodel import Session, col, insert, select

from dla.casefile.problems import Problem
from dla.casefile.schema import CaseFile, ContactIn, OrganisationIn
from models import Case, CaseContact, CaseMember, Contact, Organisation, TimelineEvent

# Each shared fact: the case file's field, the row's attribute.
ORG_FACTS = (
    ("nom", "name"),
    ("type", "kind"),
    ("siae", "siae_kind"),
    ("siret", "siret"),
    ("departement", "departement"),
    ("reseaux", "networks"),
)
HOW = (
    "pour la modifier pour tous ces cas, recharger avec « dla case load --update-shared » "
    "(formulaire : cocher « Modifier les organisations et contacts d'autres cas ») ; sinon "
    "reprendre la valeur "
    "enregistrée, ou une autre clé ou adresse"
)


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


def _declared(item: OrganisationIn, name: str):
    """Return the declared value of a fact, or `...` when the file leaves it out."""
    value = getattr(item, name)
    if name in ("siret", "departement") and value is None:
        return ...  # not given: the stored one stands
    if name == "reseaux":
        return list(value) if "reseaux" in item.model_fields_set else ...
    return value


def find_shared(
    case: CaseFile, *, session: Session
) -> tuple[dict[str, Organisation], dict[str, Contact], list[SharedChange]]:
    """Return the existing records a file names and the facts it would change on them."""
    orgs = {
        o.key: o
        for o in session.exec(
            select(Organisation).where(
                col(Organisation.key).in_([o.cle for o in case.organisations])
            )
        )
    }
    emails = [c.email.lower() for c in case.contacts]
    contacts = {
        c.email: c for c in session.exec(select(Contact).where(col(Contact.email).in_(emails)))
    }
    changes = []
    for i, item in enumerate(case.organisations):
        org = orgs.get(item.cle)
        if org is None:
            continue
        facts = [
            (name, getattr(org, attr), declared)
            for name, attr in ORG_FACTS
            if (declared := _declared(item, name)) is not ...
            and shown(declared) != shown(getattr(org, attr))
        ]
        if facts:
            changes.append(SharedChange(org, f"organisations[{i}]", facts))
    for i, item in enumerate(case.contacts):
        person = contacts.get(item.email.lower())
        if person is not None and item.nom is not None and item.nom != person.name:
            changes.append(SharedChange(person, f"contacts[{i}]", [("nom", person.name, item.nom)]))
    if changes:
        _find_users(changes, session)
    return orgs, contacts, changes


def _find_users(changes: list[SharedChange], session: Session) -> None:
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
    org_users = union(
        select(CaseMember.case_id, CaseMember.organisation_id),
        select(Case.id, Case.dla_host_id),
        select(CaseContact.case_id, CaseContact.organisation_id),
    ).subquery()
    person_users = union(
        select(CaseContact.case_id, CaseContact.contact_id), select(Case.id, Case.coordinator_id)
    ).subquery()
    found: dict[tuple[str, int], dict[int, str]] = {}
    for kind, users, ids in (
        ("org", org_users, org_ids | listing.keys()),
        ("contact", person_users, contact_ids),
    ):
        if not ids:
            continue
        case_col, record_col = users.c
        for case_id, record_id, reference in session.exec(
            select(case_col, record_col, Case.reference)
            .join(Case, Case.id == case_col)
            .where(record_col.in_(sorted(ids)))
            .order_by(Case.reference)
        ):
            targets = {record_id} | (listing.get(record_id, set()) if kind == "org" else set())
            for target in targets:
                found.setdefault((kind, target), {})[case_id] = reference
    for change in changes:
        kind = "org" if isinstance(change.record, Organisation) else "contact"
        change.users = found.get((kind, change.record.id), {})


def apply_shared(
    case: CaseFile,
    orgs: dict[str, Organisation],
    contacts: dict[str, Contact],
    *,
    session: Session,
) -> None:
    """Create the new records and write the declared facts (already allowed) on the others."""
    for item in case.organisations:
        org = orgs.get(item.cle) or Organisation(key=item.cle, name=item.nom, kind=item.type)
        for name, attr in ORG_FACTS:
            if (declared := _declared(item, name)) is not ...:
                setattr(org, attr, declared)
        session.add(org)
        orgs[item.cle] = org
    for item in case.contacts:
        email = item.email.lower()
        person = contacts.get(email) or Contact(email=email)
        if item.nom is not None:
            person.name = item.nom
        session.add(person)
        contacts[email] = person
    session.flush()


def save_case_contacts(
    items: list[ContactIn],
    case_id: int,
    orgs: dict[str, Organisation],
    contacts: dict[str, Contact],
    *,
    session: Session,
    created: bool,
) -> None:
    """Write the case's own part of each contact: role, organisation, digest choice."""
    existing = (
        {}
        if created
        else {
            r.contact_id: r
            for r in session.exec(select(CaseContact).where(CaseContact.case_id == case_id))
        }
    )
    for item in items:
        person = contacts[item.email.lower()]
        org_id = orgs[item.organisation].id
        row = existing.pop(person.id, None) or CaseContact(
            case_id=case_id, contact_id=person.id, organisation_id=org_id, role=item.role
        )
        row.organisation_id, row.role, row.digest_only = org_id, item.role, item.resume_seul
        session.add(row)
    for row in existing.values():
        session.delete(row)


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
) -> list[str]:
    """Write each change on the timeline of every case using the record; return the summaries."""
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
        }
        rows += [
            {"case_id": i, "at": at, "kind": "shared.updated", "actor": actor, "summary": summary}
            | {"data": data, "key": None}
            for i in sorted(set(change.users) | {case_id})
        ]
        summaries.append(summary)
    if rows:  # one statement, however many cases share the record
        session.execute(insert(TimelineEvent.__table__), rows)
    return summaries
