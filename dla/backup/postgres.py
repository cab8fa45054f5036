"""PostgreSQL: pg_dump (custom format) of the product's schema, checked; restored atomically.

The dump and the row counts come from one exported snapshot, so the counts in the manifest
are exactly the rows of the dump. A restore runs pg_restore's script through psql in one
transaction that drops the target schema first: either the whole archive is in, or nothing
changed. The script names the source schema; it is renamed to the target's on the way in
(definition lines only: data lines are never touched).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from dla.backup.archive import ArchiveRefused, BackupError
from dla.db import make_engine

TIMEOUT = 6 * 3600


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"programme « {name} » introuvable : installez le client PostgreSQL "
            "(paquet postgresql-client, même version majeure que le serveur ou plus récente)"
        )
    return found


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """Return a libpq connection URI without its password, and the environment carrying it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env, capture_output=True, timeout=TIMEOUT)
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{what} a échoué : {' / '.join(error[-3:]) or done.returncode}")
    return done


def snapshot(url: str, target: Path) -> tuple[dict[str, int], str | None, str]:
    """Dump the product's schema to `target`; return row counts, revision and schema name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    conninfo, env = libpq(url)
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            if schema is None:
                raise BackupError("aucun schéma courant : l'URL de la base ne désigne aucun schéma")
            rows, revision = _counts(conn, schema)
            # pg_dump sees the same snapshot while this transaction stays open.
            _run(
                [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}",
                 f"--schema={schema}", "--no-owner", "--no-privileges",
                 f"--file={target}", f"--dbname={conninfo}"],
                env,
                "pg_dump",
            )  # fmt: skip
    finally:
        engine.dispose()
    return rows, revision, schema


def _counts(conn, schema: str) -> tuple[dict[str, int], str | None]:
    tables = conn.execute(
        text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = :s "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ),
        {"s": schema},
    ).scalars()
    rows = {
        t: conn.execute(text(f'SELECT count(*) FROM "{schema}"."{t}"')).scalar_one()
        for t in list(tables)
    }
    revision = None
    if "alembic_version" in rows:
        q = text(f'SELECT version_num FROM "{schema}".alembic_version')
        revision = conn.execute(q).scalar()
    return rows, revision


COPY = re.compile(r'^COPY (?:"?[^".\s]+"?)\."?([^"\s(]+)"? ')


def verify(dump: Path) -> dict[str, int]:
    """Check a dump read back from an archive: pg_restore lists it; count its data rows."""
    env = dict(os.environ)
    try:
        _run([_tool("pg_restore"), "--list", str(dump)], env, "pg_restore --list")
    except BackupError as exc:
        raise ArchiveRefused(f"copie PostgreSQL illisible : {exc}") from None
    rows: dict[str, int] = {}
    with _script(dump, data_only=True) as lines:
        table = None
        for line in lines:
            if table is None:
                if found := COPY.match(line):
                    table = found[1]
                    rows[table] = 0
            elif line == "\\.\n":
                table = None
            else:
                rows[table] += 1
    return rows


class _script:
    """pg_restore's SQL script of a dump, read line by line."""

    def __init__(self, dump: Path, data_only: bool = False):
        args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)]
        self.process = subprocess.Popen(
            args + (["--data-only"] if data_only else []),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def __enter__(self):
        return self.process.stdout

    def __exit__(self, *exc):
        self.process.stdout.close()
        error = self.process.stderr.read()
        if self.process.wait() != 0 and exc[0] is None:
            raise ArchiveRefused(f"copie PostgreSQL illisible : {error.strip()[:300]}")


def target_schema(url: str) -> str:
    """Return the schema the target URL points at (its search_path's first schema)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            path = conn.execute(text("SHOW search_path")).scalar_one()
    finally:
        engine.dispose()
    first = path.split(",")[0].strip().strip('"')
    return "public" if first in ("", "$user") else first


def has_rows(url: str) -> bool:
    """Tell whether the target schema holds any data besides its schema revision."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            if schema is None:
                return False
            rows, _ = _counts(conn, schema)
    finally:
        engine.dispose()
    return any(n for table, n in rows.items() if table != "alembic_version")


def install(dump: Path, source_schema: str, url: str, work: Path) -> None:
    """Replace the target schema by the dump's content, in one transaction (all or nothing)."""
    schema = target_schema(url)
    quoted = '"' + schema.replace('"', '""') + '"'
    rename = re.compile(r'(?<![\w"$])(?:"%s"|%s)(?=[.;\s,)])' % ((re.escape(source_schema),) * 2))
    script = work / "restauration.sql"
    with _script(dump) as lines, open(script, "w", encoding="utf-8") as out:
        # Fail rather than wait forever on a product still connected to the target.
        out.write(f"SET lock_timeout = '30s';\nDROP SCHEMA IF EXISTS {quoted} CASCADE;\n")
        in_data = False
        for line in lines:
            if in_data:
                in_data = line != "\\.\n"
            else:
                in_data = line.startswith("COPY ") and line.rstrip().endswith("FROM stdin;")
                line = rename.sub(quoted, line)
            out.write(line)
    conninfo, env = libpq(url)
    _run(
        [_tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
         f"--file={script}", f"--dbname={conninfo}"],
        env,
        "la restauration PostgreSQL (rien n'a été modifié)",
    )  # fmt: skip
