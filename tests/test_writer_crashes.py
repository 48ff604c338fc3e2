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

PAPERS = 2_100 * int(os.environ.get("PQ_SCALE", "1"))  # three state shards; `make torture` takes more

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
store.set_settings(view="starred", key=keys[5])  # the position, saved with the states
save()
step(writer.undo)
save()
"""


def prepare(home: Path) -> None:
    store = Store.open(home)
    store.add_papers([ParsedPaper(f"Paper {i} on things", "An abstract.", None, ()) for i in range(PAPERS)], source="synthetic")
    store.close()


def logged_states(home: Path) -> dict[str, PaperState]:
    """What the durable log says each paper's state is: its lines replayed
    in order, from scratch, by a model independent of History."""
    import orjson

    path = home / "history.jsonl"
    raw = path.read_bytes() if path.exists() else b""
    if raw and not raw.endswith(b"\n"):
        raw = raw[: raw.rfind(b"\n") + 1]  # a torn last line never counted
    actions: dict[int, list] = {}
    undone: list[int] = []
    states: dict[str, PaperState] = {}
    for line in raw.splitlines():
        record = orjson.loads(line)
        kind = record.get("kind")
        if kind == "do":
            actions[record["seq"]] = record["changes"]
            states.update({k: PaperState.from_record(after) for k, _b, after in record["changes"]})
        elif kind in ("undo", "redo") and record["target"] in actions:
            if kind == "undo":
                if record["target"] in undone:
                    continue  # a repeated line
                undone.append(record["target"])
            else:
                if record["target"] not in undone:
                    continue
                undone.remove(record["target"])
            which = 1 if kind == "undo" else 2
            states.update({c[0]: PaperState.from_record(c[which]) for c in actions[record["target"]]})
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
            assert store.settings in ({}, {"view": "starred", "key": store.ordered_papers()[5].key}), f"{where}: settings half written"
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


RANDOM_SCRIPT = r"""
import random, sys
from paperqueue.core import history as history_module
from paperqueue.core.history import History, repair
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

history_module._COMPACT_LINES = 40
store = Store.open()
history = History(store.home)
repair(store, history)
history.ensure_loaded()
writer = Writer(store, history)
keys = [p.key for p in store.ordered_papers()]
rng = random.Random(int(sys.argv[1]))
print("ready", flush=True)
while True:
    roll = rng.random()
    if roll < 0.2 and history.undo_stack:
        action = writer.undo()
        states = action.states(after=False)
    elif roll < 0.3 and history.redo_stack:
        action = writer.redo()
        states = action.states(after=True)
    else:
        chosen = rng.sample(keys, rng.choice([1, 5, 700]))
        on = rng.random() < 0.6
        states = {k: PaperState(starred=on, read=not on) for k in chosen}
        writer.record("change", [(k, store.state(k).to_record(), s.to_record()) for k, s in states.items()])
    for k, s in states.items():
        store.set_state(k, s)
    if rng.random() < 0.7:
        writer.save()
        print("saved", history.seq, flush=True)
"""


def test_random_kills_of_a_writer_leave_log_and_store_agreeing(tmp_path: Path) -> None:
    import random
    import signal
    import subprocess
    import sys
    import time

    home = tmp_path / "home"
    prepare(home)
    rng = random.Random(11)
    best = 0
    for attempt in range(int(os.environ.get("PQ_KILLS", "30"))):
        child = subprocess.Popen(
            [sys.executable, "-c", RANDOM_SCRIPT, str(attempt)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PAPERQUEUE_HOME": str(home)},
        )
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        saved = [int(line.split()[1]) for line in out.splitlines() if line.startswith("saved")]
        best = max([best, *saved])
        expected = logged_states(home)
        store = Store.open(home)
        history = History(home)
        try:
            repair(store, history)
            history.ensure_loaded()
            assert store.warnings == [], store.warnings
            assert history.seq >= best, f"kill {attempt}: a save reported done is not in the log"
            store.load_rest()
            on_disk = {k: s for k, s in store.states.items() if s != PaperState()}
            assert on_disk == {k: s for k, s in expected.items() if s != PaperState()}, f"kill {attempt}"
        finally:
            store.close()
    assert best > 0, "the writer made progress between kills"
