"""A person's part in a case, as the contact actions check and word it: the organisations a
contact of the case may belong to, the role they may hold, an address free for them."""

from sqlmodel import Session, col, select

from dla.actions.base import FieldProblem, shown
from dla.actions.fields import choice
from dla.actions.shared import Fact
from dla.frenchtext import label
from models import Case, CaseContact, CaseMember, Contact, Organisation
from models.enums import ContactRole


def case_organisations(case: Case, *, session: Session) -> dict[str, Organisation]:
    """Return the organisations a contact of the case may belong to: its DLA host, its members
    and those of its contacts, by key."""
    ids = {case.dla_host_id}
    ids |= set(
        session.exec(select(CaseMember.organisation_id).where(CaseMember.case_id == case.id))
    )
    ids |= set(
        session.exec(select(CaseContact.organisation_id).where(CaseContact.case_id == case.id))
    )
    rows = session.exec(select(Organisation).where(col(Organisation.id).in_(ids)))
    return {o.key: o for o in sorted(rows, key=lambda o: o.key)}


def part_problems(case, person, part, organisation, role, new_email, orgs) -> list[FieldProblem]:
    """Check the person's part in this case: organisation, role, and the coordinator's own."""
    problems = []
    if organisation is None and part is None:
        problems.append(
            FieldProblem(
                "organisation",
                f"organisation absente ; attendu pour un nouveau contact : {', '.join(orgs)}",
            )
        )
    elif organisation is not None and organisation not in orgs:
        problems.append(
            FieldProblem(
                "organisation",
                f"organisation inconnue dans le cas : {shown(organisation)} ; attendu parmi : "
                f"{', '.join(orgs)} (ajoutez d'abord la structure comme membre)",
            )
        )
    if role is None and part is None:
        problems.append(
            FieldProblem(
                "role",
                "rôle absent ; attendu pour un nouveau contact parmi : "
                + ", ".join(f"{r.value} ({label(r)})" for r in ContactRole),
            )
        )
    elif role is not None:
        problems += [p for p in (choice(role, ContactRole, field="role", name="rôle"),) if p]
    if person is not None and person.id == case.coordinator_id:
        if role is not None and role != ContactRole.coordination_dla.value:
            problems.append(
                FieldProblem(
                    "role",
                    f"rôle {shown(role)} pour le ou la chargé·e de mission du cas ; attendu : "
                    f"coordination_dla ({label(ContactRole.coordination_dla)})",
                )
            )
        if new_email and new_email.strip().lower() != person.email:
            problems.append(
                FieldProblem(
                    "nouvelle_adresse",
                    f"nouvelle adresse {shown(new_email)} pour le ou la chargé·e de mission du "
                    "cas, dont l'adresse ouvre le cas sur le bureau ; attendu : son adresse "
                    f"actuelle ({person.email})",
                )
            )
    return problems


def taken(address: str | None, person: Contact | None, *, session: Session) -> list[FieldProblem]:
    other = session.exec(select(Contact).where(Contact.email == address)).first()
    if other is None or (person is not None and other.id == person.id):
        return []
    return [
        FieldProblem(
            "nouvelle_adresse",
            f"nouvelle adresse {shown(address)} déjà celle d'un autre contact ; attendu : une "
            "adresse qu'aucun contact n'a",
        )
    ]


def worded(person, part, org, role, facts: list[Fact], orgs) -> str:
    by_id = {o.id: o for o in orgs.values()}
    words = []
    if part is None:
        words.append(f"{label(role)} ({org.name})")
    elif role is not None and role is not part.role:
        words.append(f"rôle {label(part.role)} → {label(role)}")
    if part is not None and org is not None and org.id != part.organisation_id:
        before = by_id.get(part.organisation_id)
        words.append(f"organisation {before.name if before else '?'} → {org.name}")
    for f in facts:
        if f.name == "email":
            words.append(f"adresse {f.stored} → {f.new}")
        elif f.name == "nom":
            words.append(f"nom : {shown(f.new) if f.new else 'effacé'}")
        else:
            words.append("téléphone " + ("modifié" if f.new else "effacé"))
    done = "ajouté au cas" if part is None else "modifié"
    return f"Contact {person.email} {done} : " + ", ".join(words)
