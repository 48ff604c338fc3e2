"""Kill the writer at every write boundary (issue 9, "Proof"): a child
process stars, unstars, undoes, redoes and tags papers through the one
writer, with the log compacted along the way, and is SIGKILLed right before
and right after each write, fsync, rename and truncate in turn
(:mod:`tests.crash_harness`). After each stop, the next start must find:
the store opens with no warning, its states are exactly what the durable
log says, every save the child reported is there, and undo still works."""

from __future__ import annotations

import os
from pathlib import Path

from crash_harness import every_boundary

from paperqueue.core.history import History, repair
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

PAPERS = 2_100  # three state shards

SCRIPT = r"""
from dataclasses import replace
from paperqueue.core import history as history_module
from paperqueue.core.history import History, repair
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

history_module._COMPACT_LINES = 9  # compact along the way
store = Store.open()
history = History(store.home)
repair(store, history)
history.ensure_loaded()
writer = Writer(store, history)
keys = [p.key for p in store.ordered_papers()]

def act(label, new):
    changes = [(k, store.state(k).to_record(), s.to_record()) for k, s in new.items()]
    writer.record(label, changes)
    for k, s in new.items():
        store.set_state(k, s)

def step(move):
    action = move()
    for k, s in action.states(after=move == writer.redo).items():
        store.set_state(k, s)

def save():
    writer.save()
    print("saved", history.seq, flush=True)

act("Starred many", {k: PaperState(starred=True) for k in keys[::3]})
save()
act("Unstarred some", {k: PaperState() for k in keys[::9]})
act("Tagged one", {keys[1]: PaperState(tags=("x",), note="a note")})
save()
step(writer.undo)
save()
step(writer.undo)
step(writer.redo)
save()
act("Read all", {k: replace(store.state(k), read=True) for k in keys})
save()
step(writer.undo)
save()
"""


def prepare(home: Path) -> None:
    store = Store.open(home)
    store.add_papers([ParsedPaper(f"Paper {i} on things", "An abstract.", None, ()) for i in range(PAPERS)], source="synthetic")
    store.close()


def logged_states(home: Path) -> dict[str, PaperState]:
    """What the durable log says each paper's state is, replayed from scratch."""
    history = History(home)
    history.load()
    states: dict[str, PaperState] = {}
    raw = (home / "history.jsonl").read_bytes() if (home / "history.jsonl").exists() else b""
    import orjson

    for line in raw.splitlines():
        record = orjson.loads(line)
        if record.get("kind") in ("do", "undo", "redo"):
            states.update(history.effect(record))
    return states


def test_killed_at_every_write_boundary_the_log_and_the_store_agree(tmp_path: Path) -> None:
    home = tmp_path / "home"
    every = int(os.environ.get("PQ_EVERY", "1"))
    stops = 0
    for stop in every_boundary(home, SCRIPT, prepare, tmp_path / "work", every=every):
        stops += 1
        saved = [int(line.split()[1]) for line in stop.out.splitlines() if line.startswith("saved")]
        expected = logged_states(home)
        store = Store.open(home)
        history = History(home)
        try:
            repair(store, history)
            history.ensure_loaded()
            assert store.warnings == [], (stop.label, store.warnings)
            store.load_rest()
            where = f"stop {stop.number} ({stop.label})"
            assert history.seq >= max(saved, default=0), f"{where}: a save reported done is not in the log"
            on_disk = {k: s for k, s in store.states.items() if s != PaperState()}
            assert on_disk == {k: s for k, s in expected.items() if s != PaperState()}, f"{where}: store and log disagree"
            # Undo still works from here, and lands.
            writer = Writer(store, history)
            action = writer.undo()
            if action is not None:
                writer.save()
                want = action.states(after=False)
        finally:
            store.close()
        if action is not None:
            again = Store.open(home)
            try:
                again.load_rest()
                assert {k: again.state(k) for k in want} == want, f"{where}: undo did not land"
            finally:
                again.close()
    assert stops > 20, "the harness stopped at the boundaries"
