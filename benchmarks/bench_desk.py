"""The desk under load: a real server process (uvicorn, as `dla desk`), 20 logged-in sessions.

`accounts` creates an admin, a coordination of the portfolio's first département and the
chargé·e de mission who coordinates most of its cases. `desk_server` starts `dla desk`
(WORKERS processes) on a free loopback port over the portfolio's database; `load` logs the sessions in, then drives
them with an httpx async loop, each cycling through the inbox, a filtered list, a case page
and the calendar until a fixed number of requests has been answered. `page_costs` counts
the SQL statements of one request to each page, in process (a `before_cursor_execute`
listener on the app's engine), for each role.
"""

import asyncio
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import Engine, event, func, select

from benchmarks.loopback import free_port
from dla.clock import FixedClock
from dla.db import transaction
from dla.users import add_user, find_user
from models import Case, Contact, UserRole

PASSWORD = "banc d'essai du bureau"
SESSIONS = 20
THINK = (0.5, 1.5)
PAGES = ("inbox", "filtered list", "case page", "calendar")
ROLES = ("admin", "coordination", "charge_mission")
# `dla desk --workers`: one process per core of this 2-core machine, as a deployment of the
# desk on such a machine runs it (one Python process uses one core: its pages wait in line).
WORKERS = 2


@dataclass
class Accounts:
    """The benchmark's accounts (e-mail per role) and what their pages show."""

    departement: str
    emails: dict[str, str]  # role → e-mail
    references: list[str]  # cases every role may read (the chargé·e's)

    def url(self, page: str, n: int) -> str:
        """Return the address of `page` (the n-th request of a session picks the case)."""
        return {
            "inbox": "/",
            "filtered list": f"/cas?departement={self.departement}&retard=1",
            "case page": f"/cas/{self.references[n % len(self.references)]}",
            "calendar": "/calendrier",
        }[page]


def accounts(engine: Engine, departement: str, today: date) -> Accounts:
    """Create (once) the three accounts; return them with the chargé·e's case references."""
    with transaction(engine) as session:
        email, _ = session.execute(
            select(Contact.email, func.count())
            .join(Case, Case.coordinator_id == Contact.id)
            .where(Case.departement == departement)
            .group_by(Contact.email)
            .order_by(func.count().desc(), Contact.email)
            .limit(1)
        ).one()
        references = list(
            session.scalars(
                select(Case.reference)
                .join(Contact, Case.coordinator_id == Contact.id)
                .where(Contact.email == email)
                .order_by(Case.reference)
                .limit(20)
            )
        )
        emails = {
            "admin": "admin@banc.example.org",
            "coordination": f"coordination@banc-{departement.lower()}.example.org",
            "charge_mission": email.lower(),
        }
        for role, address in emails.items():
            if find_user(address, session=session) is None:
                add_user(
                    session=session,
                    clock=FixedClock.on(today),
                    email=address,
                    name=role,
                    role=UserRole(role),
                    password=PASSWORD,
                    departements=[departement] if role == "coordination" else [],
                )
    return Accounts(departement, emails, references)


def desk_env(url: str, var_dir: Path, today: date) -> dict[str, str]:
    return {
        **os.environ,
        "DLA_DATABASE_URL": url,
        "DLA_VAR_DIR": str(var_dir),
        "DLA_DESK_TODAY": today.isoformat(),
        "DLA_SECRET_KEY": secrets.token_urlsafe(40),
    }


@contextmanager
def desk_server(url: str, var_dir: Path, today: date, workers: int = WORKERS) -> Iterator[str]:
    """Run `dla desk` on a free loopback port; yield its base URL; stop it afterwards."""
    port = free_port()
    dla = Path(sys.executable).with_name("dla")
    command = [str(dla)] if dla.exists() else [sys.executable, "-m", "dla.cli"]
    process = subprocess.Popen(
        [*command, "desk", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=desk_env(url, var_dir, today),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dla desk stopped: {process.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{base}/sante", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("dla desk did not answer within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def login(client: httpx.AsyncClient, email: str) -> None:
    page = await client.get("/connexion")
    token = CSRF.search(page.text).group(1)
    response = await client.post(
        "/connexion", data={"email": email, "password": PASSWORD, "csrf": token, "suite": "/"}
    )
    if response.status_code != 303:
        raise RuntimeError(f"login of {email} refused: {response.status_code}")


@dataclass
class Load:
    """What the load loop measured: seconds per request, per page and per role."""

    seconds: float = 0.0
    times: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)

    def of(self, page: str) -> list[float]:
        return [t for (p, _), ts in self.times.items() if p == page for t in ts]

    def errors(self, page: str) -> int:
        return sum(n for code, n in self.statuses.get(page, {}).items() if code != 200)


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (nearest rank, as load tools report it)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values)


async def _load(
    base: str, who: Accounts, requests: int, sessions: int, think: tuple[float, float]
) -> Load:
    result = Load()
    pause = random.Random(17)
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    clients = [
        httpx.AsyncClient(base_url=base, timeout=120, limits=limits) for _ in range(sessions)
    ]
    roles = [ROLES[i % len(ROLES)] for i in range(sessions)]
    try:
        # Logins one after another (argon2 costs ~0.1 s each), then one untimed cycle each.
        for client, role in zip(clients, roles, strict=True):
            await login(client, who.emails[role])
        await asyncio.gather(
            *(client.get(who.url(p, i)) for i, client in enumerate(clients) for p in PAGES)
        )
        remaining = [requests]

        async def session(index: int, client: httpx.AsyncClient, role: str) -> None:
            n = index  # each session starts its cycle at a different page
            if think[1]:  # and at its own moment, not all in one burst
                await asyncio.sleep(pause.uniform(0, think[1]))
            while remaining[0] > 0:
                remaining[0] -= 1
                page = PAGES[n % len(PAGES)]
                start = time.perf_counter()
                response = await client.get(who.url(page, n // len(PAGES) + index))
                await response.aread()
                elapsed = time.perf_counter() - start
                result.times.setdefault((page, role), []).append(elapsed)
                codes = result.statuses.setdefault(page, {})
                codes[response.status_code] = codes.get(response.status_code, 0) + 1
                n += 1
                if think[1]:
                    await asyncio.sleep(pause.uniform(*think))

        start = time.perf_counter()
        await asyncio.gather(
            *(session(i, c, r) for i, (c, r) in enumerate(zip(clients, roles, strict=True)))
        )
        result.seconds = time.perf_counter() - start
    finally:
        for client in clients:
            await client.aclose()
    return result


def load(
    base: str,
    who: Accounts,
    *,
    requests: int,
    sessions: int = SESSIONS,
    think: tuple[float, float] = THINK,
) -> Load:
    """Log `sessions` sessions in (roles in turn), then answer `requests` page requests.

    Each session waits a random `think` time (seconds) between its requests, as a person
    reading a page does (locust's `between(0.5, 1.5)`); (0, 0) is a closed loop that
    measures the server's capacity instead.
    """
    return asyncio.run(_load(base, who, requests, sessions, think))


def _app(engine: Engine, url: str, var_dir: Path, today: date):
    from dla.settings import Settings
    from web.app import create_app

    settings = Settings(var_dir=var_dir, database_url=url, desk_today=today, secret_key="b" * 40)
    return create_app(settings, engine)


def profile_page(engine, url, who: Accounts, page: str, var_dir, today, profile) -> str:
    """Profile five requests to `page` as the admin, in this thread (`profile(fn) -> text`).

    The app runs on an in-process ASGI transport, its sync endpoints called inline rather
    than in Starlette's thread pool, so that the profiler (which samples this thread only)
    sees the handler's own frames. Starlette binds `run_in_threadpool` into each route when
    the route is built, so the patch goes one level down, on `anyio.to_thread.run_sync`,
    which `run_in_threadpool` looks up on every call.
    """
    import anyio.to_thread

    loop = asyncio.new_event_loop()
    transport = httpx.ASGITransport(app=_app(engine, url, var_dir, today))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    loop.run_until_complete(login(client, who.emails["admin"]))
    loop.run_until_complete(client.get(who.url(page, 0)))
    original = anyio.to_thread.run_sync

    async def inline(func, *args, **_options):
        return func(*args)

    async def five():
        for i in range(5):
            await client.get(who.url(page, i))

    anyio.to_thread.run_sync = inline
    try:
        return profile(lambda: loop.run_until_complete(five()))
    finally:
        anyio.to_thread.run_sync = original
        loop.run_until_complete(client.aclose())
        loop.close()


@contextmanager
def signed_in(engine: Engine, url: str, who: Accounts, role: str, var_dir: Path, today: date):
    """Yield an in-process client of the desk (`create_app` on `engine`), logged in as `role`."""
    from starlette.testclient import TestClient

    with TestClient(_app(engine, url, var_dir, today), follow_redirects=False) as client:
        token = CSRF.search(client.get("/connexion").text).group(1)
        data = {"email": who.emails[role], "password": PASSWORD, "csrf": token, "suite": "/"}
        if client.post("/connexion", data=data).status_code != 303:
            raise RuntimeError(f"login of {who.emails[role]} refused")
        yield client


def page_costs(
    engine: Engine, url: str, who: Accounts, var_dir: Path, today: date, repeat: int = 3
) -> tuple[dict, dict]:
    """Count the SQL statements of one request to each page, per role, and time the page alone.

    Returns ({(page, role): statements}, {(page, role): seconds}): the time is the median of
    `repeat` requests made one at a time in this process, no other load: the page's own cost,
    below which no percentile under load can fall.
    """
    count = [0]

    def counted(*_args, **_kwargs):
        count[0] += 1

    counts: dict[tuple[str, str], int] = {}
    alone: dict[tuple[str, str], float] = {}
    for role in ROLES:
        with signed_in(engine, url, who, role, var_dir, today) as client:
            for page in PAGES:
                target = who.url(page, 0)
                client.get(target)  # warm: template compiled, statements cached
                event.listen(engine, "before_cursor_execute", counted)
                count[0] = 0
                try:
                    response = client.get(target)
                finally:
                    event.remove(engine, "before_cursor_execute", counted)
                if response.status_code != 200:
                    raise RuntimeError(f"{target} as {role}: {response.status_code}")
                counts[page, role] = count[0]
                times = []
                for n in range(repeat):
                    started = time.perf_counter()
                    client.get(who.url(page, n))
                    times.append(time.perf_counter() - started)
                alone[page, role] = median(times)
    return counts, alone
