"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when configured).

Tiers: each test is marked from what it uses (see `pytest_collection_modifyitems`), so that
`make check` can run the fast tier (no Prefect, no child process, no browser, no PDF) in
parallel, while `make test` runs everything.
"""

import functools
import inspect
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from dla.db import make_engine, private_schema, upgrade
from dla.settings import get_settings
from tests import timings  # noqa: F401 — imported first thing: its clock times the whole run
from tests.factories import REPLAY_END, load_and_replay
from tests.prefect_db import copy_migrated
from tests.snapshots import Snapshots

# Desk passwords at argon2's lowest cost: the real one (a third of a second per hash) was most
# of every desk test's set-up. The production defaults are checked in tests/dla/test_users.py.
os.environ["DLA_PASSWORD_TIME_COST"] = "1"
os.environ["DLA_PASSWORD_MEMORY_COST"] = "64"
# The test Prefect servers (harness, runners' children) never call Prefect's telemetry: no test
# reaches outside loopback (an offline machine logged "Failed to send telemetry" otherwise).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Temporary folders (test databases, var/, Prefect's home) on tmpfs when the machine has one:
# SQLite syncs every commit to disk, and on a shared disk those syncs cost more than the tests.
# Child processes inherit it. An explicit TMPDIR wins.
if "TMPDIR" not in os.environ and os.access("/dev/shm", os.W_OK):
    os.environ["TMPDIR"] = "/dev/shm"
    tempfile.tempdir = None  # computed again from TMPDIR

# End-of-run reports (bad inputs, faults, scale-out, timings), gathered from xdist workers too.
pytest_plugins = ["tests.reporting"]

PG_URL = os.environ.get("DLA_TEST_DATABASE_URL")
# The PostgreSQL twins are collected only when a server is configured (no wall of SKIPPED).
BACKENDS = ["sqlite"] + (
    [pytest.param("postgresql", marks=pytest.mark.postgresql)] if PG_URL else []
)

# Marker given to a test by a fixture it uses (directly or through another fixture).
FIXTURE_MARKERS = {
    "database_url": "db",
    "served_database": "db",
    "sqlite_template": "db",
    "prefect_server": "prefect",
    "rendered": "pdf",
    "page": "browser",
    "browser": "browser",
}
# A child process outlives a hung test: these get a hard time limit (pytest-timeout).
SUBPROCESS_TIMEOUT = 900


# What `make check` deselects anyway (`e2e`, `bench`, and `prefect`: every module there imports
# Prefect or the flows): that tier does not even import them, sparing each of its workers the
# two seconds of Prefect's import.
OUTSIDE_FAST_TIER = ("deployments", "benchmarks", "flows", "faults/test_database_down.py")


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """Skip the folders and modules the fast tier deselects anyway (`make check` only)."""
    if os.environ.get("DLA_TEST_TIER") != "check":
        return None
    here = Path(__file__).parent
    return collection_path in {here / name for name in OUTSIDE_FAST_TIER} or None


def _imports_prefect(module) -> bool:
    """Tell whether a test module imports Prefect or the flows (which import Prefect)."""
    for value in vars(module).values():
        name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
        if isinstance(name, str) and name.split(".")[0] in ("prefect", "flows"):
            return True
    return False


def _spawns_processes(module) -> bool:
    """Say whether a test module starts child processes (subprocess, or the faults' helpers)."""
    if any(hasattr(module, name) for name in ("subprocess", "spawn", "Popen")):
        return True
    # `run` of the faults' helpers starts a `dla` command too.
    helper = getattr(module, "run", None)
    return getattr(helper, "__module__", None) == "tests.faults.conftest"


def _worker_group(item) -> str | None:
    """Name the group of tests that must run on one xdist worker (`--dist loadgroup`), if any.

    A module-scoped fixture (a whole stack, a desk process) is built once when its module's
    tests run together. The tests of one Prefect server run one after another, never two at
    once (a `dla validate` resumes whatever run waits for its case): two servers, one for the
    SQLite tests and one for their PostgreSQL twins, each on its own worker. The PDF rendering
    is made once, by the worker that runs all its readers. The fault tests, which kill
    processes at chosen moments, run one after another (those of each database).
    """
    names = set(item.fixturenames)
    params = getattr(getattr(item, "callspec", None), "params", {})
    backend = next((v for v in params.values() if v in ("sqlite", "postgresql")), "sqlite")
    defs = [d[-1] for d in item._fixtureinfo.name2fixturedefs.values() if d[-1].scope == "module"]
    if defs:
        # Its worker starts its own Prefect server if it needs one; a module whose stack is
        # built per database (a parametrized module fixture) gives each database a worker.
        return item.module.__name__ + (f"-{backend}" if any(d.params for d in defs) else "")
    if "prefect_server" in names:
        return f"prefect-{backend}"
    if "rendered" in names:
        return "pdf"
    return f"faults-{backend}" if "faults" in item.path.parts else None


# Measured: each of these takes minutes on one worker (a group, or a module whose tests start a
# whole stack); the rest, seconds per test.
LONGEST = (
    "prefect-sqlite",
    "prefect-postgresql",
    "tests.deployments.test_scale_out",
    "tests.flows.test_case_deployment-postgresql",
    "tests.flows.test_case_deployment-sqlite",
    "tests.deployments.test_browser",
    "tests.benchmarks.test_interactive",
    "tests.web.test_browser_actions",
    "tests.benchmarks.test_cycle",
    "faults-sqlite",
    "faults-postgresql",
    "pdf",
    "tests.web.test_browser",
    "tests.deployments.test_catalog",
)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items) -> None:
    """Mark each test from the fixtures it uses and the processes it starts; group it."""
    groups: dict[str, str | None] = {}
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, marker in FIXTURE_MARKERS.items():
            if fixture in names:
                item.add_marker(marker)
        if _imports_prefect(item.module):
            item.add_marker("prefect")
        if _spawns_processes(item.module):
            item.add_marker("subprocess")
            item.add_marker(pytest.mark.timeout(SUBPROCESS_TIMEOUT))
        if "deployments" in item.path.parts:
            item.add_marker("e2e")
        if "benchmarks" in item.path.parts:
            item.add_marker("bench")
        group = groups[item.nodeid] = _worker_group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    # The longest groups first (minutes each), in the order `make test` hands them to its
    # workers (--no-loadscope-reorder), so that no worker starts one of them last.
    items.sort(key=lambda item: _start_rank(groups[item.nodeid] or item.module.__name__))


def _start_rank(group: str | None) -> int:
    """Say where a group (or a whole-stack module) starts: the longest first, the rest last."""
    return LONGEST.index(group) if group in LONGEST else len(LONGEST)


def pytest_collection_finish(session) -> None:
    """Stop a `--dist loadgroup` worker whose groups xdist lost (pytest-dev/pytest-xdist#1386).

    Without its group, every worker would start its own Prefect server and PDF rendering.
    """
    if not getattr(session.config.option, "loadgroup", False):
        return
    lost = [i.nodeid for i in session.items if i.get_closest_marker("xdist_group")]
    lost = [nodeid for nodeid in lost if "@" not in nodeid]
    if lost:
        raise pytest.UsageError(
            f"pytest-xdist n'a pas gardé les groupes de --dist loadgroup ({len(lost)} tests, "
            f"dont {lost[0]}) : version de pytest non prise en charge (voir pyproject.toml)"
        )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """Migrate one SQLite file per session; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "dla.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory) -> Snapshots:
    """Databases built once per session (replayed samples), copied into later tests' ones."""
    return Snapshots(tmp_path_factory.mktemp("copies"))


@pytest.fixture
def replayed_sample(engine, snapshots) -> Callable[..., str]:
    """Load a sample and replay it up to a day (default: end of 2011) in the empty database.

    The first test of the session to ask for a (sample, day) replays it; the others get a copy.
    """

    def replay(name: str, until: date = REPLAY_END) -> str:
        key = ("replay", name, until)
        return snapshots.build_or_copy(engine, key, lambda: load_and_replay(engine, name, until))

    return replay


@pytest.fixture(scope="session")
def mail_templates():
    """The e-mail templates of templates/mail/, each compiled once for the session."""
    from dla.mail.render import MailRenderer

    return MailRenderer()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Migrate a private schema of the PostgreSQL test database, dropped at the end."""
    if not PG_URL:
        pytest.skip("DLA_TEST_DATABASE_URL non défini : tests PostgreSQL ignorés")
    with private_schema(PG_URL, "dla_test") as url:
        # Commits do not wait for the server's disk (what a commit makes visible is the same):
        # the replays commit thousands of times. Child processes get it with the URL.
        yield f"{url}%20-csynchronous_commit%3Doff"


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One real Prefect engine and server for the whole session (flow and fault tests).

    Prefect's harness puts its server's database in a new `mkdtemp()` folder: it gets one
    holding a migrated copy (tests/prefect_db.py), so the server starts without migrating.
    """
    import prefect.testing.utilities as harness

    folder = Path(tempfile.mkdtemp(prefix="prefect-harness-"))
    copy_migrated(tmp_path_factory, folder / "prefect-test.db")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(harness, "mkdtemp", lambda: str(folder))
        with harness.prefect_test_harness(server_startup_timeout=120):
            yield


@pytest.fixture(scope="session")
def sqlite_url(sqlite_template, tmp_path_factory) -> str:
    """The worker's SQLite test database: a copy of the template, emptied before each test."""
    path = tmp_path_factory.mktemp("shared") / "dla.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=BACKENDS)
def database_url(request) -> str:
    """A migrated, empty database: the worker's SQLite file or PostgreSQL schema, emptied.

    One database per worker, emptied before each test rather than a new one each time: its
    engine (`_shared_engine`) stays warm from test to test.
    """
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    empty(_shared_engine(url))
    return url


def empty(engine: Engine) -> None:
    """Delete every row and start the ids again from 1 (DELETE: a test leaves a few rows)."""
    tables = SQLModel.metadata.sorted_tables
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            # No AUTOINCREMENT table: an emptied table's ids start again from 1 by themselves.
            for statement in deletes:
                conn.exec_driver_sql(statement)
            return
        # One statement string, one round trip (TRUNCATE of every table costs a tenth of a second).
        restarts = [
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), 1, false)"
            for table in tables
            if "id" in table.c
        ]
        conn.exec_driver_sql(";".join(deletes + restarts))


@functools.cache
def _shared_engine(url: str) -> Engine:
    """The worker's one engine on its test database, kept from test to test.

    Its compiled statements and pooled connections stay warm: a new engine per test compiled
    every statement again (a third of a database test's time on the desk's pages).
    """
    return make_engine(url)


@pytest.fixture
def engine(database_url) -> Engine:
    return _shared_engine(database_url)


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def opened(engine, snapshots, tmp_path_factory) -> Engine:
    """The minimal case saved, its diagnostic stage open; return the engine.

    Built by the session's first test that asks, copied for the others: its case file is
    named in the session's own folder, the same for every test.
    """
    from tests.factories import open_case_stage

    folder = tmp_path_factory.getbasetemp() / "opened"
    snapshots.build_or_copy(engine, "opened", lambda: open_case_stage(engine, folder))
    return engine


@pytest.fixture
def dla_env(monkeypatch, database_url, tmp_path) -> str:
    """Point the `dla` settings at the test database and a private var/ folder."""
    monkeypatch.setenv("DLA_DATABASE_URL", database_url)
    monkeypatch.setenv("DLA_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
