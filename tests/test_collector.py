"""The collector's pause (core/collector.py): what is made during it goes
to the oldest generation, unless objects were frozen on purpose (the app's
loaded queue), which then stay frozen."""

from __future__ import annotations

import gc

from paperqueue.core import collector


def test_a_pause_after_a_freeze_on_purpose_leaves_the_frozen_objects_frozen() -> None:
    kept = [{"paper": n} for n in range(1000)]
    collector.freeze()
    frozen = gc.get_freeze_count()
    assert frozen >= len(kept)
    with collector.paused():
        made = [{"change": n} for n in range(1000)]
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # not handed to the oldest generation by a freeze and unfreeze
    assert len(made) == len(kept)
