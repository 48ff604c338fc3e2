"""Pausing Python's cyclic garbage collector while many objects are made
that all stay (a store's papers read, sync changes decoded, states applied):
none of them holds a cycle, and the collector's full passes over a queue of
100,000 papers cost more than the work itself (measured in
``benchmarks/sync_bench.py``: three full passes, about 0.2 s, while a store
of 100,000 papers opens).

When the pause ends, everything made meanwhile would still be in the
collector's youngest generation, and the first allocation after would make
it walk them all (about 0.1 s after a store of 100,000 papers opens). So
the outermost pause hands them to the oldest generation instead, without a
pass (``gc.freeze`` then ``gc.unfreeze``: two list splices), where only the
rare full passes look at them. Unless objects were frozen on purpose
(:func:`freeze`: the app freezes its loaded queue, :mod:`paperqueue.ui.opening`):
that is left as it is, and the young pass happens as before. Whether they
were is a flag here, not ``gc.get_freeze_count()``, which walks every
frozen object: 26 ms with a 100,000-paper queue frozen, at every pause's
end (a sync's chunks, a ranking) in the app."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


_frozen_on_purpose = False


def freeze() -> None:
    """Every object now alive out of the collector's passes for good
    (``gc.freeze``), for objects that stay as long as the process: the
    app's loaded queue."""
    global _frozen_on_purpose
    _frozen_on_purpose = True
    gc.freeze()


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside (nesting is fine: the outermost restores)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if not _frozen_on_purpose:
                gc.freeze()  # every generation into the permanent one, and the young count to 0 ...
                gc.unfreeze()  # ... then all of it into the oldest generation: no pass over them now
            gc.enable()


__all__ = ["freeze", "paused"]
