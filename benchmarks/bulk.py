"""Bulk writes for the generator: the DB-API directly (executemany on SQLite, COPY on PostgreSQL).

SQLAlchemy's per-row type processing cost more than the inserts themselves at a million rows;
the values here are converted once per column, the way the column types would store them.
"""

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from operator import itemgetter

from sqlalchemy import JSON, Boolean, Connection, Date, Table
from sqlalchemy import Enum as SAEnum

from models.types import AwareDateTime


def write(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with every column) into `table` on the connection's transaction."""
    if not rows:
        return
    with no_gc():
        _write(conn, table, rows)


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic rows are made.

    Each burst of new tuples triggered a full collection that walked every row already built.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(conn: Connection, table: Table, rows: list[dict]) -> None:
    columns = [c for c in table.columns if c.name in rows[0]]
    sqlite = conn.dialect.name == "sqlite"
    names = [c.name for c in columns]
    values = _values(rows, names, [_converter(c.type, sqlite) for c in columns])
    raw = conn.connection.dbapi_connection
    quoted = ", ".join(f'"{n}"' for n in names)
    if sqlite:
        marks = ", ".join("?" for _ in names)
        raw.cursor().executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', values)
        return
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(row)


def _values(rows: list[dict], names: list[str], convert: list) -> list[tuple]:
    """Return the rows as tuples, column by column: only the columns that need it converted."""
    if len(names) == 1:
        return [(convert[0](r[names[0]]),) for r in rows]
    tuples = list(map(itemgetter(*names), rows))
    if all(f is _same for f in convert):
        return tuples
    columns = [
        col if f is _same else list(map(f, col))
        for f, col in zip(convert, zip(*tuples, strict=True), strict=True)
    ]
    return list(zip(*columns, strict=True))


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


def _iso(value):
    return value.isoformat()


_ENCODE = json.JSONEncoder(default=_iso).encode  # json.dumps(value, default=_iso), built once


def _json(value):
    return None if value is None else _ENCODE(value)


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
    # isoformat() gives strftime("%Y-%m-%d %H:%M:%S.%f")'s text several times faster.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
