"""Bulk writes for the generator: the DB-API directly (executemany on SQLite, COPY on PostgreSQL).

SQLAlchemy's per-row type processing cost more than the inserts themselves at a million rows;
the values here are converted once per column, the way the column types would store them.
"""

import json
from datetime import UTC, date, datetime
from enum import Enum

from sqlalchemy import JSON, Boolean, Connection, Date, Table
from sqlalchemy import Enum as SAEnum

from models.types import AwareDateTime


def write(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with every column) into `table` on the connection's transaction."""
    if not rows:
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    sqlite = conn.dialect.name == "sqlite"
    convert = [_converter(c.type, sqlite) for c in columns]
    names = [c.name for c in columns]
    values = [tuple(f(r[n]) for f, n in zip(convert, names, strict=True)) for r in rows]
    raw = conn.connection.dbapi_connection
    quoted = ", ".join(f'"{n}"' for n in names)
    if sqlite:
        marks = ", ".join("?" for _ in names)
        raw.cursor().executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', values)
        return
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(row)


def _converter(type_, sqlite: bool):
    if isinstance(type_, AwareDateTime):
        return _sqlite_instant if sqlite else _same
    if isinstance(type_, JSON):
        return _json
    if isinstance(type_, SAEnum):
        return _enum
    if sqlite and isinstance(type_, Date):
        return _day
    if sqlite and isinstance(type_, Boolean):
        return _bool
    return _same


def _same(value):
    return value


def _json(value):
    return None if value is None else json.dumps(value, default=_iso)


def _iso(value):
    return value.isoformat()


def _enum(value):
    return value.value if isinstance(value, Enum) else value


def _day(value: date | None):
    return None if value is None else value.isoformat()


def _bool(value):
    return None if value is None else int(value)


def _sqlite_instant(value: datetime | None):
    # The storage format of SQLAlchemy's SQLite DATETIME, in naive UTC like AwareDateTime.
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
