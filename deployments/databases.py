"""Create (or drop) the PostgreSQL databases of `make up-pg`; creating twice changes nothing.

Usage: `python -m deployments.databases [--supprimer] postgresql://user@host:port/name…`
"""

import sys

import psycopg
from psycopg import sql


def _split(url: str) -> tuple[str, str]:
    """Return (URL of the server's maintenance database, database name) for a database URL."""
    base, _, rest = url.partition("?")[0].rpartition("/")
    if not base.startswith(("postgresql://", "postgres://")) or not rest:
        raise ValueError(f"URL PostgreSQL attendue (postgresql://…/base) : {url!r}")
    return f"{base}/postgres", rest


def ensure(url: str) -> bool:
    """Create the database of `url` if it does not exist; return whether it was created."""
    server, name = _split(url)
    # CREATE DATABASE cannot run inside a transaction: autocommit.
    with psycopg.connect(server, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def drop(url: str) -> None:
    """Drop the database of `url`, closing its remaining connections (tests clean up)."""
    server, name = _split(url)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def main(args: list[str]) -> int:
    remove = "--supprimer" in args
    for url in (a for a in args if a != "--supprimer"):
        try:
            if remove:
                drop(url)
                print(f"{url} : supprimée")
            else:
                print(f"{url} : {'créée' if ensure(url) else 'déjà présente'}")
        except (ValueError, psycopg.Error) as exc:
            print(f"ÉCHEC : {url} : {exc}".strip(), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
