"""Loopback servers of the round-two benchmarks: ports of their own, and an SMTP sink."""

import socket

from benchmarks import bench_send

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


def smtp_sink(port: int | None = None):
    """Run aiosmtpd's Sink on `port`, by default the first free one of PORTS; yield the port."""
    return bench_send.smtp_sink(port=port or free_port())
