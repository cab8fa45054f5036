"""Sending: the sweep (claim, re-check, build, deliver, record) against an SMTP server on loopback.

Compared, on the same messages, with a naive baseline (smtplib, one connection per message,
sequential) and with the floor (a bare aiosmtplib blast over as many connections as the
sweep opens, no bookkeeping). The server (aiosmtpd's Sink) runs in its own process so that
it does not share the client's interpreter lock; its CPU seconds during each run are read
from /proc, since no client can finish before the server has handled every message.
"""

import asyncio
import contextlib
import os
import smtplib
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import aiosmtplib
from sqlalchemy import Engine, delete, update
from sqlmodel import col

from benchmarks.measure import Timing, side_by_side
from dla.clock import FixedClock
from dla.mail.config import Security, SmtpConfig
from dla.mail.smtp import SmtpTransport
from dla.outbox.sending import mail_renderer
from dla.outbox.sweep import sweep
from dla.settings import Settings
from models import Notification, TimelineEvent
from models.enums import NotificationStatus

CONCURRENCY = Settings.model_fields["smtp_concurrency"].default  # DLA_SMTP_CONCURRENCY's
BATCH = 200
T = Notification.__table__
SERVERS: dict[int, int] = {}  # port → pid of the aiosmtpd process listening on it


def server_cpu(port: int) -> float | None:
    """Return the CPU seconds (user + system) used so far by the server on `port` (Linux)."""
    try:
        stat = Path(f"/proc/{SERVERS[port]}/stat").read_text()
    except (KeyError, OSError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PortTaken(RuntimeError):
    """The sink's process could not listen on its port (another process holds it)."""


def listens(pid: int, port: int) -> bool:
    """Tell whether process `pid` holds a socket listening on TCP `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()  # local address "IP:PORT" in hex, state 0A: LISTEN
                if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
                    inodes.add(f"socket:[{fields[9]}]")
    fds = Path(f"/proc/{pid}/fd")
    with contextlib.suppress(OSError):
        return any(os.readlink(fd) in inodes for fd in fds.iterdir())
    return False


@contextmanager
def smtp_sink(delay: float | None = None, port: int | None = None) -> Iterator[int]:
    """Run aiosmtpd's Sink handler in a subprocess on `port` (a free one by default); yield it.

    With `delay` (seconds), each reply arrives that much later (benchmarks/latency_sink.py).
    """
    if port is None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    command = [sys.executable, "-m"] + (
        ["benchmarks.latency_sink", "127.0.0.1", str(port), str(delay)]
        if delay is not None
        else ["aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    )
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        # Ready when this server holds the port: a connection alone could reach another
        # process that took the same free port a moment earlier (this one then fails to bind).
        while not listens(server.pid, port):
            if time.monotonic() > deadline or server.poll() is not None:
                raise PortTaken(f"aiosmtpd did not start on 127.0.0.1:{port}")
            time.sleep(0.1)
        SERVERS[port] = server.pid
        yield port
    finally:
        SERVERS.pop(port, None)
        server.terminate()
        server.wait(timeout=10)


class Capture:
    """A transport that remembers the messages it passes on (to replay them to the baselines).

    It keeps what the sweep hands to SMTP (the prepared bytes and envelope), so that the
    baselines send exactly the same bytes and none of them pays for building or serialising.
    """

    def __init__(self, inner):
        self.inner, self.messages = inner, []

    async def deliver(self, batch):
        self.messages += [o.content for o in batch]
        return await self.inner.deliver(batch)


def ours(
    engine: Engine,
    port: int,
    now: datetime,
    count: int,
    transport=None,
    concurrency: int = CONCURRENCY,
):
    """Send `count` due reminders with the product's sweep; return its report."""
    config = SmtpConfig(
        host="127.0.0.1",
        port=port,
        security=Security.none,
        concurrency=concurrency,
        max_attempts=1,
        timeout=30,
    )
    renderer = mail_renderer(Settings(), FixedClock(now))
    limit = min(BATCH, count)
    return sweep(
        engine=engine,
        transport=transport or SmtpTransport(config),
        renderer=renderer,
        clock=FixedClock(now),
        limit=limit,
        max_batches=count // limit,
    )


def naive(messages: list, port: int) -> int:
    """The baseline: smtplib, a new connection for each message, one after the other."""
    for message in messages:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail(message.sender, list(message.recipients), message.data)
    return len(messages)


def floor(messages: list, port: int, concurrency: int = CONCURRENCY) -> int:
    """The floor: aiosmtplib over as many connections, no building, no bookkeeping."""

    async def blast() -> None:
        queue = deque(messages)

        async def worker() -> None:
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
            await client.connect()
            while queue:
                message = queue.popleft()
                await client.sendmail(message.sender, list(message.recipients), message.data)
            await client.quit()

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(messages)))))

    asyncio.run(blast())
    return len(messages)


def reset(engine: Engine, ids: list[int], now: datetime) -> None:
    """Put the sent rows back to due and drop the events the sweep wrote (between runs)."""
    with engine.begin() as conn:
        conn.execute(
            update(T)
            .where(T.c.id.in_(ids))
            .values(
                status=NotificationStatus.planned,
                attempts=T.c.attempts - 1,
                sent_at=None,
                message_id=None,
                claimed_at=None,
                last_error=None,
            )
        )
        conn.execute(delete(TimelineEvent).where(col(TimelineEvent.at) == now))


def run(engine: Engine, now: datetime, *, count: int, runs: int) -> dict:
    """Measure the three side by side on the same `count` messages; return the figures."""
    with smtp_sink() as port:
        capture = Capture(None)
        config = SmtpConfig(
            host="127.0.0.1",
            port=port,
            security=Security.none,
            concurrency=CONCURRENCY,
            max_attempts=1,
        )
        capture.inner = SmtpTransport(config)
        report = ours(engine, port, now, count, capture)
        ids = [v.row.id for v in report.verdicts]
        reset(engine, ids, now)
        messages = capture.messages
        cpu: dict[str, list[float]] = {"ours": [], "naive": [], "floor": []}

        def metered(name, fn):
            """Run `fn`, adding the server's CPU seconds during the run to cpu[name]."""
            before = server_cpu(port)
            fn()
            after = server_cpu(port)
            if before is not None and after is not None:
                cpu[name].append(after - before)

        timings = side_by_side(
            {
                "ours": lambda: metered("ours", lambda: ours(engine, port, now, count)),
                "naive": lambda: metered("naive", lambda: naive(messages, port)),
                "floor": lambda: metered("floor", lambda: floor(messages, port)),
            },
            runs=runs,
            reset=lambda: reset(engine, ids, now),
        )
    return {
        "claimed": len(ids),
        "sent": report.count("sent"),
        "cancelled": report.count("cancelled"),
        "messages": len(messages),
        "timings": timings,
        "server_cpu": {name: Timing(runs) if runs else None for name, runs in cpu.items()},
    }
