"""Organisations and contacts are shared across cases: a case links to them by key and e-mail.

What a case file declares of a shared record (an organisation's name, kind, SIRET… a person's
name) must match what is stored, unless no other case uses the record or the change is asked
for explicitly; an explicit change is logged on every case that uses the record. A person's role
and organisation belong to one case (`CaseContact`), so they never reach another case.
"""

from sqlmodel import Session, col, select

from dla.casefile.schema import CaseFile, ContactIn, OrganisationIn
from dla.shared_changes import SharedChange, find_users, shown
from models import CaseContact, CaseMember, Contact, Organisation


def member_keys(case_id: int, *, session: Session) -> dict[int, str]:
    """Return the case's member organisations: id → key."""
    return dict(
        session.exec(
            select(Organisation.id, Organisation.key)
            .join(CaseMember, col(CaseMember.organisation_id) == Organisation.id)
            .where(CaseMember.case_id == case_id)
        ).all()
    )


# Each shared fact: the case file's field, the row's attribute.
ORG_FACTS = (
    ("nom", "name"),
    ("type", "kind"),
    ("siae", "siae_kind"),
    ("siret", "siret"),
    ("departement", "departement"),
    ("reseaux", "networks"),
)


def declared_fact(item: OrganisationIn, name: str):
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
            if (declared := declared_fact(item, name)) is not ...
            and shown(declared) != shown(getattr(org, attr))
        ]
        if facts:
            changes.append(SharedChange(org, f"organisations[{i}]", facts))
    for i, item in enumerate(case.contacts):
        person = contacts.get(item.email.lower())
        if person is None:
            continue
        facts = [
            (name, stored, declared)
            for name, stored, declared in (
                ("nom", person.name, item.nom),
                ("telephone", person.phone, item.telephone),
            )
            if declared is not None and declared != stored
        ]
        if facts:
            changes.append(SharedChange(person, f"contacts[{i}]", facts))
    if changes:
        find_users(changes, session)
    return orgs, contacts, changes


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
            if (declared := declared_fact(item, name)) is not ...:
                setattr(org, attr, declared)
        session.add(org)
        orgs[item.cle] = org
    for item in case.contacts:
        email = item.email.lower()
        person = contacts.get(email) or Contact(email=email)
        if item.nom is not None:
            person.name = item.nom
        if item.telephone is not None:
            person.phone = item.telephone
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
