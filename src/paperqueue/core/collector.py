"""Pausing Python's cyclic garbage collector while many objects are made
that all stay (a store's papers read, sync changes decoded, states applied):
none of them holds a cycle, and the collector's full passes over a queue of
100,000 papers cost more than the work itself (measured in
``benchmarks/sync_bench.py``: three full passes, about 0.2 s, while a store
of 100,000 papers opens)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside (nesting is fine: the outermost restores)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


__all__ = ["paused"]
