"""A compaction killed at every write boundary (tests/crash_harness.py):
no change is lost, and another device that had read part of the old file
(and reads again mid-compaction or after) ends up with the same queue."""

from __future__ import annotations

import json
from pathlib import Path

from crash_harness import every_boundary, run_child
from test_sync_folder_crashes import BIB, MOVED, _act, _cli

# A (inside B's home) reads a paper; its save exports and, with a threshold of one byte, compacts.
SCRIPT = MOVED + """
from dataclasses import replace
from paperqueue.core.history import History, repair
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer
key = 'arxiv:1512.03385'
store = Store.open(here / "a")
history = History(store.home)
repair(store, history)
store.load_rest()
writer = Writer(store, history)
before = store.state(key)
after = replace(before, read=True, read_at="2026-02-02T00:00:00Z")
writer.record("read", [[key, before.to_record(), after.to_record()]])
store.set_state(key, after)
writer.save()
store.close()
print("saved", flush=True)
"""
ENV = {"PAPERQUEUE_SYNC_COMPACT_AT": "1"}


def _rows(home: Path) -> dict:
    return {r["key"]: (r["starred"], r["read"]) for r in json.loads(_cli(home, "list", "--format", "json"))}


def test_a_compaction_killed_at_every_boundary_loses_nothing_and_readers_converge(tmp_path):
    home = tmp_path / "home"  # B's store, with A's store and the shared folder inside
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")

    def prepare(start: Path) -> None:
        start.mkdir(parents=True)
        for store in (start, start / "a"):
            store.mkdir(exist_ok=True)
            _cli(store, "import", str(bib))
            _cli(store, "sync", "init", "folder", str(start / "shared"))
        _act(start / "a", "arxiv:1706.03762", "starred")
        _cli(start / "a", "sync")
        # The paper lines A just sent put its next compaction off (until field changes pass them):
        # forget that, so that the script's one change compacts.
        settings = json.loads((start / "a" / "sync.json").read_text())
        settings.pop("compacted", None)
        (start / "a" / "sync.json").write_text(json.dumps(settings))
        _cli(start, "sync")  # B holds a position in A's first file

    labels = []
    for stop in every_boundary(home, SCRIPT, prepare, tmp_path / "work", env=ENV):
        labels.append(stop.label)
        assert run_child(home, MOVED).returncode == 0
        device = json.loads((home / "a" / "sync.json").read_text())["device"]
        own = home / "shared" / device
        # B reads what the killed compaction left, then A (compacting again) and B sync.
        _cli(home, "sync")
        done = run_child(home / "a", "from paperqueue.cli import main; raise SystemExit(main(['sync']))", env=ENV)
        assert done.returncode == 0, done.stderr
        _cli(home, "sync")
        rows_a, rows_b = _rows(home / "a"), _rows(home)
        assert rows_b["arxiv:1706.03762"][0], stop.label  # A's earlier star survives every stop
        if "saved" in stop.out:
            assert rows_a["arxiv:1512.03385"][1] and rows_b["arxiv:1512.03385"][1], stop.label
        assert rows_a == rows_b, stop.label
        names = sorted(p.name for p in own.iterdir())
        assert not any(name.startswith(".") for name in names), (stop.label, names)
    assert any("compact" in label for label in labels), labels
