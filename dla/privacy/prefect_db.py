"""Scrub one person's address from Prefect's own database: runs, artifacts, events, logs.

Prefect's API deletes an artifact by id but can neither search what runs, events and logs hold
nor edit a flow run's parameters or an event, so the scrub is direct SQL on Prefect's database
(SQLite file or PostgreSQL), as for the product's own: the address becomes the pseudonym (and,
in the rows that show the address, the names seen beside it), the history stays. Tables and
columns: prefect/server/database/orm_models.py (Prefect 3.9); every text or JSON column of them
is searched, so a column Prefect adds later is covered too.
"""

from sqlalchemy import JSON, MetaData, String, Text, cast, create_engine, func, or_, select

from dla.privacy.scrub import Erasure

# Where Prefect keeps what runs were given and what they published or logged.
PREFECT_TABLES = (
    "flow_run",
    "flow_run_state",
    "flow_run_input",
    "task_run",
    "task_run_state",
    "artifact",
    "artifact_collection",
    "log",
    "events",
    "event_resources",
)
# Prefect's server needs async drivers; this scrub runs with the product's sync ones.
_SYNC_DRIVERS = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql+psycopg"}


def sync_url(url: str) -> str:
    """Return Prefect's database URL with the synchronous driver of the same database."""
    scheme, sep, rest = url.partition("://")
    return _SYNC_DRIVERS.get(scheme, scheme) + sep + rest


def scrub_prefect(url: str, erasure: Erasure) -> dict[str, int]:
    """Replace the address in every Prefect row that shows it; return rows changed per table."""
    sync = sync_url(url)
    args = {"timeout": 30} if sync.startswith("sqlite") else {}
    engine = create_engine(sync, connect_args=args)
    try:
        meta = MetaData()
        meta.reflect(engine, only=lambda name, _: name in PREFECT_TABLES)
        changed: dict[str, int] = {}
        with engine.begin() as conn:
            for table in meta.sorted_tables:
                columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
                if not columns or "id" not in table.c:
                    continue
                mention = or_(
                    *(
                        func.lower(cast(c, Text)).contains(erasure.email, autoescape=True)
                        for c in columns
                    )
                )
                rows = conn.execute(select(table.c.id, *columns).where(mention)).all()
                for row in rows:
                    values = {
                        c.name: _scrubbed(getattr(row, c.name), erasure)
                        for c in columns
                        if erasure.mentions(getattr(row, c.name))
                    }
                    if values:
                        conn.execute(table.update().where(table.c.id == row.id).values(values))
                if rows:
                    changed[table.name] = len(rows)
        return changed
    finally:
        engine.dispose()


def _scrubbed(value, erasure: Erasure):
    """Return `value` with the address, then the names seen beside it, replaced."""
    if isinstance(value, dict):
        return {k: _scrubbed(v, erasure) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, erasure) for v in value]
    return erasure.document(value) if isinstance(value, str) else value
