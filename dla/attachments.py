"""Attach a document to a case (a signed convention, minutes, a report): checked, stored, logged.

One set of checks for every door (CLI, desk, board link): the same bad input gets the same
French refusal, and nothing is written, not even a file. The file goes under
var/pieces/<case>/ with a name made of the row's id and codes, never of what the person typed.
"""

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, update
from sqlmodel import Session, col, select

from dla.casefile.fields import REFERENCE_PATTERN, control_char, refused_char
from dla.clock import Clock
from dla.filetypes import ACCEPTED, BY_EXTENSION, FileType, extension, names, sniff
from dla.settings import Settings, get_settings
from dla.timeline import add_event, through
from models import Attachment, Case, Stage, TimelineEvent
from models.enums import AttachmentKind
from models.labels import label

FOLDER = "pieces"
MAX_TITLE = 200
MAX_FILENAME = 255


@dataclass(frozen=True)
class Actor:
    """Who acts and through which door (mirrors the actions' Actor: bureau, cli, lien…)."""

    name: str
    channel: str


@dataclass(frozen=True)
class FieldProblem:
    field: str | None  # the form field or option at fault; None for the case as a whole
    message: str


class ActionRefused(Exception):
    """Bad input to an action; nothing was written."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


@dataclass(frozen=True)
class Upload:
    """A file as a person hands it over: the name they gave it and its bytes."""

    filename: str
    content: bytes
    # The file's size when it was too large to be read at all (its content then left empty).
    size: int | None = None

    @property
    def length(self) -> int:
        return len(self.content) if self.size is None else self.size


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


def open_case(reference: str, *, session: Session, revision: int | None = None) -> Case:
    """Return the case; refuse an unknown one, or a form made on an older revision of it."""
    if not isinstance(reference, str) or not re.match(REFERENCE_PATTERN, reference):
        raise ActionRefused([FieldProblem("référence", f"référence invalide : {reference!r:.60}")])
    case = session.exec(select(Case).where(Case.reference == reference)).first()
    if case is None:
        raise ActionRefused([FieldProblem("référence", f"cas inconnu : {reference!r}")])
    if revision is not None and revision != case.revision:
        who = session.exec(
            select(TimelineEvent.actor)
            .where(TimelineEvent.case_id == case.id)
            .order_by(col(TimelineEvent.id).desc())
            .limit(1)
        ).first()
        raise ActionRefused(
            [
                FieldProblem(
                    None,
                    f"modifié entre-temps par {who or 'une autre personne'} (révision "
                    f"{case.revision}, formulaire ouvert à la révision {revision}) : "
                    "rechargez la page, rien n'a été enregistré",
                )
            ]
        )
    return case


def upload_problems(
    upload: Upload,
    *,
    kind: str,
    title: str | None,
    max_bytes: int,
    types: tuple[FileType, ...] = ACCEPTED,
) -> tuple[list[FieldProblem], tuple]:
    """Return what is wrong with a file, its kind and title, and the checked values."""
    problems: list[FieldProblem] = []
    kind_ = _kind(kind, problems)
    filename = _filename(upload.filename, problems)
    file_type = _file_type(filename, upload, max_bytes, types, problems)
    title_ = (title or "").strip() or (filename.rpartition(".")[0] if filename else "")
    if len(title_) > MAX_TITLE:
        problems.append(
            FieldProblem(
                "titre", f"titre trop long : {len(title_)} caractères (au plus {MAX_TITLE})"
            )
        )
    elif (char := control_char(title_)) is not None:
        problems.append(FieldProblem("titre", f"titre : {refused_char(char)}"))
    return problems, (filename, file_type, kind_, title_)


def _kind(value: str, problems: list[FieldProblem]) -> AttachmentKind | None:
    try:
        return AttachmentKind(value)
    except ValueError:
        choices = ", ".join(f"{k.value} ({label(k)})" for k in AttachmentKind)
        problems.append(
            FieldProblem(
                "type", f"type de pièce inconnu : {str(value)[:60]!r} ; attendu parmi : {choices}"
            )
        )
        return None


def _filename(value: str, problems: list[FieldProblem]) -> str:
    """Keep the name's last part only (a browser may send a path); refuse invisible characters."""
    name = re.split(r"[/\\]", value or "")[-1].strip()
    if not name:
        problems.append(
            FieldProblem("fichier", "aucun fichier choisi ; attendu : un fichier à joindre")
        )
    elif len(name) > MAX_FILENAME:
        problems.append(
            FieldProblem(
                "fichier",
                f"nom de fichier trop long : {len(name)} caractères (au plus {MAX_FILENAME})",
            )
        )
    elif (char := control_char(name)) is not None:
        problems.append(
            FieldProblem("fichier", f"nom de fichier {name[:60]!r} : {refused_char(char)}")
        )
    return name


def _file_type(
    filename: str, upload: Upload, max_bytes: int, types: tuple[FileType, ...], problems: list
) -> FileType | None:
    """Check the size and that the name's type is accepted and is what the content really is."""
    if not filename:
        return None
    shown = f"fichier « {filename[:80]} »"
    if upload.length > max_bytes:
        problems.append(
            FieldProblem(
                "fichier",
                f"{shown} : trop volumineux ({size_text(upload.length)}, au plus "
                f"{size_text(max_bytes)})",
            )
        )
        return None
    if not upload.content:
        problems.append(FieldProblem("fichier", f"{shown} : fichier vide"))
        return None
    claimed = BY_EXTENSION.get(extension(filename))
    if claimed is None or claimed not in types:
        ext = f".{extension(filename)}" if extension(filename) else "sans extension"
        problems.append(
            FieldProblem(
                "fichier", f"{shown} : type non accepté ({ext}) ; attendu : {names(types)}"
            )
        )
        return None
    if sniff(upload.content) is not claimed:
        problems.append(
            FieldProblem(
                "fichier",
                f"{shown} : le contenu n'est pas celui d'un fichier {claimed.name} (signature "
                f"non reconnue) ; attendu : un vrai fichier {names(types)}",
            )
        )
        return None
    return claimed


def size_text(size: int) -> str:
    """Say a size in French units (octets, Ko, Mo)."""
    if size < 1000:
        return f"{size} octets"
    if size < 1_000_000:
        return f"{size / 1000:.0f} Ko"
    return f"{size / 1_000_000:.1f} Mo".replace(".", ",")


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
    table = Case.__table__
    session.execute(
        update(table).where(table.c.id == case.id).values(revision=table.c.revision + 1)
    )


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
