"""Databases built once per session and copied into each later test's empty database.

A sample replayed along its real dates takes seconds; many tests start from the same replay.
The first test builds it in its own database and keeps a copy; the next ones get the copy:
SQLite through its backup API (page for page), PostgreSQL through `COPY` of every table to
memory and back (sequences moved on). Only for tests that start from an empty database.
"""

import sqlite3
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from models import Case


@dataclass
class Snapshots:
    """Copies of built databases, by backend and key, with what their build returned."""

    folder: Path
    kept: dict[tuple[str, Hashable], tuple[Any, Any]] = field(default_factory=dict)

    def build_or_copy(self, engine: Engine, key: Hashable, build: Callable[[], Any]) -> Any:
        """Fill the empty database of `engine` by `build()` the first time, by a copy after."""
        with engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(Case)).scalar_one():
                raise AssertionError("une copie ne remplit qu'une base vide")
        backend = engine.dialect.name
        if (backend, key) in self.kept:
            where, result = self.kept[(backend, key)]
            (_restore_sqlite if backend == "sqlite" else _restore_postgresql)(engine, where)
            return result
        result = build()
        where = (_keep_sqlite if backend == "sqlite" else _keep_postgresql)(engine, self.folder)
        self.kept[(backend, key)] = (where, result)
        return result


def _keep_sqlite(engine: Engine, folder: Path) -> str:
    path = folder / f"{uuid.uuid4().hex}.db"
    raw = engine.raw_connection()
    try:
        with sqlite3.connect(path) as copy:
            raw.driver_connection.backup(copy)
    finally:
        raw.close()
    return str(path)


def _restore_sqlite(engine: Engine, path: str) -> None:
    raw = engine.raw_connection()
    try:
        with sqlite3.connect(path) as kept:
            kept.backup(raw.driver_connection)
    finally:
        raw.close()
    engine.dispose()  # pooled connections start afresh on the copied pages


def _columns(table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.c)  # by name: the order on disk may differ


def _keep_postgresql(engine: Engine, _folder: Path) -> dict[str, bytes]:
    raw = engine.raw_connection()
    try:
        kept = {}
        with raw.driver_connection.cursor() as cursor:
            for table in SQLModel.metadata.sorted_tables:
                with cursor.copy(f'COPY "{table.name}" ({_columns(table)}) TO STDOUT') as copy:
                    kept[table.name] = b"".join(bytes(block) for block in copy)
        raw.driver_connection.rollback()
    finally:
        raw.close()
    return kept


def _restore_postgresql(engine: Engine, kept: dict[str, bytes]) -> None:
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            for table in SQLModel.metadata.sorted_tables:
                with cursor.copy(f'COPY "{table.name}" ({_columns(table)}) FROM STDIN') as copy:
                    copy.write(kept[table.name])
                if "id" in table.c:  # the next row gets the next id, as after the build
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'COALESCE(MAX(id), 0) + 1, false) FROM "{table.name}"'
                    )
        raw.driver_connection.commit()
    finally:
        raw.close()
