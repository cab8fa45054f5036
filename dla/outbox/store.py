"""Storage helpers of the outbox: portable bulk inserts and JSON payloads with dates."""

import re
from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

CHUNK = 500  # rows per INSERT: well under SQLite's limit of bound variables
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def to_json(value):
    """Make a payload JSON-ready: dates become ISO strings (revived by `from_json`)."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def from_json(value):
    """Turn the ISO days of a stored payload back into dates (templates format them)."""
    if isinstance(value, dict):
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, str) and _DAY.match(value):
        return date.fromisoformat(value)
    return value
