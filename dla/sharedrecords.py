"""Shared organisations and contacts as many case files in a row would leave them."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from dla.casefile.loader import CasePlan
from dla.db import ids_by, insert_rows
from dla.orgs import ORG_FACTS, declared_fact
from dla.shared_changes import shown
from models import Contact, Organisation

CHUNK = 1000  # keys per lookup query


@dataclass
class SharedRecords:
    """The shared records the files name: their facts, stored or declared by a file before.

    What `find_shared` and `apply_shared` (dla/orgs.py) would find and write file after file,
    kept in memory for a batch of files: a file whose facts differ from them is one
    `save_plan` must judge.
    """

    orgs: dict[str, dict] = field(default_factory=dict)  # key → facts, and "id" once stored
    contacts: dict[str, dict] = field(default_factory=dict)  # e-mail → facts, "id"
    new_orgs: list[str] = field(default_factory=list)  # declared by a file, not written yet
    new_contacts: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, plans: list[CasePlan], *, session: Session) -> "SharedRecords":
        keys = sorted({o.cle for p in plans for o in p.case.organisations})
        emails = sorted({c.email.lower() for p in plans for c in p.case.contacts})
        shared = cls()
        attrs = [Organisation.id, *(getattr(Organisation, a) for _, a in ORG_FACTS)]
        for start in range(0, len(keys), CHUNK):
            for row in session.exec(
                select(Organisation.key, *attrs).where(
                    col(Organisation.key).in_(keys[start : start + CHUNK])
                )
            ):
                shared.orgs[row.key] = dict(row._mapping)
        for start in range(0, len(emails), CHUNK):
            for row in session.exec(
                select(Contact.email, Contact.id, Contact.name, Contact.phone).where(
                    col(Contact.email).in_(emails[start : start + CHUNK])
                )
            ):
                shared.contacts[row.email] = dict(row._mapping)
        return shared

    def changed_by(self, plan: CasePlan) -> bool:
        """Tell whether the file declares a fact of a known record otherwise (dla/orgs.py)."""
        for item in plan.case.organisations:
            stored = self.orgs.get(item.cle)
            if stored is not None and any(
                (declared := declared_fact(item, name)) is not ...
                and shown(declared) != shown(stored[attr])
                for name, attr in ORG_FACTS
            ):
                return True
        for item in plan.case.contacts:
            stored = self.contacts.get(item.email.lower())
            if stored is not None and any(
                declared is not None and declared != stored[attr]
                for attr, declared in (("name", item.nom), ("phone", item.telephone))
            ):
                return True
        return False

    def declare(self, plan: CasePlan) -> None:
        """Take in the records a new file creates, with the facts `apply_shared` gives them."""
        for item in plan.case.organisations:
            if item.cle not in self.orgs:
                facts = {"key": item.cle, "siae_kind": None, "siret": None}
                facts |= {"departement": None, "networks": []}
                for name, attr in ORG_FACTS:
                    if (declared := declared_fact(item, name)) is not ...:
                        facts[attr] = declared
                self.orgs[item.cle] = facts
                self.new_orgs.append(item.cle)
        for item in plan.case.contacts:
            email = item.email.lower()
            if email not in self.contacts:
                self.contacts[email] = {"email": email, "name": item.nom, "phone": item.telephone}
                self.new_contacts.append(email)

    def write_new(self, session: Session) -> None:
        """Insert the records declared since the last call; keep their ids."""
        for records, model, new in (
            (self.orgs, Organisation, self.new_orgs),
            (self.contacts, Contact, self.new_contacts),
        ):
            insert_rows(session, model, [records[k] for k in new])
            name = "key" if model is Organisation else "email"
            for k, id_ in ids_by(session, model, name, new).items():
                records[k]["id"] = id_
            new.clear()
