"""Helpers for passes over a whole portfolio (planning, loading case files)."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a batch pass (reference counting still frees).

    A pass makes hundreds of thousands of short-lived rows and dicts, none in a cycle; each
    burst of them started a collection that walked every object alive (a third of a national
    planning pass). Whatever cycles a pass leaves are collected once it is over.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
