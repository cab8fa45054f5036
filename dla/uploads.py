"""A file as a person hands it over, and the checks every door applies to it before anything
is written: its name, its size, its kind, and that its content is what its name says."""

import re
from dataclasses import dataclass

from dla.actions.base import FieldProblem
from dla.casefile.fields import control_char, refused_char
from dla.filetypes import ACCEPTED, BY_EXTENSION, FileType, extension, names, sniff
from models.enums import AttachmentKind
from models.labels import label

MAX_TITLE = 200
MAX_FILENAME = 255


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
