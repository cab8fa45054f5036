"""Erase one person: their address and name become a pseudonym everywhere; history stays."""

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from dla.casefile.loader import load_case_file
from dla.casefile.problems import CaseFileError
from dla.clock import Clock
from dla.privacy.files import case_files, rewrite_case_file, scrub_documents, scrub_outbox
from dla.privacy.forgotten import remember_forgotten
from dla.privacy.held import DETAIL_COLUMNS, find_held
from dla.privacy.prefect_db import scrub_prefect
from dla.privacy.scrub import Erasure, PrivacyRefused, normalise_address
from dla.timeline import add_event
from models import Deliverable, TimelineEvent, Validation
from models.enums import NotificationStatus

PENDING = (NotificationStatus.planned, NotificationStatus.claimed)
ERASED = "destinataire effacé à sa demande (données personnelles)"


@dataclass
class ForgetReport:
    """What an erasure changed; `changed` is 0 when nothing named the person any more."""

    email: str
    pseudonym: str | None = None
    changed: int = 0
    cancelled: int = 0
    cases: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # case files of the cases folder rewritten
    left: list[str] = field(default_factory=list)  # case files elsewhere still naming them
    prefect: dict[str, int] = field(default_factory=dict)  # Prefect's rows changed, per table
    removed: list[str] = field(default_factory=list)  # PDF deliverables deleted (not rewritable)


def forget_contact(
    email: str,
    *,
    session: Session,
    clock: Clock,
    cases_dir: Path | None = None,
    outbox_dir: Path | None = None,
    var_dir: Path | None = None,
    prefect_url: str | None = None,
    actor: str = "dla contact forget",
) -> ForgetReport:
    """Replace the person's address and name by one pseudonym in every row and file.

    `prefect_url`: Prefect's database, scrubbed first (its own transaction): if it cannot be,
    nothing is changed here and the same request can be made again.
    """
    email = normalise_address(email)
    held = find_held(email, session=session)
    erasure = Erasure(email, frozenset(held.names()))
    files = case_files(cases_dir, erasure)
    report = ForgetReport(email)
    if not held and not files:
        return report
    report.pseudonym = erasure.alias
    if prefect_url:
        report.prefect = _scrub_prefect(prefect_url, erasure)
    touched: set[int] = set()
    if held.contact is not None:
        held.contact.email, held.contact.name = erasure.alias_email, erasure.alias
        held.contact.phone = None
        session.add(held.contact)
        report.changed += 1
    for case in held.cases:
        case.document = erasure.json(case.document)
        case.context = erasure.json(case.context)
        case.title, case.perimeter = erasure.text(case.title), erasure.text(case.perimeter)
        case.strategic_goals = erasure.json(case.strategic_goals)
        case.operational_expectations = erasure.json(case.operational_expectations)
        session.add(case)
        touched.add(case.id)
    for row in held.details:
        # Titles and notes copied from the case file: a deliverable made later shows them.
        for name in DETAIL_COLUMNS[type(row)]:
            setattr(row, name, erasure.json(getattr(row, name)))
        session.add(row)
        touched.add(row.case_id)
    own_keys = []
    for row in held.notifications:
        addressed = row.recipient.lower() == email
        if addressed:
            own_keys.append(row.key)
            row.recipient = erasure.alias_email
            if row.status in PENDING:
                row.status, row.last_error = NotificationStatus.cancelled, ERASED
                report.cancelled += 1
        row.key = erasure.text(row.key)
        row.payload = erasure.json(row.payload, addressed=addressed)
        row.last_error = erasure.text(row.last_error)
        session.add(row)
        touched.add(row.case_id)
    for event in held.events:
        event.summary, event.actor = erasure.text(event.summary), erasure.text(event.actor)
        event.key, event.data = erasure.text(event.key), erasure.json(event.data)
        session.add(event)
        touched.add(event.case_id)
    for decision in held.validations:
        decision.comment = erasure.text(decision.comment)
        decision.recorded_by = erasure.text(decision.recorded_by)
        session.add(decision)
        touched.add(decision.case_id)
    for link in held.links:
        link.recipient = erasure.alias_email
        link.recipient_name = erasure.alias if link.recipient_name else None
        link.notification_key = erasure.text(link.notification_key)
        if link.used_at is None and link.revoked_at is None:
            link.revoked_at, link.revoked_by, link.revoked_reason = clock.now(), actor, ERASED[:200]
        session.add(link)
        touched.add(link.case_id)
    for row in held.entered:
        _scrub_entered(row, erasure)
        session.add(row)
    report.changed += len(held.links) + len(held.entered)
    report.changed += len(held.cases) + len(held.notifications) + len(held.events)
    report.changed += len(held.validations) + len(held.details)
    report.changed += scrub_outbox(outbox_dir, erasure, own_keys)
    if var_dir is not None and held.cases:
        rows = session.exec(
            select(Deliverable).where(col(Deliverable.case_id).in_([c.id for c in held.cases]))
        ).all()
        rewritten, report.removed = scrub_documents(var_dir, list(rows), erasure)
        report.changed += rewritten + len(report.removed)
    # A case file that brings the address back is refused from now on (dla.cases.save_plan).
    remember_forgotten(email, session=session, at=clock.now())
    session.flush()
    report.files = [str(p) for p in files]
    for path in files:
        rewrite_case_file(path, erasure)
    report.changed += len(files)
    _sync_sources(held.cases, files, session)
    report.left = sorted({c.source_path for c in held.cases if _names_still(c, erasure, files)})
    _log(session, touched, erasure, clock, actor)
    report.cases = sorted(c.reference for c in held.cases)
    return report


def _scrub_entered(row, erasure: Erasure) -> None:
    """Put the pseudonym where a person's name stands on what they entered by link."""
    if isinstance(row, TimelineEvent):
        row.actor, row.summary = erasure.document(row.actor), erasure.document(row.summary)
    else:
        row.recorded_by = erasure.document(row.recorded_by)
        if isinstance(row, Validation):
            row.comment = erasure.document(row.comment) if row.comment else row.comment


def _scrub_prefect(url: str, erasure: Erasure) -> dict[str, int]:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return scrub_prefect(url, erasure)
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        raise PrivacyRefused(
            f"base de données de Prefect injoignable ({reason}) : rien n'a été effacé ; "
            "relancez la commande quand elle répond"
        ) from None


def _names_still(case, erasure: Erasure, rewritten: list[Path]) -> bool:
    """Tell whether the case's source file, outside the cases folder, still has the address."""
    if not case.source_path:
        return False
    path = Path(case.source_path)
    if not path.is_file() or path.resolve() in {p.resolve() for p in rewritten}:
        return False
    return erasure.mentions(path.read_text(encoding="utf-8", errors="replace"))


def _sync_sources(cases, rewritten: list[Path], session: Session) -> None:
    """Keep a rewritten file's hash on its case, so that reloading it is a no-op."""
    by_path = {p.resolve(): p for p in rewritten}
    for case in cases:
        path = by_path.get(Path(case.source_path).resolve()) if case.source_path else None
        if path is None:
            continue
        try:
            case.source_hash = load_case_file(path).source_hash
        except CaseFileError:
            continue  # an invalid file is refused on reload anyway
        session.add(case)


def _log(session: Session, case_ids: set[int], erasure: Erasure, clock: Clock, actor: str) -> None:
    for case_id in sorted(case_ids):
        add_event(
            session,
            case_id=case_id,
            at=clock.now(),
            kind="contact.erased",
            summary=f"Données personnelles d'un contact effacées à sa demande : il apparaît "
            f"désormais sous le pseudonyme {erasure.alias}",
            actor=actor,
            data={"pseudonyme": erasure.alias},
            key=f"contact.erased:{erasure.alias}",
        )
