"""The desk's list of cases: filters read from the URL, applied in SQL, paged, exportable."""

from dataclasses import asdict, dataclass, fields
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, func, or_
from sqlmodel import Session, col, select

from dla.frenchtext import case_status_label, label
from dla.portfolio import PortfolioRow, portfolio
from models import Case, CaseMember, Contact, Organisation, Stage, Step
from models.enums import CaseStatus, Moment, StageStatus, StepStatus

PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    """The list's filters, as their URL parameters spell them."""

    departement: str = ""
    charge: str = ""  # the coordinator's e-mail
    statut: str = ""
    modele: str = ""
    etape: str = ""
    retard: bool = False
    attente: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, query) -> "Filters":
        """Read the filters from a query string mapping; unknown words are ignored."""
        text = {f.name: (query.get(f.name) or "").strip()[:200] for f in fields(cls)}
        statut = text["statut"] if text["statut"] in set(CaseStatus) else ""
        etape = text["etape"] if text["etape"] in set(Moment) else ""
        return cls(
            departement=text["departement"].upper(),
            charge=text["charge"].lower(),
            statut=statut,
            modele=text["modele"],
            etape=etape,
            retard=text["retard"] in ("1", "on", "oui"),
            attente=text["attente"] in ("1", "on", "oui"),
            q=text["q"],
        )

    def query(self) -> dict[str, str]:
        """Return the non-empty filters as URL parameters."""
        return {
            k: ("1" if v is True else v) for k, v in asdict(self).items() if v not in ("", False)
        }


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_clause(filters: Filters, today: date) -> ColumnElement[bool]:
    """Return the SQL clause on `Case` that the filters describe."""
    clauses = []
    if filters.departement:
        clauses.append(Case.departement == filters.departement)
    if filters.charge:
        clauses.append(
            Case.coordinator_id.in_(
                select(Contact.id).where(func.lower(Contact.email) == filters.charge)
            )
        )
    if filters.statut:
        clauses.append(Case.status == CaseStatus(filters.statut))
    if filters.modele:
        clauses.append(Case.journey == filters.modele)
    open_stage = col(Stage.status).in_([StageStatus.ouverte, StageStatus.en_attente_validation])
    if filters.etape:
        clauses.append(
            exists().where(Stage.case_id == Case.id, open_stage, Stage.moment == filters.etape)
        )
    if filters.retard:
        clauses.append(
            exists()
            .where(
                Step.case_id == Case.id, Step.status == StepStatus.a_faire, Step.due_date < today
            )
            .where(Stage.id == Step.stage_id, Stage.status != StageStatus.close)
        )
    if filters.attente:
        clauses.append(
            exists().where(
                Stage.case_id == Case.id, Stage.status == StageStatus.en_attente_validation
            )
        )
    if filters.q:
        pattern = _like(filters.q)
        structure = (
            exists()
            .where(CaseMember.case_id == Case.id)
            .where(Organisation.id == CaseMember.organisation_id)
            .where(func.lower(Organisation.name).like(pattern, escape="\\"))
        )
        clauses.append(
            or_(
                func.lower(Case.reference).like(pattern, escape="\\"),
                func.lower(Case.title).like(pattern, escape="\\"),
                structure,
            )
        )
    return and_(*clauses) if clauses else and_(True)


@dataclass
class ListedCase:
    row: PortfolioRow
    coordinator: str


def list_cases(
    *,
    session: Session,
    visible: ColumnElement[bool],
    filters: Filters,
    today: date,
    page: int | None = 1,
) -> tuple[list[ListedCase], int]:
    """Return one page of the cases the person may see and the filters keep, and their total."""
    where = and_(visible, filter_clause(filters, today))
    total = session.exec(select(func.count()).select_from(Case).where(where)).one()
    limit = PER_PAGE if page is not None else None
    offset = (max(page, 1) - 1) * PER_PAGE if page is not None else 0
    rows = portfolio(session=session, today=today, where=where, limit=limit, offset=offset)
    ids = [r.case_id for r in rows]
    names = {
        case_id: name or email
        for case_id, name, email in session.exec(
            select(Case.id, Contact.name, Contact.email)
            .join(Contact, col(Contact.id) == Case.coordinator_id)
            .where(col(Case.id).in_(ids))
        )
    }
    return [ListedCase(r, names.get(r.case_id, "")) for r in rows], total


def departements(*, session: Session, visible: ColumnElement[bool]) -> list[str]:
    """Return the départements of the cases the person may see, in order."""
    return list(
        session.exec(select(Case.departement).where(visible).distinct().order_by(Case.departement))
    )


def choices(*, session: Session, visible: ColumnElement[bool]) -> dict[str, list[tuple[str, str]]]:
    """Return the values each filter offers, from the cases the person may see."""
    codes = departements(session=session, visible=visible)
    journeys = session.exec(
        select(Case.journey).where(visible, col(Case.journey).is_not(None)).distinct()
    ).all()
    people = session.exec(
        select(Contact.email, Contact.name)
        .join(Case, col(Case.coordinator_id) == Contact.id)
        .where(visible)
        .distinct()
        .order_by(Contact.name, Contact.email)
    ).all()
    return {
        "departement": [(d, d) for d in codes],
        "charge": [(email.lower(), name or email) for email, name in people],
        "statut": [(s.value, case_status_label(s)) for s in CaseStatus],
        "modele": [(j, label(j)) for j in sorted(journeys)],
        "etape": [(m.value, label(m.value)) for m in Moment],
    }


HEADERS = [
    "référence",
    "département",
    "titre",
    "modèle",
    "statut",
    "chargé·e",
    "étape en cours",
    "prochaine échéance",
    "tâches en retard",
    "validations attendues",
]


def export_rows(listed: list[ListedCase]) -> list[list]:
    """Return the rows of the spreadsheet export (values typed: dates, numbers)."""
    return [
        [
            item.row.reference,
            item.row.departement,
            item.row.title,
            label(item.row.journey) if item.row.journey else "",
            case_status_label(item.row.status),
            item.coordinator,
            item.row.current_stage or "",
            item.row.next_due,
            item.row.overdue,
            item.row.awaiting,
        ]
        for item in listed
    ]
