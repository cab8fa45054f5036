"""Sending against latency: a relay whose every reply takes 20 ms (benchmarks/latency_sink.py).

On the same messages (the bytes the sweep builds), side by side:

- the naive baseline: smtplib, a new connection for each message, one after the other;
- the product's sweep (claim, re-check, build, deliver, record) over N connections;
- the floor: bare aiosmtplib over the same N connections, nothing else; aiosmtplib waits for
  each reply before the next command (it has no PIPELINING), as the product's transport does;
- a pipelined reference over the same N connections (raw asyncio, RFC 2920: each message's
  envelope and DATA sent as one group, behind the previous message's content), what a
  pipelining client could reach against this relay.

The headline runs at the connection count's default (DLA_SMTP_CONCURRENCY); the curve at
1, 4, 8 and 16 connections.
"""

import asyncio
import re
from collections import deque
from datetime import datetime

from sqlalchemy import Engine

from benchmarks import bench_send
from benchmarks.measure import side_by_side

DELAY = 0.020  # seconds per reply: a relay nearby
CURVE = (1, 4, 8, 16)
_DOT = re.compile(rb"^\.", re.MULTILINE)


def pipelined(messages: list, port: int, connections: int) -> int:
    """Send the messages over `connections` connections, pipelining each message's commands."""

    async def reply(reader: asyncio.StreamReader) -> None:
        while True:
            line = await reader.readline()
            if line[:1] not in (b"2", b"3"):
                raise RuntimeError(f"réponse inattendue : {line!r}")
            if line[3:4] != b"-":
                return

    async def worker(queue: deque) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reply(reader)
        writer.write(b"EHLO bench.example.org\r\n")
        await reply(reader)
        content = b""  # the previous message's content, sent ahead of the next group
        waiting = 0  # replies owed for it
        while queue:
            message = queue.popleft()
            group = b"MAIL FROM:<" + message.sender.encode() + b">\r\n"
            group += b"".join(b"RCPT TO:<" + r.encode() + b">\r\n" for r in message.recipients)
            writer.write(content + group + b"DATA\r\n")
            for _ in range(waiting + len(message.recipients) + 2):
                await reply(reader)
            data = message.data if message.data.endswith(b"\r\n") else message.data + b"\r\n"
            content, waiting = _DOT.sub(b"..", data) + b".\r\n", 1
        writer.write(content + b"QUIT\r\n")
        for _ in range(waiting + 1):
            await reply(reader)
        writer.close()
        await writer.wait_closed()

    async def blast() -> None:
        queue = deque(messages)
        await asyncio.gather(*(worker(queue) for _ in range(min(connections, len(messages)))))

    asyncio.run(blast())
    return len(messages)


def run(engine: Engine, now: datetime, *, count: int, runs: int) -> dict:
    """Measure the headline side by side, then the curve; return the figures."""
    default = bench_send.CONCURRENCY
    with bench_send.smtp_sink(delay=DELAY) as port:
        capture = bench_send.Capture(None)
        capture.inner = bench_send.SmtpTransport(
            bench_send.SmtpConfig(
                host="127.0.0.1",
                port=port,
                security=bench_send.Security.none,
                concurrency=default,
                max_attempts=1,
            )
        )
        report = bench_send.ours(engine, port, now, count, capture)
        ids = [v.row.id for v in report.verdicts]

        def reset():
            bench_send.reset(engine, ids, now)

        reset()
        messages = capture.messages

        def subjects(n: int) -> dict:
            return {
                f"sweep {n}": lambda: bench_send.ours(engine, port, now, count, concurrency=n),
                f"floor {n}": lambda: bench_send.floor(messages, port, n),
                f"pipelined {n}": lambda: pipelined(messages, port, n),
            }

        headline = side_by_side(
            {"naive": lambda: bench_send.naive(messages, port), **subjects(default)},
            runs=runs,
            reset=reset,
        )
        curve = {}
        for n in CURVE:
            curve |= headline if n == default else side_by_side(subjects(n), runs=1, reset=reset)
    return {
        "messages": len(messages),
        "sent": report.count("sent"),
        "default": default,
        "headline": headline,
        "curve": curve,
    }
