"""The archive: a tar whose first member, manifest.json, lists every other member's checksum."""

import hashlib
import io
import json
import os
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

FORMAT = "dla-sauvegarde"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """The backup or the restore could not be done; the message says why, in French."""


class ArchiveRefused(BackupError):
    """The archive is damaged, truncated, newer than this code, or the target is not empty."""


@dataclass
class Manifest:
    """What an archive holds: versions, the database's row counts, each member's checksum."""

    backend: str  # sqlite or postgresql
    database: str  # the member holding the database copy
    schema_revision: str
    product_version: str
    created_at: str
    rows: dict[str, int]
    folders: list[str]
    members: dict[str, dict] = field(default_factory=dict)  # name -> {sha256, size}
    source_schema: str | None = None  # PostgreSQL: the schema the dump holds
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ArchiveRefused("ce fichier n'est pas une sauvegarde DLA (manifeste inconnu)")
        if not isinstance(raw.get("format_version"), int) or raw["format_version"] > FORMAT_VERSION:
            raise ArchiveRefused(
                f"format de sauvegarde {raw.get('format_version')!r} plus récent que cette "
                f"version du programme (format {FORMAT_VERSION}) : mettez le programme à jour"
            )
        try:
            return cls(**raw)
        except TypeError as exc:
            raise ArchiveRefused(f"manifeste incomplet ou inattendu : {exc}") from None


def copy_hashed(source, target: Path) -> dict:
    """Copy a binary stream to `target`, returning its sha256 and size."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def file_hash(path: Path) -> dict:
    """Return the sha256 and size of a file."""
    with open(path, "rb") as handle:
        digest, size = hashlib.sha256(), 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def write(path: Path, manifest: Manifest, staging: Path) -> None:
    """Write the archive: the manifest first, then each member from `staging`; synced."""
    data = manifest.to_json()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(data), 0o600
        tar.addfile(info, io.BytesIO(data))
        for name in sorted(manifest.members):
            tar.add(staging / name, arcname=name, recursive=False)
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _safe(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and "\\" not in name


def extract(path: Path, into: Path) -> Manifest:
    """Read the whole archive into `into`, checking every member against the manifest.

    Refuses (ArchiveRefused) a truncated or unreadable tar, an unknown or newer format, a
    member missing, added, unsafe or whose checksum differs. Nothing outside `into` is written.
    """
    try:
        with tarfile.open(path, "r:") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise ArchiveRefused("le manifeste (manifest.json) manque en tête d'archive")
            manifest = Manifest.from_json(tar.extractfile(first).read())
            seen: dict[str, dict] = {}
            for member in tar:
                if member is first:
                    continue
                expected = manifest.members.get(member.name)
                if expected is None or not member.isfile() or not _safe(member.name):
                    raise ArchiveRefused(f"membre inattendu dans l'archive : {member.name!r}")
                seen[member.name] = copy_hashed(tar.extractfile(member), into / member.name)
    except (tarfile.TarError, EOFError, OSError, ValueError, UnicodeDecodeError) as exc:
        if not path.is_file():
            raise ArchiveRefused(f"archive introuvable : {path}") from None
        raise ArchiveRefused(
            f"archive illisible ou tronquée ({type(exc).__name__} : {exc})"
        ) from None
    missing = sorted(set(manifest.members) - set(seen))
    if missing:
        raise ArchiveRefused(
            f"archive tronquée : {len(missing)} membre(s) manquant(s), dont {missing[0]!r}"
        )
    for name, got in seen.items():
        if got != {k: manifest.members[name].get(k) for k in ("sha256", "size")}:
            raise ArchiveRefused(
                f"archive altérée : la somme de contrôle de {name!r} ne correspond pas"
            )
    return manifest


def remove(path: Path) -> None:
    """Remove a file or a folder, if present."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()
