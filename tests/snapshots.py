"""Databases built once per session and copied into each later test's empty database.

A sample replayed along its real dates takes seconds; many tests start from the same replay.
The first test builds it in its own database and keeps a copy; the next ones get the copy:
SQLite through its backup API (page for page), PostgreSQL through a schema of the same tables
(`INSERT … SELECT`, sequences moved on). Only for tests that start from an empty database.
"""

import sqlite3
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlmodel import SQLModel

from models import Case


@dataclass
class Snapshots:
    """Copies of built databases, by backend and key, with what their build returned."""

    folder: Path
    kept: dict[tuple[str, Hashable], tuple[str, Any]] = field(default_factory=dict)
    schemas: list[str] = field(default_factory=list)  # PostgreSQL copies, dropped at the end

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
        if backend != "sqlite":
            self.schemas.append(where)
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


def _keep_postgresql(engine: Engine, _folder: Path) -> str:
    schema = f"dla_copie_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        for table in SQLModel.metadata.sorted_tables:
            conn.execute(text(f'CREATE TABLE "{schema}"."{table.name}" AS TABLE "{table.name}"'))
    return schema


def _restore_postgresql(engine: Engine, schema: str) -> None:
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            conn.execute(
                text(f'INSERT INTO "{table.name}" SELECT * FROM "{schema}"."{table.name}"')
            )
            if "id" in table.c:  # the next row gets the next id, as after the build
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'COALESCE(MAX(id), 0) + 1, false) FROM "{table.name}"'
                    )
                )
