"""Loopback servers of the round-two benchmarks: ports of their own, and an SMTP sink."""

import random
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from benchmarks import bench_send

PORTS = range(4700, 4800)  # the loopback ports the round-two benchmarks' servers take


def free_port(taken: tuple[int, ...] = (), ports: range = PORTS) -> int:
    """Return a port of `ports` nothing listens on (nor in `taken`), picked at random.

    At random: processes looking at once (parallel tests) would all pick the first free one.
    """
    for port in random.sample(ports, len(ports)):
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


@contextmanager
def smtp_sink(port: int | None = None) -> Iterator[int]:
    """Run aiosmtpd's Sink on `port`, by default a free one of PORTS; yield the port."""
    for _ in range(5):
        with ExitStack() as stack:
            try:
                chosen = stack.enter_context(bench_send.smtp_sink(port=port or free_port()))
            except bench_send.PortTaken:
                if port:
                    raise
                continue  # another process took that free port first: pick again
            yield chosen
            return
    raise RuntimeError(f"no port of {PORTS.start}-{PORTS.stop - 1} stayed free for the sink")
