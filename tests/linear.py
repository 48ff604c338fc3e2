"""Checking that work grows linearly with input, without a wall clock.

A test may not assert how long something takes (the machine's speed and
load decide that); it may assert a ratio measured within one run: the same
work on twice the input costs at most 3 times as much (see :func:`limit_for`). A quadratic
algorithm gives about 4x whatever the machine, a linear one about 2x.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable

def limit_for(factor: float) -> float:
    """The most ``factor`` times the input may cost: halfway between linear
    (``factor``) and quadratic (``factor ** 2``): 3x for twice the input, 6x
    for three times (room for a loaded machine's noise either way)."""
    return (factor + factor * factor) / 2
REPEATS = 5  # tries, each keeping the fastest time seen, before giving up

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


def timed(call: Callable[[], object], expected: tuple[type[BaseException], ...] = ()) -> float:
    """Seconds for one call, with the cyclic garbage collector held off (its
    passes over every object made so far land at sizes that differ between
    the two inputs: noise here, not the code's doing)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        try:
            call()
        except expected:
            pass
        return time.perf_counter() - start
    finally:
        gc.enable()


def floor_of(text: str) -> float:
    """The time, in this run, of one linear tokenising pass over *text*: a
    call faster than this is mostly allocator and cache noise, so ratios are
    taken above it (a quadratic pass over 1 MB costs far more)."""
    return timed(lambda: _TOKEN_RE.findall(text))


def assert_linear(
    call: Callable[[object], object],
    small: object,
    large: object,
    label: str,
    *,
    expected: tuple[type[BaseException], ...] = (),
    floor: float = 0.0,
    factor: float = 2.0,
) -> None:
    """``call(large)``, where *large* is ``factor`` times *small*, costs at
    most :func:`limit_for` ``(factor)`` times ``call(small)`` (fastest of up
    to :data:`REPEATS` tries each; ``floor`` is the smallest time a ratio is
    taken over)."""
    limit = limit_for(factor)
    if isinstance(small, str):
        floor = max(floor, floor_of(small))
    best_small = best_large = float("inf")
    for _ in range(REPEATS):
        best_small = min(best_small, timed(lambda: call(small), expected))
        best_large = min(best_large, timed(lambda: call(large), expected))
        if best_large <= limit * max(best_small, floor):
            return
    ratio = best_large / max(best_small, floor)
    raise AssertionError(f"{label}: {factor:g}x the input took {ratio:.1f}x the time (not linear)")
