"""The databases the benchmarks run on: a SQLite file, or a private PostgreSQL schema."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from dla.db import make_engine, private_schema, upgrade
from dla.settings import normalise_database_url

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def sqlite_database(directory: Path, name: str) -> Iterator[str]:
    """Yield the URL of a migrated, empty SQLite file (removed afterwards)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.db"
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    try:
        yield f"sqlite:///{path}"
    finally:
        path.unlink(missing_ok=True)


def postgres_answers(url: str = PG_URL) -> str | None:
    """Return None when the server answers, else the reason it does not."""
    try:
        engine = make_engine(normalise_database_url(url))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001  (any failure means: skip PostgreSQL)
        return str(exc).splitlines()[0]
    return None


def postgres_database(url: str = PG_URL):
    """Return a context yielding the URL of a migrated private schema, dropped afterwards."""
    return private_schema(url, "dla_bench")


def copy_sqlite(url: str, target: Path) -> str:
    """Copy a SQLite database (its WAL included, through the backup API); return the URL."""
    target.unlink(missing_ok=True)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


def engine_for(url: str) -> Engine:
    return make_engine(url)
