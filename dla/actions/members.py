"""Member action: an organisation joins the case with a role, or its role or facts change.

The organisation is shared by every case it takes part in (its name, type, SIRET); its role
belongs to this case (`CaseMember`). A SIAE member takes part in the decisions the case file
asks of every member (`@membres`) on the stages not closed yet.
"""

import re

from sqlmodel import Session, select

from dla.actions.base import (
    ActionRefused,
    Actor,
    FieldProblem,
    Outcome,
    log,
    open_case,
    refuse,
    shown,
    text_problem,
)
from dla.actions.fields import choice, forgotten_texts, read_siret
from dla.actions.member_gates import SIAE_ROLES, join_gates, leave_gates
from dla.actions.shared import Fact, log_shared, shared_change
from dla.casefile.fields import SLUG_PATTERN
from dla.clock import Clock
from dla.frenchtext import label
from models import CaseMember, Organisation
from models.enums import MemberRole, OrganisationKind, SiaeKind

MAX_NAME = 200  # organisation.name
# Each fact of an organisation: its name in forms and case files, its attribute.
FACTS = {"nom": "name", "type": "kind", "siae": "siae_kind", "siret": "siret"}


def set_member(
    reference: str,
    organisation: str,
    *,
    role: str,
    name: str | None = None,
    kind: str | None = None,
    siae: str | None = None,
    siret: str | None = None,
    update_shared: bool = False,
    session: Session,
    clock: Clock,
    actor: Actor,
    revision: int | None = None,
) -> Outcome:
    """Make `organisation` (a key) a member of the case with `role`.

    A new organisation needs its `name` and `kind` (and `siae` for a SIAE); for a known one, a
    fact given (not None) replaces the stored one, which the other cases using it must allow
    (`update_shared`). The same role and facts again change nothing.
    """
    case = open_case(reference, session=session, revision=revision)
    if not isinstance(organisation, str) or not re.match(SLUG_PATTERN, organisation):
        refuse(
            "organisation",
            f"clé d'organisation invalide : {shown(organisation)} ; attendu : minuscules, "
            "chiffres, tirets, 80 caractères au plus (ex. aci-vallee)",
        )
    org = session.exec(select(Organisation).where(Organisation.key == organisation)).first()
    problems = [p for p in (choice(role, MemberRole, field="role", name="rôle"),) if p]
    if org is not None and org.id == case.dla_host_id:
        problems.append(
            FieldProblem(
                "organisation",
                f"{shown(organisation)} porte le DLA de ce cas ; attendu : une structure "
                "accompagnée, un réseau, un financeur, un prestataire ou un partenaire",
            )
        )
    stored, new, more = _facts(org, name, kind or None, siae or None, siret or None)
    problems += more + forgotten_texts({"nom": name}, session=session)
    facts = [
        Fact(n, n, stored[n], new[n]) for n in FACTS if org is not None and new[n] != stored[n]
    ]
    change, refused = (None, [])
    if org is not None and not problems:
        change, refused = shared_change(
            org, facts, case=case, session=session, confirmed=update_shared
        )
    if problems or refused:
        raise ActionRefused(problems + refused)
    member = (
        session.exec(
            select(CaseMember).where(
                CaseMember.case_id == case.id, CaseMember.organisation_id == org.id
            )
        ).first()
        if org is not None
        else None
    )
    if member is not None and member.role.value == role and not facts:
        return Outcome(f"« {org.name} » déjà {label(member.role)} du cas : inchangé", False)
    org = org or Organisation(key=organisation, name=new["nom"], kind=new["type"])
    for name_, attr in FACTS.items():
        setattr(org, attr, new[name_])
    session.add(org)
    session.flush()
    before = member.role if member is not None else None
    member = member or CaseMember(case_id=case.id, organisation_id=org.id, role=role)
    member.role = MemberRole(role)
    session.add(member)
    summary = _summary(org, before, member.role, facts)
    if (before in SIAE_ROLES) != (member.role in SIAE_ROLES):
        if member.role in SIAE_ROLES:
            if titles := join_gates(case, org.id, session=session):
                summary += " ; sa décision est attendue pour : " + ", ".join(titles)
        elif titles := leave_gates(case, org.id, session=session):
            summary += " ; sa décision n'est plus attendue pour : " + ", ".join(titles)
    log_shared(change, case, session=session, clock=clock, actor=actor)
    log(
        case,
        session=session,
        clock=clock,
        actor=actor,
        kind="member.set",
        summary=summary,
        data={"organisation": org.key, "role": member.role.value}
        | ({"before": before.value} if before else {}),
    )
    return Outcome(summary)


def _facts(org, name, kind, siae, siret) -> tuple[dict, dict, list[FieldProblem]]:
    """Return the organisation's facts as stored and as they would become, and the refusals."""
    stored = {n: getattr(org, a) if org is not None else None for n, a in FACTS.items()}
    new, problems = dict(stored), []
    if name is not None or org is None:
        if problem := text_problem(name, field="nom", name="nom", limit=MAX_NAME):
            problems.append(problem)
        else:
            new["nom"] = name.strip()
    if kind is not None or org is None:
        if problem := choice(kind, OrganisationKind, field="type", name="type d'organisation"):
            problems.append(problem)
        else:
            new["type"] = OrganisationKind(kind)
    if siae is not None:
        if problem := choice(siae, SiaeKind, field="siae", name="type de SIAE"):
            problems.append(problem)
        else:
            new["siae"] = SiaeKind(siae)
    if new["type"] is OrganisationKind.siae and new["siae"] is None and siae is None:
        problems.append(
            FieldProblem(
                "siae", "type de SIAE absent ; attendu pour une SIAE : AI, ACI, EI, ETTI ou GEIQ"
            )
        )
    elif new["type"] not in (None, OrganisationKind.siae) and new["siae"] is not None:
        if siae is None:
            new["siae"] = None  # no longer a SIAE: its SIAE type goes with it
        else:
            problems.append(
                FieldProblem(
                    "siae",
                    f"type de SIAE {shown(siae)} pour une organisation de type "
                    f"{label(new['type'])} ; attendu : vide (seule une SIAE en a un)",
                )
            )
    if siret is not None:
        value, problem = read_siret(siret, field="siret")
        problems += [problem] if problem else []
        new["siret"] = value
    return stored, new, problems


def _summary(org: Organisation, before, role: MemberRole, facts: list[Fact]) -> str:
    if before is None:
        what = label(org.kind) + (f", {org.siae_kind.value}" if org.siae_kind else "")
        summary = f"« {org.name} » ({what}) rejoint le cas : {label(role)}"
    elif before != role:
        summary = f"Rôle de « {org.name} » dans le cas : {label(before)} → {label(role)}"
    else:
        summary = f"« {org.name} » ({label(role)}) modifiée"
    if facts and before is not None:
        summary += " ; " + ", ".join(
            f"{f.name} : {shown(_plain(f.stored))} → {shown(_plain(f.new))}" for f in facts
        )
    return summary


def _plain(value):
    return value.value if hasattr(value, "value") else value
