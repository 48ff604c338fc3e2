"""What a sync changes here: each paper's state after the fold
(:func:`plan_states`), and the log record's changes with the state
records they hold, made once for the log and the state shards
(:func:`took_records`)."""

from __future__ import annotations

from collections.abc import Iterable

from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.store.fold import resolve
from paperqueue.core.store.state_writes import NO_STATE, Records
from paperqueue.core.sync.aliases import KeyMap
from paperqueue.core.sync.merge import Merged
from paperqueue.core.sync.papers import combined
from paperqueue.core.sync.reading import applied_state

Planned = list[tuple[str, PaperState, PaperState]]  # (key here, state now, state after the sync)


def plan_states(store: Store, merged: Merged, keymap: KeyMap, names: dict[str, list[str]],
                candidates: Iterable[str]) -> tuple[Planned, set[str]]:
    """``(key here, old, new)`` for each candidate key whose state the fold
    changes (in the candidates' order; a paper named by several keys once,
    folded over all of them), and the keys of papers this queue does not
    have (yet)."""
    pending: set[str] = set()
    planned: Planned = []
    papers, states, applied = store.papers, store.states, merged.applied
    if not keymap.keys and not store.aliases and not names:  # one key a paper: the plain loop
        add = planned.append
        for key in candidates:
            if key not in papers:
                pending.add(key)
                continue
            old = states.get(key, NO_STATE)
            new = applied(old, key)
            if new is not old:  # applied gives the state itself back when nothing differs
                add((key, old, new))
        return planned, pending
    done: set[str] = set()
    for key in candidates:
        here = resolve(key, keymap.keys, store.aliases) if key not in papers else key
        if here not in papers:
            pending.add(key)
            continue
        if here in done:
            continue  # two keys of one paper: one combined fold
        done.add(here)
        old = states.get(here, NO_STATE)
        also = names.get(here)
        new = applied(old, here) if also is None else applied_state(old, combined(merged, here, also), here)
        if new != old:
            planned.append((here, old, new))
    return planned, pending


def took_records(planned: Planned) -> tuple[list[list], dict[str, PaperState], Records]:
    """The log record's changes (``[key, old record, new record]``), the new
    states by key, and each new state's record (the one the log holds) for
    the state shards."""
    changes: list[list] = []
    states: dict[str, PaperState] = {}
    records: Records = {}
    blank = NO_STATE.to_record()  # most papers had no state: one record for them all
    for key, old, new in planned:
        record = new.to_record()
        changes.append([key, blank if old is NO_STATE else old.to_record(), record])
        states[key] = new
        records[key] = (new, record)
    return changes, states, records


__all__ = ["Planned", "plan_states", "took_records"]
