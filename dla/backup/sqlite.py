"""SQLite: a consistent copy through the online backup API, checked, and an atomic swap back."""

import os
import sqlite3
from pathlib import Path

from dla.backup.archive import ArchiveRefused, BackupError


def database_path(url: str) -> Path:
    """Return the file of a `sqlite:///…` URL."""
    path = url.removeprefix("sqlite:///")
    if path == url or path in ("", ":memory:"):
        raise BackupError(f"base SQLite en mémoire ou URL inattendue : {url!r}")
    return Path(path)


def snapshot(url: str, target: Path) -> tuple[dict[str, int], str | None]:
    """Copy the live database to `target` while others write; return row counts and revision.

    The backup API copies every page in one step, under one read transaction of the source:
    the copy is the database as one instant saw it, whatever writers do meanwhile (WAL).
    """
    source_path = database_path(url)
    if not source_path.is_file():
        raise BackupError(f"base introuvable : {source_path} (lancez d'abord « dla init »)")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # One self-contained file in the archive: no -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        return check(copy)
    finally:
        copy.close()
        source.close()


def check(connection: sqlite3.Connection) -> tuple[dict[str, int], str | None]:
    """Run the integrity check, then return the row count of each table and the revision."""
    result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise ArchiveRefused(f"base SQLite endommagée (integrity_check : {'; '.join(result[:3])})")
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    rows = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    revision = None
    if "alembic_version" in tables:
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = found[0] if found else None
    return rows, revision


def verify(copy: Path) -> tuple[dict[str, int], str | None]:
    """Check a copy read back from an archive."""
    connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        return check(connection)
    except sqlite3.DatabaseError as exc:
        raise ArchiveRefused(f"base SQLite illisible : {exc}") from None
    finally:
        connection.close()


def has_rows(url: str) -> bool:
    """Tell whether the target database holds any data (an initialised empty base holds none)."""
    path = database_path(url)
    if not path.is_file():
        return False
    connection = sqlite3.connect(path, timeout=30)
    try:
        rows, _ = check(connection)
    finally:
        connection.close()
    return any(n for table, n in rows.items() if table != "alembic_version")


def install(copy: Path, url: str) -> None:
    """Put the checked copy in place of the target database in one rename."""
    path = database_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.restauration")
    with open(copy, "rb") as source, open(staged, "wb") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if path.exists():
        # Fold the old base's WAL into it, then drop the WAL: a stale -wal next to the new
        # file would be replayed into it.
        old = sqlite3.connect(path, timeout=30)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            old.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(staged, path)
