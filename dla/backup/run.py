"""`dla backup` and `dla restore`: the steps, in the order that keeps every copy consistent."""

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dla.backup import files, postgres, sqlite
from dla.backup.archive import ArchiveRefused, BackupError, Manifest, extract, file_hash, write
from dla.db import MIGRATIONS_DIR, make_engine, upgrade
from dla.settings import Settings

DATABASE = {"sqlite": "base/dla.sqlite", "postgresql": "base/dla.pgdump"}


@dataclass
class Done:
    """What a backup wrote or a restore put back, for the CLI's report."""

    archive: Path
    manifest: Manifest
    upgraded_to: str | None = None


def backend(url: str) -> str:
    """Return sqlite or postgresql for a database URL."""
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith(("postgresql", "postgres")):
        return "postgresql"
    raise BackupError(f"base non prise en charge par la sauvegarde : {url.split(':')[0]}")


def product_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dla-pipeline")
    except PackageNotFoundError:
        return "inconnue"


def destination(settings: Settings, dest: Path | None, now: datetime) -> Path:
    """Return the archive's path: DEST, a file named by the time in DEST or the backup folder."""
    folder = settings.resolved_backup_dir if dest is None else dest
    if dest is None or dest.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"dla-sauvegarde-{now:%Y%m%d-%H%M%S}.tar"
    if dest.exists():
        raise ArchiveRefused(f"{dest} existe déjà : choisissez un autre nom (rien n'est écrasé)")
    if not dest.parent.is_dir():
        raise ArchiveRefused(f"dossier introuvable : {dest.parent}")
    return dest


def backup(settings: Settings, dest: Path | None = None) -> Done:
    """Copy the database (one consistent instant) then the documents into a checked archive.

    The database comes first: every document a copied row names was written before that row
    (deliverables, .eml files), so it is in the archive too.
    """
    url = settings.resolved_database_url
    kind = backend(url)
    now = datetime.now(UTC)
    target = destination(settings, dest, now)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".sauvegarde-") as work:
        staging = Path(work) / "staging"
        member = DATABASE[kind]
        schema = None
        if kind == "sqlite":
            rows, revision = sqlite.snapshot(url, staging / member)
        else:
            rows, revision, schema = postgres.snapshot(url, staging / member)
        if revision is None:
            raise BackupError("base non initialisée (aucune révision de schéma) : « dla init »")
        members = {member: file_hash(staging / member)}
        members |= files.copy_folders(settings, staging)
        manifest = Manifest(
            backend=kind,
            database=member,
            schema_revision=revision,
            product_version=product_version(),
            created_at=now.isoformat(timespec="seconds"),
            rows=rows,
            folders=sorted(files.folders(settings)),
            members=members,
            source_schema=schema,
        )
        partial = target.with_name(f".{target.name}.partiel")
        try:
            write(partial, manifest, staging)
            check(partial, Path(work) / "relue")  # read back what was written, as restore would
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return Done(target, manifest)


def check(archive: Path, into: Path, *, restoring: bool = False) -> Manifest:
    """Extract and check an archive: checksums, schema revision, database integrity, rows."""
    manifest = extract(archive, into)
    if restoring:
        refuse_newer(manifest)
    if manifest.database not in manifest.members:
        raise ArchiveRefused("la copie de la base manque dans l'archive")
    copy = into / manifest.database
    if manifest.backend == "sqlite":
        rows, revision = sqlite.verify(copy)
        if revision != manifest.schema_revision:
            raise ArchiveRefused("révision du schéma différente de celle du manifeste")
    else:
        rows = postgres.verify(copy)
    # pg_restore's script lists only tables with rows: an absent table has none.
    expected = {t: n for t, n in manifest.rows.items() if n or manifest.backend == "sqlite"}
    got = {t: n for t, n in rows.items() if n or manifest.backend == "sqlite"}
    if got != expected:
        differ = sorted(t for t in set(got) | set(expected) if got.get(t) != expected.get(t))
        raise ArchiveRefused(f"nombre de lignes différent du manifeste pour : {', '.join(differ)}")
    return manifest


def known_revisions() -> tuple[set[str], str]:
    """Return the schema revisions this code's migrations know, and their head."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return {s.revision for s in script.walk_revisions()}, script.get_current_head()


def refuse_newer(manifest: Manifest) -> None:
    """Refuse an archive whose schema revision this code's migrations do not know."""
    known, head = known_revisions()
    if manifest.schema_revision not in known:
        raise ArchiveRefused(
            f"sauvegarde faite par une version plus récente du programme (schéma "
            f"{manifest.schema_revision!r}, inconnu ici ; dernier connu : {head!r}) : "
            "mettez le programme à jour avant de restaurer"
        )


def restore(settings: Settings, archive: Path, *, force: bool = False) -> Done:
    """Check the whole archive, then put the database and the documents in place, or nothing."""
    url = settings.resolved_database_url
    kind = backend(url)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.var_dir, prefix=".restauration-") as work:
        manifest = check(archive, Path(work) / "archive", restoring=True)
        if manifest.backend != kind:
            raise ArchiveRefused(
                f"sauvegarde d'une base {manifest.backend}, base cible {kind} : "
                "restaurez vers le même type de base"
            )
        if not force:
            _refuse_if_not_empty(settings, url, kind)
        swap = files.Swap(settings, Path(work) / "archive", [])
        try:
            swap.run()
            copy = Path(work) / "archive" / manifest.database
            if kind == "sqlite":
                sqlite.install(copy, url)
            else:
                postgres.install(copy, manifest.source_schema or "public", url, Path(work))
        except BaseException:
            swap.undo()
            raise
        swap.commit()
    engine = make_engine(url)
    try:
        upgrade(engine)  # an older archive is brought to this code's schema
    finally:
        engine.dispose()
    head = known_revisions()[1]
    return Done(archive, manifest, head if manifest.schema_revision != head else None)


def _refuse_if_not_empty(settings: Settings, url: str, kind: str) -> None:
    busy = [str(p) for p in files.not_empty(settings)]
    if sqlite.has_rows(url) if kind == "sqlite" else postgres.has_rows(url):
        busy.insert(0, "la base de données")
    if busy:
        raise ArchiveRefused(
            f"la cible n'est pas vide ({', '.join(busy)}) : rien n'a été remplacé ; "
            "ajoutez --force pour la remplacer par la sauvegarde"
        )
