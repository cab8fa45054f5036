"""Loopback servers of the round-two benchmarks: ports of their own, and an SMTP sink."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

PORTS = range(4700, 4800)  # the loopback ports the round-two benchmarks' servers take


def free_port(taken: tuple[int, ...] = ()) -> int:
    """Return the first port of PORTS nothing listens on (nor in `taken`)."""
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@contextmanager
def smtp_sink(port: int | None = None) -> Iterator[int]:
    """Run aiosmtpd's Sink (it accepts and drops every message) in a subprocess on `port`."""
    port = port or free_port()
    address = f"127.0.0.1:{port}"
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l"]
    server = subprocess.Popen(
        [*command, address], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"aiosmtpd did not start on {address}") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
