"""Loopback ports for the servers tests start."""

from benchmarks import loopback

# Below Linux's ephemeral range (32768-60999): a port the kernel handed out by bind(0) can be
# handed out again at once as the local end of any outgoing connection (to PostgreSQL, to a
# Prefect API...) before the test's server binds it. A `make up-pg` server lost its port so.
PORTS = range(20000, 32000)


def free_port() -> int:
    """Return a loopback port nothing listens on, picked at random (parallel workers look too)."""
    return loopback.free_port(ports=PORTS)
