"""Undo, redo and crash repair as a person meets them: through
`paperqueue undo` / `redo`, `paperqueue list`, the log screen's timeline and
the bytes of history.jsonl. Each test replays the log in a fresh process
state (a new History and Store), as the app and the CLI do on start."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import ANY

import orjson
import pytest

from paperqueue.cli import main
from paperqueue.core import history as history_module
from paperqueue.core import log_file
from paperqueue.core.history import History, repair
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store

IDS = ["2401.00001", "2401.00002", "2401.00003"]
STAR, READ, NONE = PaperState(starred=True), PaperState(read=True), PaperState()


class Clock:
    """A clock that ticks one second a call, so each log line has its own time."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"2024-05-01T10:00:{self.n:02d}Z"


@pytest.fixture
def queue(pq_home: Path, tmp_path: Path, capsys) -> Path:
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(IDS) + "\n", encoding="utf-8")
    assert main(["import", str(ids)]) == 0
    capsys.readouterr()
    return pq_home


def keys(home: Path) -> list[str]:
    store = Store.open(home)
    try:
        return [p.key for p in store.ordered_papers()]
    finally:
        store.close()


def act(home: Path, label: str, new: dict[str, PaperState], *, crash: bool = False, clock=None) -> None:
    """Change states the way the app does: log first, then store, then a sync
    line. ``crash``: the process dies after the log is durable, before the store."""
    store = Store.open(home)
    history = History(home, clock) if clock else History(home)
    try:
        history.load()
        history.record(label, [(k, store.state(k).to_record(), s.to_record()) for k, s in new.items()])
        seq = history.write()
        if crash:
            return
        for key, state in new.items():
            store.set_state(key, state)
        store.flush()
        history.mark_synced(seq)
    finally:
        store.close()


def states(capsys) -> dict[str, tuple[bool, bool]]:
    """(starred, read) per paper, as `paperqueue list --format json` shows them."""
    assert main(["list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    return {row["key"]: (row["starred"], row["read"]) for row in rows}


def cli(capsys, *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out.strip()


def log_lines(home: Path) -> list[dict]:
    return [orjson.loads(line) for line in (home / "history.jsonl").read_bytes().splitlines()]


def test_undo_and_redo_walk_the_log_across_restarts(queue: Path, capsys) -> None:
    a, b, c = keys(queue)
    act(queue, "Starred 1 paper", {a: STAR})
    act(queue, "Marked 1 paper read", {b: READ})
    assert states(capsys)[a] == (True, False) and states(capsys)[b] == (False, True)
    assert cli(capsys, "undo").startswith('undid: Marked 1 paper read: "arXiv:')
    assert states(capsys)[b] == (False, False)
    assert cli(capsys, "undo").startswith('undid: Starred 1 paper: "arXiv:')
    assert states(capsys)[a] == (False, False)
    # The import itself is the first action: undoing it hides its papers.
    assert cli(capsys, "undo").startswith("undid: Imported ids.txt: ")
    assert states(capsys) == {}
    assert cli(capsys, "undo") == "nothing to undo"
    assert cli(capsys, "redo").startswith("redid: Imported ids.txt: ")
    assert cli(capsys, "redo").startswith('redid: Starred 1 paper: "arXiv:')
    assert states(capsys)[a] == (True, False)
    assert cli(capsys, "redo").startswith('redid: Marked 1 paper read: "arXiv:')
    assert cli(capsys, "redo") == "nothing to redo"
    assert cli(capsys, "undo").startswith('undid: Marked 1 paper read: "arXiv:')
    # A new action after an undo: the undone one can no longer be redone.
    act(queue, "Starred 1 paper", {c: STAR})
    assert cli(capsys, "redo") == "nothing to redo"
    assert cli(capsys, "undo").startswith('undid: Starred 1 paper: "arXiv:')
    assert states(capsys) == {a: (True, False), b: (False, False), c: (False, False)}


def test_a_crash_after_the_log_is_repaired_on_the_next_start(queue: Path, capsys) -> None:
    a, b, _c = keys(queue)
    act(queue, "Starred 1 paper", {a: STAR})
    act(queue, "Marked 1 paper read", {b: READ}, crash=True)
    assert states(capsys)[b] == (False, False), "the store never got the change"
    assert not History(queue).in_sync()
    store = Store.open(queue)
    try:
        assert repair(store, History(queue)) == 1, "only the action after the last sync is applied again"
    finally:
        store.close()
    assert states(capsys) == {a: (True, False), b: (False, True), _c: (False, False)}
    assert log_lines(queue)[-1]["kind"] == "sync"
    assert History(queue).in_sync()


def test_a_crash_after_logging_an_undo_or_redo_is_repaired(queue: Path, capsys) -> None:
    a, _b, _c = keys(queue)
    act(queue, "Starred 1 paper", {a: STAR})
    for kind, starred in (("undo", False), ("redo", True)):
        store = Store.open(queue)
        history = History(queue)
        history.load()
        action = history.undo() if kind == "undo" else history.redo()
        assert action is not None
        history.write()  # then the process dies: the store still has the old state
        store.close()
        assert states(capsys)[a] == (not starred, False)
        store = Store.open(queue)
        try:
            assert repair(store, History(queue)) == 1
        finally:
            store.close()
        assert states(capsys)[a] == (starred, False), kind


def test_repair_of_a_synced_log_changes_nothing_and_does_not_read_it(queue: Path, capsys) -> None:
    a, _b, _c = keys(queue)
    act(queue, "Starred 1 paper", {a: STAR})
    before = (queue / "history.jsonl").read_bytes()
    store = Store.open(queue)
    history = History(queue)
    try:
        assert history.in_sync()
        assert repair(store, history) == 0
        assert not history.loaded, "a clean start leaves the log for later"
    finally:
        store.close()
    assert (queue / "history.jsonl").read_bytes() == before


def test_a_log_ending_in_an_action_is_not_in_sync_however_long_the_line(tmp_path: Path) -> None:
    history = History(tmp_path)
    assert history.in_sync(), "no log yet: nothing to repair"
    history.load()
    history.record("Tagged 1 paper", [("k", NONE.to_record(), PaperState(tags=("x" * 400,)).to_record())])
    history.mark_synced(history.write())
    assert History(tmp_path).in_sync()
    history.record("Starred 1 paper", [("k2", NONE.to_record(), STAR.to_record())])
    history.write()
    assert not History(tmp_path).in_sync()
    # A compacted log holding nothing but its sync line is in sync.
    empty = tmp_path / "empty"
    lone = History(empty)
    lone.load()
    lone.synced = 7
    lone.compact()
    assert (empty / "history.jsonl").read_bytes() == b'{"kind":"sync","seq":7,"end":0}\n'
    assert History(empty).in_sync()


def test_the_timeline_after_a_restart_shows_what_was_done_when(tmp_path: Path) -> None:
    clock = Clock()
    history = History(tmp_path, clock)
    history.load()
    history.record("Starred 1 paper", [("k1", NONE.to_record(), STAR.to_record())])
    history.note("Imported ids.txt: 3 new")
    history.undo()
    history.redo()
    history.record("Marked 1 paper read", [("k2", NONE.to_record(), READ.to_record())])
    history.undo()
    history.mark_synced(history.write())
    again = History(tmp_path)
    again.load()
    expected = [
        ("2024-05-01T10:00:01Z", "Starred 1 paper"),
        ("2024-05-01T10:00:02Z", "Imported ids.txt: 3 new"),
        ("2024-05-01T10:00:03Z", "Undid: Starred 1 paper"),
        ("2024-05-01T10:00:04Z", "Redid: Starred 1 paper"),
        ("2024-05-01T10:00:05Z", "Marked 1 paper read"),
        ("2024-05-01T10:00:06Z", "Undid: Marked 1 paper read"),
    ]
    assert again.timeline == history.timeline == expected
    assert [(a.seq, a.at, a.label) for a in again.undo_stack] == [(1, "2024-05-01T10:00:01Z", "Starred 1 paper")]
    assert [(a.seq, a.label) for a in again.redo_stack] == [(5, "Marked 1 paper read")]
    assert again.undo_stack[0].changes == [("k1", NONE.to_record(), STAR.to_record())]
    # Numbering goes on from the log: the next action is 7, not 1.
    again.record("Starred 1 paper", [])
    again.write()
    assert log_lines(tmp_path)[-1]["seq"] == 7


def test_a_damaged_line_in_the_middle_is_skipped_and_nothing_else_moves(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.load()
    for n in (1, 2, 3):
        history.record(f"Starred paper {n}", [(f"k{n}", NONE.to_record(), STAR.to_record())])
    history.undo()  # targets action 3
    history.record("Starred paper 5", [("k5", NONE.to_record(), STAR.to_record())])
    history.mark_synced(history.write())
    path = tmp_path / "history.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[2] = b'{"seq": 3, "kind": "do", "label": "Starred pa\x00'  # action 3's line, damaged on disk
    lines[2:2] = [b"", b"{}", b"[1, 2]", b"42"]  # a blank line, and JSON that is no record
    path.write_bytes(b"\n".join(lines))
    again = History(tmp_path)
    assert again.load() == []
    # The undo aimed at action 3 must not pop action 2 in its place; what follows still counts.
    assert [a.label for a in again.undo_stack] == ["Starred paper 1", "Starred paper 2", "Starred paper 5"]
    assert again.redo_stack == [] and again.redo() is None


def test_a_repeated_undo_line_undoes_once(tmp_path: Path) -> None:
    """A write whose fsync failed is retried with the same lines: they may be
    on disk twice. Replaying them must not redo what was undone."""
    history = History(tmp_path)
    history.load()
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    history.record("Starred paper 2", [("k2", NONE.to_record(), STAR.to_record())])
    history.undo()
    history.undo()
    history.mark_synced(history.write())
    path = tmp_path / "history.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    undo_of_2 = next(line for line in lines if b'"target":2' in line)
    undo_of_1 = next(line for line in lines if b'"target":1' in line)
    with path.open("ab") as handle:
        handle.write(undo_of_2 + undo_of_1)
    again = History(tmp_path)
    again.load()
    assert again.undo_stack == []
    assert [a.label for a in again.redo_stack] == ["Starred paper 2", "Starred paper 1"]
    assert [t[1] for t in again.timeline][-2:] == ["Undid: Starred paper 2", "Undid: Starred paper 1"]


def test_a_log_of_junk_still_numbers_actions_from_one(tmp_path: Path) -> None:
    (tmp_path / "history.jsonl").write_bytes(b'{}\n{"kind": "note"}\n{"kind": "sync"}\n{"kind": "do"}\n')
    history = History(tmp_path)
    assert history.load() == [], "nothing numbered after the last sync"
    assert history.timeline == [("", "")], "a note missing its time and label shows as nothing"
    assert history.skipped == 2, "an empty record and an action without a number are of the wrong shape"
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    history.mark_synced(history.write())
    assert log_lines(tmp_path)[-2:] == [
        {"seq": 1, "at": history.timeline[-1][0], "kind": "do", "label": "Starred paper 1", "changes": [["k1", NONE.to_record(), STAR.to_record()]]},
        {"kind": "sync", "seq": 1, "end": ANY},
    ]


def test_records_missing_their_time_or_label_show_them_empty(tmp_path: Path) -> None:
    (tmp_path / "history.jsonl").write_bytes(
        b'{"seq":1,"kind":"do","label":"Starred 1 paper","changes":[]}\n'
        b'{"seq":2,"kind":"undo","target":1}\n{"seq":3,"kind":"redo","target":1}\n'
        b'{"seq":4,"kind":"do","at":"t4","changes":[]}\n{"seq":5,"kind":"note","at":"t5"}\n'
    )
    history = History(tmp_path)
    history.load()
    assert history.timeline == [
        ("", "Starred 1 paper"), ("", "Undid: Starred 1 paper"), ("", "Redid: Starred 1 paper"), ("t4", ""), ("t5", ""),
    ]
    assert [(a.at, a.label) for a in history.undo_stack] == [("", "Starred 1 paper"), ("t4", "")]


def test_the_log_on_disk_is_the_documented_format(tmp_path: Path) -> None:
    history = History(tmp_path, Clock())
    history.load()
    change = ("k1", NONE.to_record(), STAR.to_record())
    history.record("Starred 1 paper", [change])
    history.note("Imported ids.txt: 3 new")
    history.undo()
    history.redo()
    history.mark_synced(history.write())
    assert log_lines(tmp_path) == [
        {"seq": 1, "at": "2024-05-01T10:00:01Z", "kind": "do", "label": "Starred 1 paper", "changes": [list(change)]},
        {"seq": 2, "at": "2024-05-01T10:00:02Z", "kind": "note", "label": "Imported ids.txt: 3 new"},
        {"seq": 3, "at": "2024-05-01T10:00:03Z", "kind": "undo", "target": 1},
        {"seq": 4, "at": "2024-05-01T10:00:04Z", "kind": "redo", "target": 1},
        {"kind": "sync", "seq": 4, "end": ANY},
    ]
    # Reopened with nothing new, a flush writes nothing more.
    before = (tmp_path / "history.jsonl").read_bytes()
    again = History(tmp_path)
    again.load()
    again.mark_synced(again.write())
    assert (tmp_path / "history.jsonl").read_bytes() == before


def test_a_new_log_file_is_made_durable_in_its_folder(tmp_path: Path, monkeypatch) -> None:
    synced: list[Path] = []
    from paperqueue.core import atomic

    monkeypatch.setattr(atomic, "fsync_dir", synced.append)
    history = History(tmp_path / "data" / "home")  # folders made as needed
    history.load()
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    history.write()
    assert synced == [tmp_path / "data" / "home"], "a new file's name must survive a power cut"
    history.record("Starred paper 2", [("k2", NONE.to_record(), STAR.to_record())])
    history.write()
    assert synced == [tmp_path / "data" / "home"], "appending to an existing file needs no folder sync"


def test_an_action_recorded_while_a_write_fails_is_kept(tmp_path: Path, monkeypatch) -> None:
    history = History(tmp_path)
    history.load()
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    real_fsync = log_file.os.fsync

    def failing_fsync(fd: int) -> None:
        # Meanwhile the person stars another paper (the UI thread records).
        if len(history.undo_stack) == 1:
            history.record("Starred paper 2", [("k2", NONE.to_record(), STAR.to_record())])
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(log_file.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        history.write()
    monkeypatch.setattr(log_file.os, "fsync", real_fsync)
    (tmp_path / "history.jsonl").write_bytes(b"")  # say the failed lines never reached the disk
    history.write()
    assert [r["label"] for r in log_lines(tmp_path)] == ["Starred paper 1", "Starred paper 2"]


def test_records_logged_before_the_last_sync_are_not_applied_again(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.load()
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    history.write()  # crash: never synced ...
    history.record("Starred paper 2", [("k2", NONE.to_record(), STAR.to_record())])
    history.mark_synced(history.write())  # ... but a later flush covered it
    history.record("Starred paper 3", [("k3", NONE.to_record(), STAR.to_record())])
    history.undo()
    history.write()
    unsynced = History(tmp_path).load()
    assert [(r["kind"], r.get("label"), r.get("target")) for r in unsynced] == [
        ("do", "Starred paper 3", None),
        ("undo", None, 3),
    ]
    assert History(tmp_path).load() == unsynced, "loading does not change the log"


def test_an_old_sync_line_does_not_lower_what_is_synced(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.load()
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    history.mark_synced(history.write())
    before = (tmp_path / "history.jsonl").read_bytes()
    history.mark_synced(1)  # a flush that finished late, for an older seq
    history.mark_synced(0)
    assert (tmp_path / "history.jsonl").read_bytes() == before, "no second sync line"
    with (tmp_path / "history.jsonl").open("ab") as handle:
        handle.write(b'{"kind":"sync","seq":0}\n')
        handle.write(b'{"seq":2,"at":"t","kind":"do","label":"Starred paper 2","changes":[]}\n')
    assert [r["label"] for r in History(tmp_path).load()] == ["Starred paper 2"]


def test_a_failed_write_keeps_the_action_for_the_next_one(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.load()
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    (tmp_path / "history.jsonl").mkdir()  # opening it for append fails
    with pytest.raises(OSError):
        history.write()
    (tmp_path / "history.jsonl").rmdir()
    history.record("Starred paper 2", [("k2", NONE.to_record(), STAR.to_record())])
    assert history.write() == 2
    assert [r["label"] for r in log_lines(tmp_path)] == ["Starred paper 1", "Starred paper 2"]
    assert history.write() == 2, "nothing pending: nothing written"
    assert len(log_lines(tmp_path)) == 2


@pytest.mark.parametrize("limit", ["lines", "bytes"])
def test_the_log_is_compacted_when_it_grows(tmp_path: Path, monkeypatch, limit: str) -> None:
    monkeypatch.setattr(history_module, "DEPTH", 10)
    if limit == "lines":
        monkeypatch.setattr(history_module, "_COMPACT_LINES", 40)
    else:
        monkeypatch.setattr(history_module, "_COMPACT_BYTES", 4000)
    history = History(tmp_path)
    history.load()
    for n in range(100):
        history.record(f"Starred paper {n}", [(f"k{n}", NONE.to_record(), STAR.to_record())])
        history.mark_synced(history.write())
        if limit == "lines":
            assert len(log_lines(tmp_path)) <= 41
        else:
            assert (tmp_path / "history.jsonl").stat().st_size < 4000 + 200
    again = History(tmp_path)
    again.load()
    assert [a.label for a in again.undo_stack][-3:] == ["Starred paper 97", "Starred paper 98", "Starred paper 99"]
    assert 10 <= len(again.undo_stack) <= 40


def test_compaction_waits_for_pending_records(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.load()
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    history.mark_synced(history.write())
    history.record("Starred paper 2", [("k2", NONE.to_record(), STAR.to_record())])
    before = (tmp_path / "history.jsonl").read_bytes()
    history.compact()
    assert (tmp_path / "history.jsonl").read_bytes() == before
    history.write()
    again = History(tmp_path)
    again.load()
    assert [a.label for a in again.undo_stack] == ["Starred paper 1", "Starred paper 2"]


def test_compaction_keeps_the_redo_stack_in_order(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.load()
    for n in (1, 2, 3, 4):
        history.record(f"Starred paper {n}", [(f"k{n}", NONE.to_record(), STAR.to_record())])
    history.undo()
    history.undo()
    history.undo()
    history.mark_synced(history.write())
    history.compact()
    again = History(tmp_path)
    assert again.in_sync()
    assert again.load() == []
    assert [a.label for a in again.undo_stack] == ["Starred paper 1"]
    assert [a.label for a in again.redo_stack] == ["Starred paper 4", "Starred paper 3", "Starred paper 2"]
    assert [again.redo().label for _ in range(3)] == ["Starred paper 2", "Starred paper 3", "Starred paper 4"]
    assert again.undo_stack[-1].states(after=True) == {"k4": STAR}
    assert again.undo_stack[-1].states(after=False) == {"k4": NONE}


def test_compaction_starts_just_past_the_line_limit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(history_module, "DEPTH", 10)
    monkeypatch.setattr(history_module, "_COMPACT_LINES", 40)
    history = History(tmp_path)
    history.load()
    for n in range(20):  # 20 actions and 20 sync lines: at the limit, not past it
        history.record(f"Starred paper {n}", [(f"k{n}", NONE.to_record(), STAR.to_record())])
        history.mark_synced(history.write())
    assert len(log_lines(tmp_path)) == 40
    # Reopened, the log counts its own lines: the next pair goes past the limit.
    again = History(tmp_path)
    again.load()
    again.record("Starred paper 20", [("k20", NONE.to_record(), STAR.to_record())])
    again.mark_synced(again.write())
    assert len(log_lines(tmp_path)) == 11, "the last 10 actions and a sync line"


def test_compaction_starts_just_past_the_size_limit(tmp_path: Path, monkeypatch) -> None:
    def fill(home: Path, n: int) -> int:
        history = History(home, Clock())
        history.load()
        for i in range(n):
            history.record(f"Starred paper {i}", [(f"k{i}", NONE.to_record(), STAR.to_record())])
            history.mark_synced(history.write())
        return (home / "history.jsonl").stat().st_size

    limit = fill(tmp_path / "probe", 6)
    monkeypatch.setattr(history_module, "DEPTH", 2)
    monkeypatch.setattr(history_module, "_COMPACT_BYTES", limit)
    assert fill(tmp_path / "at", 6) == limit, "exactly at the size limit: kept whole"
    fill(tmp_path / "past", 7)
    assert len(log_lines(tmp_path / "past")) == 3


def test_a_compacted_log_reads_back_the_same(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(history_module, "DEPTH", 2)
    history = History(tmp_path, Clock())
    history.load()
    changes = {n: (f"k{n}", NONE.to_record(), STAR.to_record()) for n in (1, 2, 3, 4)}
    for n in (1, 2, 3, 4):
        history.record(f"Starred paper {n}", [changes[n]])
    history.note("Imported ids.txt: 3 new")  # seq 5
    history.undo()  # seq 6, undoes 4
    history.mark_synced(history.write())
    history.compact()
    assert log_lines(tmp_path) == [
        {"seq": 2, "at": "2024-05-01T10:00:02Z", "kind": "do", "label": "Starred paper 2", "changes": [list(changes[2])]},
        {"seq": 3, "at": "2024-05-01T10:00:03Z", "kind": "do", "label": "Starred paper 3", "changes": [list(changes[3])]},
        {"seq": 5, "at": "2024-05-01T10:00:05Z", "kind": "note", "label": "Imported ids.txt: 3 new"},
        {"seq": 4, "at": "2024-05-01T10:00:04Z", "kind": "do", "label": "Starred paper 4", "changes": [list(changes[4])]},
        {"seq": 6, "at": "2024-05-01T10:00:04Z", "kind": "undo", "target": 4},
        {"kind": "sync", "seq": 6, "end": ANY},
    ]
    again = History(tmp_path)
    assert again.in_sync() and again.load() == []
    assert [(a.seq, a.at, a.label, a.changes) for a in again.undo_stack] == [
        (n, f"2024-05-01T10:00:0{n}Z", f"Starred paper {n}", [changes[n]]) for n in (2, 3)
    ]
    assert [(a.seq, a.label, a.changes) for a in again.redo_stack] == [(4, "Starred paper 4", [changes[4]])]
    # Numbering and syncing go on where they were: nothing new, nothing written.
    before = (tmp_path / "history.jsonl").read_bytes()
    again.mark_synced(again.write())
    assert (tmp_path / "history.jsonl").read_bytes() == before
    again.record("Starred paper 7", [])
    again.mark_synced(again.write())
    assert log_lines(tmp_path)[-2]["seq"] == 7
    assert History(tmp_path).in_sync()


def test_compaction_keeps_recent_entries_on_the_log_screen(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(history_module, "DEPTH", 10)
    monkeypatch.setattr(history_module, "_KEPT_NOTES", 5)
    history = History(tmp_path)
    history.load()
    for n in range(40):
        history.note(f"Imported file {n}")
    history.mark_synced(history.write())
    history.compact()
    assert [label for _at, label in history.timeline] == [f"Imported file {n}" for n in range(25, 40)]


def test_repair_of_a_log_with_only_a_torn_line_applies_nothing(queue: Path, capsys) -> None:
    a, _b, _c = keys(queue)
    act(queue, "Starred 1 paper", {a: STAR})
    with (queue / "history.jsonl").open("ab") as handle:
        handle.write(b'{"seq":9,"at":"')
    store = Store.open(queue)
    try:
        assert repair(store, History(queue)) == 0
    finally:
        store.close()
    assert orjson.loads((queue / "history.jsonl").read_bytes().splitlines()[-1])["seq"] == 2
    assert states(capsys)[a] == (True, False)


def test_repair_survives_an_action_line_without_changes(queue: Path, capsys) -> None:
    a, _b, _c = keys(queue)
    act(queue, "Starred 1 paper", {a: STAR})
    with (queue / "history.jsonl").open("ab") as handle:
        handle.write(b'{"seq":3,"at":"t","kind":"do","label":"Marked 1 paper read"}\n')
    store = Store.open(queue)
    try:
        assert repair(store, History(queue)) == 1
    finally:
        store.close()
    assert states(capsys)[a] == (True, False)
    assert History(queue).in_sync()



def test_notes_survive_compaction_and_a_restart(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.load()
    history.note("Imported ids.txt: 3 new")
    history.record("Starred paper 1", [("k1", NONE.to_record(), STAR.to_record())])
    history.mark_synced(history.write())
    history.compact()
    again = History(tmp_path)
    again.load()
    assert "Imported ids.txt: 3 new" in [label for _at, label in again.timeline]



def test_an_action_written_twice_by_a_retried_write_is_undone_once(tmp_path: Path, monkeypatch) -> None:
    history = History(tmp_path)
    history.load()
    history.record("Starred 1 paper", [("k1", NONE.to_record(), STAR.to_record())])
    real_fsync = log_file.os.fsync

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")  # the bytes reached the file, the fsync failed

    monkeypatch.setattr(log_file.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        history.write()
    monkeypatch.setattr(log_file.os, "fsync", real_fsync)
    history.mark_synced(history.write())  # the app retries on the next change
    again = History(tmp_path)
    again.load()
    assert [a.label for a in again.undo_stack] == ["Starred 1 paper"]
    assert [label for _at, label in again.timeline] == ["Starred 1 paper"]
