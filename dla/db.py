"""Database engine, sessions and migrations (the storage edge)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached: nothing was read or written, try again later."""


def make_engine(url: str) -> Engine:
    """Build an engine; SQLite files get their folder, foreign keys and a busy timeout."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args=_connect_args(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _unavailable)
    return engine


def _unavailable(context) -> None:
    # No connection yet: the server is down or the file cannot be opened. Say so in French,
    # and name the database without its password, so that the run's state explains itself.
    if context.connection is not None or context.engine is None:
        return
    where = context.engine.url.render_as_string(hide_password=True)
    reason = str(context.original_exception).strip().splitlines()[0]
    raise DatabaseUnavailable(
        f"Base de données injoignable ({where}) : {reason}. Rien n'a été lu ni écrit ; "
        "relancez quand elle répond."
    ) from context.original_exception


def _connect_args(url: str) -> dict:
    return {"timeout": 30} if url.startswith("sqlite") else {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Yield a session committed at the end, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def private_schema(url: str, prefix: str) -> Iterator[str]:
    """Yield the URL of a new, migrated PostgreSQL schema of `url`, dropped afterwards.

    Tests and benchmarks share one server with other runs: each works in its own schema.
    """
    from dla.settings import normalise_database_url

    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    base = normalise_database_url(url)
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    scoped = f"{base}{separator}options=-csearch_path%3D{schema}"
    try:
        engine = make_engine(scoped)
        upgrade(engine)
        engine.dispose()
        yield scoped
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


CHUNK = 500  # rows per INSERT: well under SQLite's limit of bound variables


def insert_ignore(
    session: Session, model, rows: list[dict], unique: list[str], returning: str | None = None
) -> list:
    """INSERT … ON CONFLICT DO NOTHING in chunks; return the `returning` column of new rows."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    table = model.__table__
    # One order for everyone: two transactions inserting overlapping keys (a sweep's planning,
    # a stage opening on another worker) then wait for each other in turn, never in a cycle.
    rows = sorted(rows, key=lambda row: tuple(str(row[c]) for c in unique))
    # One statement, many parameter sets: compiled once and cached (a multi-row VALUES would
    # be a new statement for every batch size), sent in batches by SQLAlchemy.
    stmt = insert(table).on_conflict_do_nothing(index_elements=unique)
    if returning:
        stmt = stmt.returning(table.c[returning])
    connection = session.connection()
    created = []
    for start in range(0, len(rows), CHUNK):
        result = connection.execute(stmt, rows[start : start + CHUNK])
        if returning:
            created += result.scalars().all()
    return created


def insert_rows(session: Session, model, rows: list[dict], *, returning: bool = False) -> list:
    """Insert rows in one statement (no ORM object per row); return their ids, in order.

    Without `returning`, one plain executemany: SQLite then inserts many rows per call, where
    an INSERT … RETURNING in parameter order goes row by row.
    """
    if not rows:
        return []
    table = model.__table__
    stmt = insert(table)
    if returning:
        stmt = stmt.returning(table.c.id, sort_by_parameter_order=True)
    result = session.connection().execute(stmt, uniform(table, rows))
    return list(result.scalars()) if returning else []


def ids_by(session: Session, model, name: str, values: list) -> dict:
    """Return the ids of the rows whose column `name` holds one of `values`, by value."""
    table, out = model.__table__, {}
    for start in range(0, len(values), 500):
        query = select(table.c[name], table.c.id).where(
            table.c[name].in_(values[start : start + 500])
        )
        out |= dict(session.connection().execute(query).all())
    return out


def keyed_ids(session: Session, model, case_ids: list[int]) -> dict[tuple[int, str], int]:
    """Return the ids of the cases' rows of `model` (a stage, a step), by (case id, key)."""
    table, out = model.__table__, {}
    for start in range(0, len(case_ids), 500):
        query = select(table.c.case_id, table.c.key, table.c.id).where(
            table.c.case_id.in_(case_ids[start : start + 500])
        )
        out |= {(case, key): id_ for case, key, id_ in session.connection().execute(query)}
    return out


def uniform(table, rows: list[dict]) -> list[dict]:
    """Give every row the same keys (one executemany), a missing one its column default."""
    keys = {key for row in rows for key in row}
    if all(len(row) == len(keys) for row in rows):
        return rows
    defaults = {
        c.name: c.default.arg if c.default is not None and c.default.is_scalar else None
        for c in table.columns
        if c.name in keys
    }
    return [defaults | row for row in rows]
