"""A board's decision entered through its signed link: checked, recorded « par lien », once.

The link decides which case, stage, structure and body the decision is for; the form only
says what was decided. The decision goes through `record_validation`, the one decision check
every door uses; the minutes (a PDF) through `attach_document`.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from dla.actions.base import ActionRefused, Actor, FieldProblem
from dla.actions.decisions import attach_minutes, minutes_problems, read_decision
from dla.boardlinks import COORDINATION, open_link, use_link
from dla.casefile.fields import control_char, refused_char
from dla.clock import Clock, day_problem
from dla.deliverables import KINDS
from dla.settings import Settings
from dla.uploads import Upload
from dla.validations import DecisionInput, record_validation
from models import Attachment, BoardLink, Case, Deliverable, Organisation, Stage, Step, Validation
from models.enums import AttachmentKind, Decision

FR_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
MAX_SIGNER = 150
MAX_REMARKS = 1800  # the signer is added to it, within the decision's 2000 characters


@dataclass(frozen=True)
class BoardAnswer:
    """The public form as typed: dates in JJ/MM/AAAA, the decision's code."""

    decided_on: str = ""
    decision: str = ""
    postponed_to: str = ""
    remarks: str = ""
    signed_by: str = ""


def answer_link(
    token: str,
    answer: BoardAnswer,
    *,
    session: Session,
    clock: Clock,
    secret: str,
    settings: Settings,
    minutes: Upload | None = None,
) -> tuple[Validation, DecisionInput]:
    """Record the board's decision and its minutes; return it and the decision as checked.

    Raises `LinkRefused` for a link that cannot be used, `ActionRefused` for a bad form; the
    caller's transaction then rolls back and the link stays as it was.
    """
    link = open_link(token, session=session, secret=secret, today=clock.today())
    problems, (decided_on, decision, postponed_to) = _parse(answer)
    problems += minutes_problems(minutes, settings)
    if problems:
        raise ActionRefused(problems)
    name = (link.recipient_name or link.recipient)[:200]
    use_link(link, session=session, at=clock.now())
    case = session.get(Case, link.case_id)
    stage = session.get(Stage, link.stage_id)
    org = session.get(Organisation, link.organisation_id) if link.organisation_id else None
    remarks = answer.remarks.strip()
    signed = f"signé par {answer.signed_by.strip()}"
    entry = DecisionInput(
        case.reference, stage.key, org.key if org else None, link.body, decision, decided_on,
        f"{remarks} — {signed}" if remarks else signed, postponed_to,
    )  # fmt: skip
    # A refusal (ValidationRefused, an ActionRefused) names the field each problem is about.
    validation, _ = record_validation(
        entry, session=session, clock=clock, recorded_by=name, channel="lien"
    )
    if minutes is not None:
        attach_minutes(
            case.reference, stage.key, minutes, body=link.body, decided_on=decided_on,
            session=session, clock=clock, actor=Actor(name, "lien"), settings=settings,
        )  # fmt: skip
    return validation, entry


def _parse(answer: BoardAnswer) -> tuple[list[FieldProblem], tuple]:
    problems: list[FieldProblem] = []
    decided_on = _day(answer.decided_on, "date", "date de la décision", problems, required=True)
    decision, chosen = read_decision(answer.decision)
    problems += chosen
    # Only a postponement has a new date; one typed beside another decision is not kept.
    postponed_to = None
    if decision is Decision.reportee:
        postponed_to = _day(answer.postponed_to, "report_au", "nouvelle date", problems)
    if decision is Decision.reportee and not answer.postponed_to.strip():
        problems.append(
            FieldProblem("report_au", "une décision reportée demande la nouvelle date (JJ/MM/AAAA)")
        )
    remarks, signer = answer.remarks.strip(), answer.signed_by.strip()
    if len(remarks) > MAX_REMARKS:
        problems.append(
            FieldProblem(
                "commentaire",
                f"texte trop long : {len(remarks)} caractères (au plus {MAX_REMARKS})",
            )
        )
    elif (char := control_char(remarks, "\n\t\r")) is not None:
        problems.append(FieldProblem("commentaire", f"texte : {refused_char(char)}"))
    if not signer:
        problems.append(
            FieldProblem("signataire", "indiquez qui a signé la décision (nom et qualité)")
        )
    elif len(signer) > MAX_SIGNER or (char := control_char(signer)) is not None:
        problems.append(
            FieldProblem(
                "signataire",
                f"signataire : une ligne de {MAX_SIGNER} caractères au plus, sans caractère de contrôle",
            )
        )
    return problems, (decided_on, decision, postponed_to)


def _day(value: str, name: str, words: str, problems: list, required: bool = False) -> date | None:
    """Read a JJ/MM/AAAA date; say what was typed and what is expected."""
    value = (value or "").strip()
    if not value:
        if required:
            problems.append(FieldProblem(name, f"{words} manquante ; attendu : JJ/MM/AAAA"))
        return None
    match = FR_DAY.fullmatch(value)
    try:
        day = date(int(match[3]), int(match[2]), int(match[1])) if match else None
    except ValueError:
        day = None
    if day is None:
        problems.append(
            FieldProblem(name, f"{words} invalide : {value[:40]!r} ; attendu : JJ/MM/AAAA")
        )
        return None
    if (problem := day_problem(day, words)) is not None:
        problems.append(FieldProblem(name, problem))
        return None
    return day


@dataclass
class BoardView:
    """What the board is asked to decide: the case, the stage, its tasks, what to read."""

    link: BoardLink
    case: Case
    stage: Stage
    structure: str
    steps: list[Step] = field(default_factory=list)
    deliverables: list[tuple[str, Deliverable]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def board_view(token: str, *, session: Session, secret: str, today: date) -> BoardView:
    """Return what the link's page shows (a link that cannot be used is refused)."""
    link = open_link(token, session=session, secret=secret, today=today)
    case = session.get(Case, link.case_id)
    stage = session.get(Stage, link.stage_id)
    org = session.get(Organisation, link.organisation_id) if link.organisation_id else None
    steps = session.exec(
        select(Step).where(Step.stage_id == stage.id).order_by(Step.due_date, Step.id)
    ).all()
    latest: dict[str, int] = {}
    rows = session.exec(
        select(Deliverable)
        .where(Deliverable.case_id == case.id, Deliverable.stage_id == stage.id)
        .order_by(Deliverable.kind, col(Deliverable.version).desc(), Deliverable.fmt)
    ).all()
    for d in rows:
        latest.setdefault(d.kind, d.version)
    documents = [
        (KINDS[d.kind].title if d.kind in KINDS else d.kind, d)
        for d in rows
        if d.version == latest[d.kind]
    ]
    attachments = session.exec(
        select(Attachment)
        .where(
            Attachment.case_id == case.id,
            Attachment.stage_id == stage.id,
            Attachment.kind != AttachmentKind.proces_verbal,
        )
        .order_by(col(Attachment.id).desc())
    ).all()
    return BoardView(
        link, case, stage, org.name if org else COORDINATION, list(steps), documents,
        list(attachments),
    )  # fmt: skip
