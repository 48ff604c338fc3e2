"""The action log on its own: replay, torn lines, compaction, depth."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core import history as history_module
from paperqueue.core.history import DEPTH, History
from paperqueue.core.models import PaperState

ON, OFF = PaperState(starred=True).to_record(), PaperState().to_record()


def star(history: History, n: int) -> None:
    history.record(f"Starred paper {n}", [(f"k{n}", OFF, ON)])


def test_stacks_survive_a_reload(tmp_path: Path) -> None:
    first = History(tmp_path)
    first.load()
    for n in range(3):
        star(first, n)
    assert first.undo().label == "Starred paper 2"
    first.write()
    again = History(tmp_path)
    again.load()
    assert [a.label for a in again.undo_stack] == ["Starred paper 0", "Starred paper 1"]
    assert [a.label for a in again.redo_stack] == ["Starred paper 2"]
    assert again.redo().label == "Starred paper 2"


def test_unsynced_tail_is_returned_for_repair_and_a_torn_line_dropped(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.load()
    star(history, 1)
    history.mark_synced(history.write())
    star(history, 2)
    history.write()
    with (tmp_path / "history.jsonl").open("ab") as handle:
        handle.write(b'{"seq": 9, "kind": "do", "chan')
    again = History(tmp_path)
    assert not again.in_sync()
    unsynced = again.load()
    assert [r["label"] for r in unsynced] == ["Starred paper 2"]
    assert again.effect(unsynced[0]) == {"k2": PaperState(starred=True)}
    assert (tmp_path / "history.jsonl").read_bytes().endswith(b"\n"), "the torn line is gone"


def test_compaction_keeps_the_undo_depth(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(history_module, "_COMPACT_LINES", 3 * DEPTH)
    history = History(tmp_path)
    history.load()
    for n in range(DEPTH + 600):
        star(history, n)
        if n % 100 == 0:
            history.mark_synced(history.write())
    history.mark_synced(history.write())
    for _ in range(5):
        history.undo()
    history.mark_synced(history.write())
    history.compact()
    lines = (tmp_path / "history.jsonl").read_bytes().count(b"\n")
    assert lines < DEPTH + 50
    again = History(tmp_path)
    assert again.load() == []
    assert len(again.undo_stack) == DEPTH and len(again.redo_stack) == 5, "1,000 levels kept"
    assert again.undo_stack[-1].label == f"Starred paper {DEPTH + 600 - 6}"
    assert again.redo().label == f"Starred paper {DEPTH + 600 - 5}"
