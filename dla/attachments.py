"""Attach a document to a case (a signed convention, minutes, a report): checked, stored, logged.

One set of checks for every door (CLI, desk, board link): the same bad input gets the same
French refusal, and nothing is written, not even a file. The file goes under
var/pieces/<case>/ with a name made of the row's id and codes, never of what the person typed.
"""

import hashlib
import os
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session, col, select

from dla.actions.base import ActionRefused, Actor, FieldProblem, bump_revision, open_case
from dla.clock import Clock
from dla.filetypes import ACCEPTED, FileType
from dla.settings import Settings, get_settings
from dla.timeline import add_event, through
from dla.uploads import Upload, size_text, upload_problems
from models import Attachment, Case, Stage
from models.labels import label

FOLDER = "pieces"


def attach_document(
    reference: str,
    upload: Upload,
    *,
    kind: str,
    title: str | None = None,
    stage: str | None = None,
    session: Session,
    clock: Clock,
    actor: Actor,
    settings: Settings | None = None,
    revision: int | None = None,
    types: tuple[FileType, ...] = ACCEPTED,
) -> tuple[Attachment, bool]:
    """Check, store and log one document; return it and whether it is new (a replay adds none)."""
    settings = settings or get_settings()
    case = open_case(reference, session=session, revision=revision)
    problems, checked = upload_problems(
        upload, kind=kind, title=title, max_bytes=settings.max_attachment_bytes, types=types
    )
    stage_row = None
    if stage is not None:
        stage_row = session.exec(
            select(Stage).where(Stage.case_id == case.id, Stage.key == stage)
        ).first()
        if stage_row is None:
            problems.append(FieldProblem("étape", f"étape inconnue : {stage[:80]!r}"))
    if problems:
        raise ActionRefused(problems)
    filename, file_type, kind_, title_ = checked
    digest = hashlib.sha256(upload.content).hexdigest()
    existing = session.exec(
        select(Attachment).where(
            Attachment.case_id == case.id, Attachment.kind == kind_, Attachment.sha256 == digest
        )
    ).first()
    if existing is not None:
        return existing, False
    row = Attachment(
        case_id=case.id,
        stage_id=stage_row.id if stage_row else None,
        kind=kind_,
        title=title_,
        filename=filename,
        media_type=file_type.media_type,
        size=len(upload.content),
        sha256=digest,
        path="",
        recorded_by=actor.name[:200],
        channel=actor.channel,
        recorded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    row.path = f"{FOLDER}/{case.reference.lower()}/{row.id}-{kind_.value}.{file_type.code}"
    _store(Path(settings.var_dir), row.path, upload.content, session)
    _log(session, case, clock, actor, row)
    return row, True


def _store(var_dir: Path, relative: str, content: bytes, session: Session) -> None:
    """Write the file atomically under var/pieces; remove it if the transaction rolls back."""
    root = (var_dir / FOLDER).resolve()
    target = (var_dir / relative).resolve()
    if not target.is_relative_to(root):  # built from ids and codes: cannot happen, never allow
        raise ValueError(f"chemin hors de {FOLDER}/ : {relative!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(content)
    os.replace(temporary, target)
    settled = {"done": False}

    def undo(_session) -> None:
        if not settled["done"]:
            settled["done"] = True
            target.unlink(missing_ok=True)

    def keep(_session) -> None:
        settled["done"] = True

    event.listen(session, "after_rollback", undo)
    event.listen(session, "after_commit", keep)


def _log(session: Session, case: Case, clock: Clock, actor: Actor, row: Attachment) -> None:
    """Put the attachment on the timeline and move the case's revision (concurrent forms)."""
    add_event(
        session,
        case_id=case.id,
        at=clock.now(),
        kind="document.attached",
        actor=actor.name[:200],
        summary=f"Pièce jointe ajoutée : {label(row.kind)} « {row.title} » ({row.filename}, "
        f"{size_text(row.size)}), saisie {through(actor.channel)}",
        data={"attachment_id": row.id, "kind": row.kind.value, "channel": actor.channel},
        key=f"attachment:{row.id}",
    )
    bump_revision(session, case.id)


def case_attachments(case_id: int, *, session: Session) -> list[Attachment]:
    """Return a case's attachments, newest first."""
    return list(
        session.exec(
            select(Attachment)
            .where(Attachment.case_id == case_id)
            .order_by(col(Attachment.recorded_at).desc(), col(Attachment.id).desc())
        )
    )


def attachment_file(var_dir: Path, row: Attachment) -> Path | None:
    """Return the stored file of an attachment, or None if it is missing or not under var/pieces."""
    root = (Path(var_dir) / FOLDER).resolve()
    path = (Path(var_dir) / row.path).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None
