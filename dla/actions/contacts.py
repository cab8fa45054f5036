"""Contact actions: a person joins the case, or their role, organisation or facts change.

A person (name, address, phone) is shared by every case they take part in; their role and
organisation belong to this case (`CaseContact`) and never reach another one. An address
erased at its owner's request never comes back.
"""

from sqlmodel import Session, col, select

from dla.actions.base import (
    ActionRefused,
    Actor,
    Outcome,
    log,
    open_case,
    refuse,
    shown,
    text_problem,
)
from dla.actions.contact_parts import case_organisations, part_problems, taken, worded
from dla.actions.fields import forgotten_texts, read_email, read_phone
from dla.actions.shared import Fact, log_shared, shared_change
from dla.clock import Clock
from models import CaseContact, Contact
from models.enums import ContactRole

MAX_NAME = 200  # contact.name


def set_contact(
    reference: str,
    email: str,
    *,
    organisation: str | None = None,
    role: str | None = None,
    name: str | None = None,
    phone: str | None = None,
    new_email: str | None = None,
    update_shared: bool = False,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Add the person `email` to the case (`organisation` and `role` needed) or change them.

    None leaves a fact as it is; an empty `name` or `phone` clears it. The person's name,
    phone and address are shared: the other cases they take part in must allow a change
    (`update_shared`). The same values again change nothing.
    """
    case = open_case(reference, session=session, revision=revision)
    address, problem = read_email(email, field="email", name="adresse e-mail", session=session)
    if problem:
        raise ActionRefused([problem])
    person = session.exec(select(Contact).where(Contact.email == address)).first()
    part = (
        session.exec(
            select(CaseContact).where(
                CaseContact.case_id == case.id, CaseContact.contact_id == person.id
            )
        ).first()
        if person is not None
        else None
    )
    orgs = case_organisations(case, session=session)
    problems = part_problems(case, person, part, organisation, role, new_email, orgs)
    new = {
        "nom": person.name if person else None,
        "telephone": person.phone if person else None,
        "email": address,
    }
    if name is not None:
        problem = text_problem(name, field="nom", name="nom", limit=MAX_NAME) if name else None
        problems += [problem] if problem else []
        new["nom"] = name.strip() or None
    if phone is not None:
        new["telephone"], problem = read_phone(phone, field="telephone") if phone else (None, None)
        problems += [problem] if problem else []
    if new_email:
        new["email"], problem = read_email(
            new_email, field="nouvelle_adresse", name="nouvelle adresse", session=session
        )
        problems += [problem] if problem else taken(new["email"], person, session=session)
    problems += forgotten_texts({"nom": name}, session=session)
    if problems:
        raise ActionRefused(problems)
    facts = []
    if person is not None:
        stored = {"nom": person.name, "telephone": person.phone, "email": person.email}
        fields = {"nom": "nom", "telephone": "telephone", "email": "nouvelle_adresse"}
        facts = [Fact(fields[n], n, stored[n], new[n]) for n in stored if new[n] != stored[n]]
    change, refused = (
        shared_change(person, facts, case=case, session=session, confirmed=update_shared)
        if person is not None
        else (None, [])
    )
    if refused:
        raise ActionRefused(refused)
    org = orgs[organisation] if organisation else None
    new_role = ContactRole(role) if role else None
    moved = part is not None and (
        (org is not None and org.id != part.organisation_id)
        or (new_role is not None and new_role is not part.role)
    )
    if part is not None and not moved and not facts:
        return Outcome(f"Contact {address} : inchangé", False)
    person = person or Contact(email=address)
    person.name, person.phone, person.email = new["nom"], new["telephone"], new["email"]
    session.add(person)
    session.flush()
    summary = worded(person, part, org, new_role, facts, orgs)
    if part is None:
        part = CaseContact(
            case_id=case.id, contact_id=person.id, organisation_id=org.id, role=new_role
        )
    part.organisation_id = org.id if org is not None else part.organisation_id
    part.role = new_role or part.role
    session.add(part)
    log_shared(change, case, session=session, clock=clock, actor=actor)
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="contact.set",
        summary=summary,
        data={"contact": person.email, "role": part.role.value, "facts": [f.name for f in facts]},
    )
    return Outcome(summary)


def set_contact_role(
    reference: str,
    email: str,
    *,
    role: str,
    organisation: str | None = None,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Change the role (and the organisation) a person holds in this case only."""
    case = open_case(reference, session=session, revision=revision)
    address, problem = read_email(email, field="email", name="adresse e-mail", session=session)
    if problem:
        raise ActionRefused([problem])
    known = dict(
        session.exec(
            select(Contact.email, Contact.id)
            .join(CaseContact, col(CaseContact.contact_id) == Contact.id)
            .where(CaseContact.case_id == case.id)
        ).all()
    )
    if address not in known:
        refuse(
            "email",
            f"contact absent du cas : {shown(address)} ; attendu parmi : {', '.join(sorted(known))}",
        )
    return set_contact(
        reference,
        address,
        role=role,
        organisation=organisation,
        session=session,
        clock=clock,
        actor=actor,
        revision=revision,
    )
