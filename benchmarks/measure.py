"""Timing helpers: medians of several runs, and ratios measured side by side."""

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Timing:
    """Seconds of each run, and their median."""

    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Run `fn` once; return (seconds, result)."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def side_by_side(
    subjects: dict[str, Callable[[], object]],
    *,
    runs: int,
    reset: Callable[[], object] | None = None,
) -> dict[str, Timing]:
    """Time each subject `runs` times, interleaved (a, b, a, b…) so that both see the same machine.

    `reset` runs, untimed, after each run (e.g. to put claimed rows back).
    """
    out = {name: Timing([]) for name in subjects}
    for _ in range(runs):
        for name, fn in subjects.items():
            seconds, _ = timed(fn)
            out[name].runs.append(seconds)
            if reset is not None:
                reset()
    return out


def ratio(a: Timing, b: Timing) -> float:
    """Return median(a) / median(b)."""
    return a.median / b.median if b.median else float("inf")
