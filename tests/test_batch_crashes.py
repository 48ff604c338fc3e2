"""A batch delete, its undo and its redo, killed at every write boundary:
after each stop the store opens, holds the batch either deleted or not
(never half a meta.json), and after the repair that every open does, the
store says exactly what the durable log says; undo still works from there."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from crash_harness import every_boundary

from paperqueue.core.history import History, repair
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

PAPERS = 1_100 * int(os.environ.get("PQ_SCALE", "1"))  # two shards

SCRIPT = r"""
from paperqueue.core import organize
from paperqueue.core.history import History, repair
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

store = Store.open()
history = History(store.home)
repair(store, history)
history.ensure_loaded()
writer = Writer(store, history)

def save():
    writer.save()
    print("saved", history.seq, flush=True)

def step(move):
    action = move()
    for k, s in action.states(after=move == writer.redo).items():
        store.set_state(k, s)

organize.carry_out(store, writer, organize.rename_batch(store, "first", "renamed"))
organize.carry_out(store, writer, organize.delete_batch(store, "renamed"))
save()
step(writer.undo)
save()
step(writer.redo)
save()
step(writer.undo)
step(writer.undo)
save()
"""


def prepare(home: Path) -> None:
    store = Store.open(home)
    store.add_papers([ParsedPaper(f"Paper {i} on things", "An abstract.", None, ()) for i in range(PAPERS)],
                     source="first", name="first")
    store.add_papers([ParsedPaper(f"Paper {i} on things", "An abstract.", None, ()) for i in range(0, PAPERS, 2)]
                     + [ParsedPaper("One more paper", "Abstract.", None, ())], source="second", name="second")
    history = History(home)
    writer = Writer(store, history)
    key = next(iter(store.papers))
    store.set_state(key, PaperState(starred=True))
    writer.record("Starred 1 paper", [(key, PaperState().to_record(), PaperState(starred=True).to_record())])
    writer.save()
    store.close()


def logged_batches(home: Path, start: dict[int, dict]) -> dict[int, dict]:
    """The batch infos the durable log leaves, replayed from scratch by a
    model independent of History."""
    raw = (home / "history.jsonl").read_bytes()
    if raw and not raw.endswith(b"\n"):
        raw = raw[: raw.rfind(b"\n") + 1]
    actions: dict[int, list] = {}
    undone: list[int] = []
    done: list[int] = []
    infos = {b: dict(i) for b, i in start.items()}
    for line in raw.splitlines():
        record = orjson.loads(line)
        kind = record.get("kind")
        if kind == "do":
            actions[record["seq"]] = record.get("batches", [])
            done.append(record["seq"])
            undone.clear()
            infos.update({b: after for b, _before, after in actions[record["seq"]]})
        elif kind == "undo" and done and done[-1] == record["target"]:
            undone.append(done.pop())
            infos.update({b: before for b, before, _after in actions[record["target"]]})
        elif kind == "redo" and undone and undone[-1] == record["target"]:
            done.append(undone.pop())
            infos.update({b: after for b, _before, after in actions[record["target"]]})
    return infos


def meta_batches(home: Path) -> dict[int, dict]:
    meta = orjson.loads((home / "meta.json").read_bytes())["meta"]["1"]
    return {int(b): info for b, info in meta["batches"].items()}


def test_batch_delete_undo_redo_killed_at_every_boundary(tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = tmp_path / "work"
    stops = 0
    start: dict[int, dict] | None = None
    for stop in every_boundary(home, SCRIPT, prepare, work, every=int(os.environ.get("PQ_EVERY", "1"))):
        stops += 1
        if start is None:
            start = meta_batches(work / "start")
            first = dict(start[1])
        where = f"stop {stop.number} ({stop.label})"
        raw = meta_batches(home)[1]  # whole, before any repair
        assert raw in (first, {**first, "name": "renamed"}, {**first, "name": "renamed", "deleted": True}), where
        expected = logged_batches(home, start)
        store = Store.open(home)
        history = History(home)
        try:
            repair(store, history)
            history.ensure_loaded()
            store.load_rest()
            assert store.warnings == [], (where, store.warnings)
            assert meta_batches(home) == expected, f"{where}: meta.json and the log disagree"
            assert store.batch_info == expected, f"{where}: memory and the log disagree"
            hidden = store.hidden_keys()
            assert len(hidden) == (PAPERS // 2 if expected[1].get("deleted") else 0), where
            assert store.state(next(iter(store.papers))).starred, where
            writer = Writer(store, history)
            action = writer.undo()
            if action is not None:
                writer.save()
                want = action.batch_infos(after=False)
        finally:
            store.close()
        if action is not None:
            again = Store.open(home)
            try:
                assert {b: again.batch_info[b] for b in want} == want, f"{where}: undo did not land"
            finally:
                again.close()
    assert stops > 10, "the harness stopped at the boundaries"
