"""What a sync changes here: each paper's state after the fold, with the
log record's changes and the state records they hold, made once for the
log and the state shards (:func:`plan_states`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.store.fold import resolve
from paperqueue.core.store.state_writes import NO_STATE, Records
from paperqueue.core.sync.aliases import KeyMap
from paperqueue.core.sync.merge import Merged
from paperqueue.core.sync.papers import combined
from paperqueue.core.sync.reading import applied_state


@dataclass
class Plan:
    """The states a sync sets, in the candidates' order."""

    changes: list[list] = field(default_factory=list)  # the log record's [key, old record, new record]
    states: dict[str, PaperState] = field(default_factory=dict)  # key here -> its new state
    records: Records = field(default_factory=dict)  # key here -> (new state, its record in ``changes``)
    pending: set[str] = field(default_factory=set)  # keys of papers this queue does not have (yet)

    def add(self, key: str, old: PaperState, new: PaperState, blank: dict) -> None:
        record = new.to_record()
        self.changes.append([key, blank if old is NO_STATE else old.to_record(), record])
        self.states[key] = new
        self.records[key] = (new, record)


def plan_states(store: Store, merged: Merged, keymap: KeyMap, names: dict[str, list[str]],
                candidates: Iterable[str]) -> Plan:
    """Each candidate key whose state the fold changes (a paper named by
    several keys once, folded over all of them), and the keys of papers
    this queue does not have (yet)."""
    plan = Plan()
    pending, changes, states, records = plan.pending, plan.changes, plan.states, plan.records
    papers, now, applied = store.papers, store.states, merged.applied
    blank = NO_STATE.to_record()  # most papers had no state: one record for them all
    if not keymap.keys and not store.aliases and not names:  # one key a paper: the plain loop
        add = changes.append
        for key in candidates:
            if key not in papers:
                pending.add(key)
                continue
            old = now.get(key, NO_STATE)
            new = applied(old, key)
            if new is not old:  # applied gives the state itself back when nothing differs
                record = new.to_record()  # (Plan.add, inlined: 100,000 papers)
                add([key, blank if old is NO_STATE else old.to_record(), record])
                states[key] = new
                records[key] = (new, record)
        return plan
    done: set[str] = set()
    for key in candidates:
        here = resolve(key, keymap.keys, store.aliases) if key not in papers else key
        if here not in papers:
            pending.add(key)
            continue
        if here in done:
            continue  # two keys of one paper: one combined fold
        done.add(here)
        old = now.get(here, NO_STATE)
        also = names.get(here)
        new = applied(old, here) if also is None else applied_state(old, combined(merged, here, also), here)
        if new != old:
            plan.add(here, old, new, blank)
    return plan


__all__ = ["Plan", "plan_states"]
