"""Versioned deliverable files: one row per (case, document, format, version), files kept.

A version is identified by its template version and the hash of the data it used: the same
pair never makes a new version; a new pair makes version N+1 and keeps N.
"""

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import bindparam, insert
from sqlmodel import Session, col, select

from dla.deliverables.kinds import DeliverableError
from models import Deliverable

FOLDER = "livrables"
SAFE = re.compile(r"[^a-z0-9]+")
# What may become a folder or file name: a case reference, a document kind, a format.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}")


@dataclass(frozen=True)
class Existing:
    version: int
    template_version: str
    data_hash: str
    path: str  # relative to var_dir


def data_hash(data: dict) -> str:
    """Hash a document's data canonically (sorted keys, dates in ISO form)."""
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, default=_iso)
    return hashlib.sha256(payload.encode()).hexdigest()


def _iso(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"valeur non sérialisable : {value!r}")


def slug(text: str) -> str:
    """Make a folder or file name from a reference or a kind; refuse anything else.

    Refusing, not cleaning: "../../etc" must not quietly become "etc", nor two names one.
    """
    if not isinstance(text, str) or not NAME.fullmatch(text):
        raise DeliverableError(
            f"nom de dossier ou de fichier refusé : {text!r} ; attendu : lettres, chiffres, "
            "- ou _ (80 au plus, sans / ni .)"
        )
    return SAFE.sub("-", text.lower()).strip("-")


def relative_path(owner: str, kind: str, version: int, fmt: str) -> str:
    """Return `livrables/<owner>/<kind>-v<N>.<fmt>`, built only from slugs."""
    return f"{FOLDER}/{slug(owner)}/{slug(kind)}-v{version}.{slug(fmt)}"


def write_file(var_dir: Path, relative: str, content: bytes) -> Path:
    """Write atomically under var_dir/livrables, refusing any path that would leave it."""
    return Files(var_dir).write(relative, content)


class Files:
    """Write files atomically under var_dir/livrables; make each folder once per batch.

    No fsync: a version whose file is lost is rendered again by the next run (`produce` checks
    that the file exists), and the rename keeps a reader from ever seeing half a file.
    """

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.root = (var_dir / FOLDER).resolve()
        self.folders: set[Path] = set()

    def write(self, relative: str, content: bytes) -> Path:
        """Write one file (temporary name, then rename), refusing a path that leaves the root."""
        target = (self.var_dir / relative).resolve()
        if not target.is_relative_to(self.root):
            raise DeliverableError(f"chemin de livrable refusé : {relative!r}")
        if target.parent not in self.folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(target.parent)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, target)
        return target


def latest_versions(
    case_ids: list[int], kinds: list[str], formats: list[str], *, session: Session
) -> dict[tuple[int, str, str], Existing]:
    """Return the latest version of each (case, kind, format), in one query."""
    params = {"cases": list(case_ids), "kinds": list(kinds), "formats": list(formats)}
    return {
        (d.case_id, d.kind, d.fmt): Existing(d.version, d.template_version, d.data_hash, d.path)
        for d in session.execute(LATEST, params)
    }


# Built once (a new statement per call is keyed again); rows in version order, the last wins.
LATEST = (
    select(Deliverable.case_id, Deliverable.kind, Deliverable.fmt, Deliverable.version)
    .add_columns(Deliverable.template_version, Deliverable.data_hash, Deliverable.path)
    .where(
        col(Deliverable.case_id).in_(bindparam("cases", expanding=True)),
        col(Deliverable.kind).in_(bindparam("kinds", expanding=True)),
        col(Deliverable.fmt).in_(bindparam("formats", expanding=True)),
    )
    .order_by(Deliverable.version)
)


def add_versions(session: Session, rows: list[dict]) -> None:
    """Record new versions in one insert (the unique key refuses a concurrent duplicate)."""
    session.execute(insert(Deliverable), rows)


MANIFEST = "versions.json"


def manifest_versions(var_dir: Path, owner: str) -> dict[str, list[dict]]:
    """Read the versions of documents that belong to no case (the synthesis), by format."""
    path = var_dir / FOLDER / slug(owner) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def record_manifest(var_dir: Path, owner: str, versions: dict[str, list[dict]]) -> None:
    """Write the manifest of cross-case documents atomically."""
    content = json.dumps(versions, ensure_ascii=False, indent=2).encode()
    write_file(var_dir, f"{FOLDER}/{slug(owner)}/{MANIFEST}", content)


def latest_documents(case_id: int, *, session: Session) -> list[Deliverable]:
    """Return the newest version of each of the case's documents in each format."""
    rows = session.exec(
        select(Deliverable).where(Deliverable.case_id == case_id).order_by(Deliverable.version)
    )
    latest = {(r.kind, r.fmt): r for r in rows}
    return [latest[k] for k in sorted(latest)]
