"""Organisations and contacts are shared across cases: upsert them by key and e-mail."""

from sqlmodel import Session, col, select

from dla.casefile.schema import ContactIn, OrganisationIn
from models import Contact, Organisation


def upsert_organisations(
    items: list[OrganisationIn], *, session: Session
) -> dict[str, Organisation]:
    """Create or update organisations by key; return them by key."""
    keys = [o.cle for o in items]
    found = {
        o.key: o for o in session.exec(select(Organisation).where(col(Organisation.key).in_(keys)))
    }
    for item in items:
        org = found.get(item.cle) or Organisation(key=item.cle, name=item.nom, kind=item.type)
        org.name, org.kind, org.siae_kind = item.nom, item.type, item.siae
        org.siret = item.siret or org.siret
        org.departement = item.departement or org.departement
        org.networks = list(item.reseaux)
        session.add(org)
        found[item.cle] = org
    session.flush()
    return found


def upsert_contacts(
    items: list[ContactIn], orgs: dict[str, Organisation], *, session: Session
) -> dict[str, Contact]:
    """Create or update contacts by (lower-cased) e-mail; return them by e-mail."""
    emails = [c.email.lower() for c in items]
    found = {
        c.email: c for c in session.exec(select(Contact).where(col(Contact.email).in_(emails)))
    }
    for item in items:
        email = item.email.lower()
        contact = found.get(email) or Contact(
            email=email, role=item.role, organisation_id=orgs[item.organisation].id
        )
        contact.name, contact.role, contact.digest_only = item.nom, item.role, item.resume_seul
        contact.organisation_id = orgs[item.organisation].id
        session.add(contact)
        found[email] = contact
    session.flush()
    return found
