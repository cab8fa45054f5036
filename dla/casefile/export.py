"""Write a case as its case file, from the database: what a reload needs, nothing it ignores.

The export is canonical: the same rows always give the same file, which loads back unchanged
(`dla case load` says "inchangé") and, loaded into an empty database, exports to itself.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from dla.casefile.draft import Rows, draft_document
from dla.casefile.settle import settle_dates
from dla.casefile.yamldump import dump_case_file
from models import (
    Case,
    CaseContact,
    CaseMember,
    Contact,
    FollowUp,
    Indicator,
    Organisation,
    Period,
    Stage,
    Step,
    Validation,
    ValidationRequirement,
)


@dataclass
class Export:
    """A case as a case file: its data, its YAML text, the hash its plan has when loaded."""

    reference: str
    document: dict
    text: str
    source_hash: str | None  # None: the file does not load back as it is (see `problems`)
    problems: list[str] = field(default_factory=list)


def export_case(reference: str, *, session: Session) -> Export | None:
    """Return the case file of the case, or None when no case has this reference."""
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None:
        return None
    rows = read_rows(case, session=session)
    document = draft_document(rows)
    plan, problems = settle_dates(document, rows)
    return Export(
        case.reference,
        document,
        dump_case_file(document),
        plan.source_hash if plan is not None else None,
        [p.render(f"{case.reference}.yaml") for p in problems],
    )


def read_rows(case: Case, *, session: Session) -> Rows:
    """Read every row of the case a case file describes (a dozen queries)."""

    def rows(model, *order):
        query = select(model).where(model.case_id == case.id)
        return list(session.exec(query.order_by(*order, model.id)))

    members = rows(CaseMember)
    contacts = list(
        session.exec(
            select(CaseContact, Contact)
            .join(Contact, col(Contact.id) == CaseContact.contact_id)
            .where(CaseContact.case_id == case.id)
            .order_by(CaseContact.id)
        )
    )
    requirements = rows(ValidationRequirement)
    validations = rows(Validation)
    # The organisations a file names: host, members, contacts' organisations, then those
    # they belong to (networks) and any other the case's validations refer to.
    wanted = [case.dla_host_id, *(m.organisation_id for m in members)]
    wanted += [part.organisation_id for part, _ in contacts]
    orgs = _organisations(wanted, session)
    networks = sorted(
        {n for o in orgs.values() for n in o.networks} - {o.key for o in orgs.values()}
    )
    if networks:
        found = session.exec(select(Organisation).where(col(Organisation.key).in_(networks)))
        orgs |= {o.id: o for o in sorted(found, key=lambda o: o.key)}
    others = {r.organisation_id for r in [*requirements, *validations]} - set(orgs) - {None}
    keys = {o.id: o.key for o in orgs.values()}
    keys |= {o.id: o.key for o in _organisations(sorted(others), session).values()}
    return Rows(
        case=case,
        organisations=list(orgs.values()),
        keys=keys,
        coordinator=session.get(Contact, case.coordinator_id).email,
        members=members,
        contacts=contacts,
        stages=rows(Stage, Stage.position),
        steps=rows(Step),
        requirements=requirements,
        validations=validations,
        periods=rows(Period),
        indicators=rows(Indicator),
        follow_ups=rows(FollowUp, FollowUp.months_after),
    )


def _organisations(ids: list[int], session: Session) -> dict[int, Organisation]:
    """Return the organisations of `ids`, in the order of their first mention."""
    found = {
        o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(ids)))
    }
    return {i: found[i] for i in dict.fromkeys(ids) if i in found}
