"""A migrated Prefect server database, built once per test run and copied for each test server.

A Prefect server started on an empty SQLite file migrates it first: about 5 of its 9 seconds of
CPU at start-up. The run's test servers (the harness of each worker, a `make up` stack, the
restarted server) start from a copy of one migrated file instead; migrating an up-to-date copy
is a no-op. The first worker to need it builds it with Prefect's own command, under a lock.
"""

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent


def copy_migrated(tmp_path_factory, target: Path) -> Path:
    """Write a migrated Prefect database at `target` (built once per run); return it."""
    shared = _shared_folder(tmp_path_factory)
    template = shared / "prefect-migrated.db"
    with open(shared / "prefect-migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            _migrate(template)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target


def _migrate(template: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        building = Path(home) / "prefect.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env |= {
            "PREFECT_HOME": home,
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{building}",
        }
        done = subprocess.run(
            [str(BIN / "prefect"), "server", "database", "upgrade", "-y"],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"migration de la base Prefect impossible :\n{done.stderr}")
        # Copied page for page (what a write-ahead log still held included), then renamed: a
        # worker never sees half a template.
        partial = template.with_suffix(".partial")
        with sqlite3.connect(building) as source, sqlite3.connect(partial) as copy:
            source.backup(copy)
        partial.rename(template)


def _shared_folder(tmp_path_factory) -> Path:
    """The run's folder shared by all its xdist workers (each has its own under it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
