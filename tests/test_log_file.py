"""The bytes of the action log (``history.jsonl``, issue 9 items 3, 4, 7
and 12): which lines undo and redo trust, what a damaged last line means at
the next start, that reading the log never writes it, and that a failed
append (even one whose cut-back fails too) never leaves a fragment. Each
test looks at what undo and redo find, what a reopened store holds, or the
bytes on disk."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import orjson
import pytest

from paperqueue.core import crashpoints, log_file
from paperqueue.core.history import History, repair
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

NONE = PaperState().to_record()
STAR = PaperState(starred=True).to_record()
GOOD = {"seq": 1, "at": "2026-01-01T00:00:00Z", "kind": "do", "label": "Starred 1 paper", "changes": [["k1", NONE, STAR]]}


def write_log(home: Path, *records: dict | bytes) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "history.jsonl"
    path.write_bytes(b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records))
    return path


def undo_finds(home: Path) -> list[str]:
    """What pressing undo again and again finds, newest first."""
    history = History(home)
    history.load()
    found = []
    while (action := history.undo()) is not None:
        found.append(action.label)
    return found


def redo_finds(home: Path) -> list[str]:
    history = History(home)
    history.load()
    found = []
    while (action := history.redo()) is not None:
        found.append(action.label)
    return found


def odd(**fields) -> dict:
    return {"seq": 2, "at": "2026-01-01T00:00:01Z", "kind": "do", "label": "Odd line", "changes": [], **fields}


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(odd(at=5), id="time-a-number"),
        pytest.param(odd(label=7), id="label-a-number"),
        pytest.param(odd(changes="nonsense"), id="changes-a-string"),
        pytest.param(odd(changes=[["k2", "starred", STAR]]), id="before-not-a-record"),
        pytest.param(odd(changes=[["k2", NONE, "starred"]]), id="after-not-a-record"),
        pytest.param(odd(changes=[[5, NONE, STAR]]), id="key-a-number"),
        pytest.param(odd(changes=[["k2", NONE, STAR, STAR]]), id="four-parts"),
        pytest.param(odd(changes=[["k2"]]), id="one-part"),
        pytest.param(odd(changes=["k2"]), id="change-a-string"),
    ],
)
def test_an_action_line_of_the_wrong_shape_is_never_offered_to_undo(pq_home: Path, line: dict) -> None:
    """Valid JSON of the wrong shape (item 7) is skipped like a damaged
    line: undo finds the good action before it, and nothing raises."""
    write_log(pq_home, GOOD, line)
    assert undo_finds(pq_home) == ["Starred 1 paper"]


def test_an_undo_line_without_its_target_is_skipped(pq_home: Path) -> None:
    write_log(pq_home, GOOD, {"seq": 2, "at": "t", "kind": "undo"}, {"seq": 3, "at": "t", "kind": "undo", "target": "1"})
    assert undo_finds(pq_home) == ["Starred 1 paper"]
    assert redo_finds(pq_home) == []


def test_a_redo_line_without_its_target_is_skipped(pq_home: Path) -> None:
    write_log(pq_home, GOOD, {"seq": 2, "at": "t", "kind": "undo", "target": 1}, {"seq": 3, "at": "t", "kind": "redo"})
    assert undo_finds(pq_home) == []
    assert redo_finds(pq_home) == ["Starred 1 paper"]


def test_a_line_written_twice_is_one_action_and_the_lines_after_it_count(pq_home: Path) -> None:
    """An old retried write could repeat a line exactly: undo finds that
    action once, and every action after the repeat is still there."""
    second = {**GOOD, "seq": 2, "label": "Read 1 paper"}
    third = {**GOOD, "seq": 3, "label": "Tagged 1 paper"}
    write_log(pq_home, GOOD, second, second, third, {"kind": "sync", "seq": 3})
    assert undo_finds(pq_home) == ["Tagged 1 paper", "Read 1 paper", "Starred 1 paper"]


def test_reading_the_log_never_writes_it(pq_home: Path) -> None:
    """Opening the history to undo or to show the log leaves the file as it
    was, bytes and modification time (a read-only look must not truncate)."""
    path = write_log(pq_home, GOOD, {"kind": "sync", "seq": 1})
    before = path.read_bytes()
    os.utime(path, ns=(10**18, 10**18))
    assert undo_finds(pq_home) == ["Starred 1 paper"]
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == 10**18
    path.write_bytes(b"")
    os.utime(path, ns=(10**18, 10**18))
    assert undo_finds(pq_home) == []
    assert path.stat().st_mtime_ns == 10**18


def make_queue(home: Path, n: int = 3) -> list[str]:
    store = Store.open(home)
    store.add_papers([ParsedPaper(f"Paper {i} on things", "An abstract.", None, ()) for i in range(n)], source="synthetic")
    keys = [p.key for p in store.ordered_papers()]
    store.close()
    return keys


def starred_after_reopening(home: Path) -> set[str]:
    store = Store.open(home)
    try:
        history = History(home)
        repair(store, history)
        store.load_rest()
        return {k for k in store.papers if store.state(k).starred}
    finally:
        store.close()


def test_a_damaged_last_line_does_not_hide_an_action_the_store_lacks(pq_home: Path) -> None:
    """The log ends in a whole line that is not JSON (a damaged sync line,
    say): the next start must not take the log for in sync; the logged star
    the store never got is applied."""
    k1 = make_queue(pq_home)[0]
    record = {**GOOD, "changes": [[k1, NONE, STAR]]}
    write_log(pq_home, record, b'{"kind":"sync","seq":1,"en')
    assert starred_after_reopening(pq_home) == {k1}


def test_cutting_a_torn_line_never_writes_through_a_link_swapped_in(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    """Between the check that the log is a regular file and the cut of its
    torn last line, someone replaces it with a link (item 12): the link's
    target is not touched."""
    path = write_log(pq_home, GOOD)
    with path.open("ab") as log:
        log.write(b'{"seq":2,"kind":"do","lab')  # torn: never finished
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"keep me\n")
    real_check = log_file.check_regular
    calls = []

    def check_then_swap(where: Path):
        result = real_check(where)
        calls.append(where)
        if len(calls) == 2:  # the cut's own check has passed; now the swap
            os.unlink(where)
            os.symlink(target, where)
        return result

    monkeypatch.setattr(log_file, "check_regular", check_then_swap)
    with pytest.raises(OSError):
        History(pq_home).load()
    assert target.read_bytes() == b"keep me\n"


class Disk:
    """A disk that can be full (``os.write`` on the log fails after half of
    the bytes) and whose truncate can fail once."""

    def __init__(self, monkeypatch) -> None:
        self.full = False
        self.truncate_fails = 0
        self._write = os.write
        self._ftruncate = os.ftruncate
        monkeypatch.setattr(log_file.os, "write", self.write)
        monkeypatch.setattr(log_file.os, "ftruncate", self.ftruncate)

    def write(self, fd: int, data) -> int:
        if self.full:
            self._write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._write(fd, data)

    def ftruncate(self, fd: int, size: int) -> None:
        if self.truncate_fails:
            self.truncate_fails -= 1
            raise OSError(errno.EIO, "Input/output error")
        self._ftruncate(fd, size)


def test_a_fragment_whose_cut_back_failed_is_cut_before_the_next_append(pq_home: Path, monkeypatch) -> None:
    """A full disk mid-append, and cutting the fragment back fails too: the
    next save (space back) first cuts it, so the log holds whole lines and
    undo finds the action."""
    keys = make_queue(pq_home)
    store = Store.open(pq_home)
    writer = Writer(store, History(pq_home))
    disk = Disk(monkeypatch)
    writer.record("Starred 3 papers", [(k, NONE, STAR) for k in keys])
    for k in keys:
        store.set_state(k, PaperState(starred=True))
    disk.full, disk.truncate_fails = True, 1
    with pytest.raises(OSError, match="No space"):
        writer.save()
    disk.full = False
    writer.save()
    store.close()
    lines = (pq_home / "history.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert [orjson.loads(line)["kind"] for line in lines[:-1]] == ["do", "sync"]
    assert undo_finds(pq_home) == ["Starred 3 papers"]
    assert starred_after_reopening(pq_home) == set(keys)


def test_a_disk_full_twice_says_so_each_time_and_the_log_stays_whole(pq_home: Path, monkeypatch) -> None:
    """Full disk, failed cut-back, then still full on the retry: each save
    fails with the disk's reason (the app shows it in one line), and once
    space is back the log holds whole lines."""
    keys = make_queue(pq_home)
    store = Store.open(pq_home)
    writer = Writer(store, History(pq_home))
    disk = Disk(monkeypatch)
    writer.record("Starred 1 paper", [(keys[0], NONE, STAR)])
    store.set_state(keys[0], PaperState(starred=True))
    disk.full, disk.truncate_fails = True, 1
    with pytest.raises(OSError, match="No space"):
        writer.save()
    with pytest.raises(OSError, match="No space"):
        writer.save()
    raw = (pq_home / "history.jsonl").read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "the second failure was cut back"
    disk.full = False
    writer.save()
    store.close()
    assert [orjson.loads(line)["kind"] for line in (pq_home / "history.jsonl").read_bytes().splitlines()] == ["do", "sync"]
    assert starred_after_reopening(pq_home) == {keys[0]}


def test_a_kill_test_names_each_step_of_the_log_it_stops_at(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    """The crash harness reports a failing stop as "stop N (label)": an
    append, its fsync, the cut of a fragment a failed append left, and the
    cut of a torn last line found at start each have their own name."""
    crash_log = tmp_path / "boundaries.log"
    monkeypatch.setattr(crashpoints, "_ACTIVE", True)
    monkeypatch.setattr(crashpoints, "_LOG", str(crash_log))
    monkeypatch.setattr(crashpoints, "_AT", 0)
    pq_home.mkdir(parents=True)
    path = pq_home / "history.jsonl"
    appender = log_file.Appender(path)
    appender.append(lambda _end: orjson.dumps(GOOD) + b"\n", sync=True)
    disk = Disk(monkeypatch)
    disk.full, disk.truncate_fails = True, 1
    with pytest.raises(OSError):
        appender.append(lambda _end: orjson.dumps({**GOOD, "seq": 2}) + b"\n", sync=True)
    disk.full = False
    appender.append(lambda end: orjson.dumps({"kind": "sync", "seq": 1, "end": end}) + b"\n", sync=False)
    with path.open("ab") as log:
        log.write(b'{"seq":3,"kind":"do","lab')  # a torn line for the next start
    History(pq_home).load()
    labels = [line.split(" ", 1)[1] for line in crash_log.read_text(encoding="utf-8").splitlines()]
    labels = [label for label in labels if label.endswith(" history")]  # not the folder's fsync at creation
    assert labels == [
        "append history", "fsync history", "fsynced history",  # the first record
        "append history",  # the append the full disk broke
        "cutting back history",  # its cut-back, which fails too
        "truncate history", "truncated history", "append history",  # the fragment cut, then the sync line
        "truncate history", "truncated history",  # the torn line cut at the next start
    ]
    assert [orjson.loads(line)["kind"] for line in path.read_bytes().splitlines()] == ["do", "sync"]


def test_a_read_only_history_leaves_the_writers_unfinished_line_alone(pq_home: Path) -> None:
    """A second, read-only app reads the log while the writer appends: the
    half-written last line is that append in progress, not damage to cut."""
    path = write_log(pq_home, GOOD, {"kind": "sync", "seq": 1})
    with path.open("ab") as log:
        log.write(b'{"seq": 2, "at": "2026-01-01T00:00:00Z", "kind": "do", "lab')
    before = path.read_bytes()
    history = History(pq_home, read_only=True)
    history.load()
    assert [a.label for a in history.undo_stack] == ["Starred 1 paper"]
    assert path.read_bytes() == before
    History(pq_home).load()  # the writer's own open cuts it
    assert path.read_bytes() == before[: before.rindex(b"\n") + 1]
