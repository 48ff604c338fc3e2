"""One writer, in order (issue 9 items 3 and 4): the log is durable before
the store, the store never gets ahead of the log, sync lines are exact, and
repair replays every logged action the store does not hold, whatever the
last line of the log is. Each test reopens the store and the log the way
the app and the CLI do on start."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import orjson
import pytest

from paperqueue.core import history as history_module
from paperqueue.core import log_file
from paperqueue.core.history import History, repair
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

STAR, NONE = PaperState(starred=True), PaperState()


def make_queue(home: Path, n: int = 20) -> list[str]:
    store = Store.open(home)
    store.add_papers([ParsedPaper(f"Paper {i} on things", "An abstract.", None, ()) for i in range(n)], source="synthetic")
    keys = [p.key for p in store.ordered_papers()]
    store.close()
    return keys


def open_both(home: Path) -> tuple[Store, History, Writer]:
    store = Store.open(home)
    history = History(home)
    repair(store, history)
    history.ensure_loaded()
    return store, history, Writer(store, history)


def starred_on_disk(home: Path) -> set[str]:
    """Stars as the next start sees them, repair included."""
    store, _history, _writer = open_both(home)
    try:
        store.load_rest()
        return {k for k in store.papers if store.state(k).starred}
    finally:
        store.close()


def change(writer: Writer, label: str, new: dict[str, PaperState]):
    store = writer.store
    changes = [(k, store.state(k).to_record(), s.to_record()) for k, s in new.items()]
    action = writer.record(label, changes)
    for key, state in new.items():
        store.set_state(key, state)
    return action


def test_a_change_made_while_the_log_is_written_waits_for_its_own_record(pq_home: Path, monkeypatch) -> None:
    """Star k1; while its record is being written, star k2; crash after the
    save: k2 must not be on disk without its record (it could never be undone)."""
    k1, k2 = make_queue(pq_home)[:2]
    store, history, writer = open_both(pq_home)
    change(writer, "Starred 1 paper", {k1: STAR})
    real_write = history.write

    def write_then_the_person_acts() -> int:
        seq = real_write()
        change(writer, "Starred 1 paper", {k2: STAR})  # the UI thread, meanwhile
        return seq

    monkeypatch.setattr(history, "write", write_then_the_person_acts)
    writer.save()
    store.close()  # the process dies here: k2 was never saved
    assert starred_on_disk(pq_home) == {k1}
    _store, again, _writer = open_both(pq_home)
    assert [a.label for a in again.undo_stack] == ["Starred 1 paper"]
    _store.close()


def test_an_undo_logged_after_an_older_sync_line_is_repaired(pq_home: Path) -> None:
    """The log may end `do 2, undo 3, sync 2` (a crash before the undo reached
    the store): the undo is applied on the next start."""
    keys = make_queue(pq_home)
    store, history, writer = open_both(pq_home)
    change(writer, "Starred 10 papers", {k: STAR for k in keys[:10]})
    writer.save()
    change(writer, "Starred 1 paper", {keys[10]: STAR})
    writer.save()
    store.close()
    path = pq_home / "history.jsonl"
    undo = {"seq": 3, "at": "t", "kind": "undo", "target": 2}
    lines = path.read_bytes().splitlines()
    assert orjson.loads(lines[-1])["kind"] == "sync" and orjson.loads(lines[-1])["seq"] == 2
    # As an interleaving of two savers used to leave it: the undo's record
    # before the sync line of the action it undoes, its own sync never written.
    path.write_bytes(b"\n".join([*lines[:-1], orjson.dumps(undo), lines[-1]]) + b"\n")
    assert starred_on_disk(pq_home) == set(keys[:10])


def test_the_store_never_holds_a_state_whose_record_is_not_durable(pq_home: Path, monkeypatch) -> None:
    """Star all, then unstar all; the log append of the unstar fails: the disk
    keeps the stars (the log says so), and undo still finds the star action."""
    keys = make_queue(pq_home)
    store, history, writer = open_both(pq_home)
    change(writer, "Starred 20 papers", {k: STAR for k in keys})
    writer.save()
    change(writer, "Unstarred 20 papers", {k: NONE for k in keys})

    def no_space(fd: int, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(log_file.os, "write", no_space)
        with pytest.raises(OSError):
            writer.save()
    assert writer.unsaved == 20
    store.close()
    assert starred_on_disk(pq_home) == set(keys)
    _store, again, _writer = open_both(pq_home)
    assert [a.label for a in again.undo_stack] == ["Starred 20 papers"]
    _store.close()


def test_a_failed_append_leaves_no_fragment_and_the_retry_is_whole(pq_home: Path, monkeypatch) -> None:
    """A full disk mid-append: the part that reached the file is cut back, the
    retry after space comes back writes one whole line, and undo works."""
    keys = make_queue(pq_home)
    store, history, writer = open_both(pq_home)
    change(writer, "Starred 20 papers", {k: STAR for k in keys})
    real_write = log_file.os.write

    def half_then_full(fd: int, data) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(log_file.os, "write", half_then_full)
    with pytest.raises(OSError):
        writer.save()
    monkeypatch.setattr(log_file.os, "write", real_write)
    raw = (pq_home / "history.jsonl").read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "no fragment left at the end of the log"
    writer.save()  # space came back; the app retries
    store.close()
    lines = [orjson.loads(line) for line in (pq_home / "history.jsonl").read_bytes().splitlines()]
    assert [line["kind"] for line in lines] == ["do", "sync"]
    store, history, writer = open_both(pq_home)
    assert writer.undo().label == "Starred 20 papers"
    writer.save()
    store.close()
    assert starred_on_disk(pq_home) == set()


def test_a_failed_compaction_is_not_a_failed_save(pq_home: Path, monkeypatch) -> None:
    keys = make_queue(pq_home)
    monkeypatch.setattr(history_module, "_COMPACT_LINES", 2)

    def no_space(path, data, new_mode=None) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(history_module, "atomic_write_bytes", no_space)
    store, history, writer = open_both(pq_home)
    for key in keys[:3]:
        change(writer, "Starred 1 paper", {key: STAR})
        writer.save()  # compaction fails each time; the save does not
    assert writer.unsaved == 0
    store.close()
    assert starred_on_disk(pq_home) == set(keys[:3])


def test_the_background_writer_reports_each_save(pq_home: Path) -> None:
    keys = make_queue(pq_home)
    store, history, writer = open_both(pq_home)
    reports: list[OSError | None] = []
    writer.on_saved = reports.append
    change(writer, "Starred 1 paper", {keys[0]: STAR})
    writer.save_soon()
    writer.wait()
    assert reports == [None] and writer.unsaved == 0
    writer.close()
    store.close()
    assert starred_on_disk(pq_home) == {keys[0]}


def test_a_sync_line_says_where_it_starts_so_a_clean_start_can_trust_it(pq_home: Path) -> None:
    keys = make_queue(pq_home)
    store, history, writer = open_both(pq_home)
    for key in keys[:3]:
        change(writer, "Starred 1 paper", {key: STAR})
        writer.save()
    store.close()
    raw = (pq_home / "history.jsonl").read_bytes()
    for line in raw.splitlines(keepends=True):
        record = orjson.loads(line)
        if record["kind"] == "sync":
            assert record["end"] == raw.index(line)
    assert History(pq_home).in_sync()
    # A record appended after the sync line's records, before it: not in sync.
    lines = raw.splitlines(keepends=True)
    moved = b"".join([*lines[:-1], b'{"seq":9,"at":"t","kind":"do","label":"x","changes":[]}\n', lines[-1]])
    (pq_home / "history.jsonl").write_bytes(moved)
    assert not History(pq_home).in_sync()


def test_a_log_planted_as_a_link_or_a_fifo_is_never_written_through_nor_hangs(pq_home: Path, tmp_path: Path) -> None:
    import os

    keys = make_queue(pq_home)
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me\n")
    (pq_home / "history.jsonl").symlink_to(target)
    store = Store.open(pq_home)
    history = History(pq_home)
    writer = Writer(store, history)
    with pytest.raises(OSError, match="symbolic link"):
        history.ensure_loaded()
    with pytest.raises(OSError, match="symbolic link"):
        writer.record("Starred 1 paper", [(keys[0], NONE.to_record(), STAR.to_record())])
        writer.save()
    store.close()
    assert target.read_text() == "keep me\n"
    (pq_home / "history.jsonl").unlink()
    os.mkfifo(pq_home / "history.jsonl")
    with pytest.raises(OSError, match="FIFO|pipe"):
        History(pq_home).load()


def test_an_undo_whose_action_a_later_change_dropped_from_redo_is_still_repaired(pq_home: Path, monkeypatch) -> None:
    """Star k1 (saved); undo it and star k2, both logged but the process dies
    before the store is written: the undo's target is gone from the redo
    stack by the end of the log, yet repair must unstar k1."""
    k1, k2 = make_queue(pq_home)[:2]
    store, history, writer = open_both(pq_home)
    change(writer, "Starred 1 paper", {k1: STAR})
    writer.save()
    writer.undo()
    change(writer, "Starred 1 paper", {k2: STAR})
    history.write()  # the log is durable; the process dies before the store write
    store.close()
    assert starred_on_disk(pq_home) == {k2}


# -- the background writer (the app's saves) ------------------------------------------
# Each wait below has a generous bound that only fails a test that would
# otherwise hang; none asserts how long anything takes.

# Seconds: a bound for "it hung", never a timing check. Each save here takes
# milliseconds; the bound stays under what a mutation run allows a test
# (about 20 s), so a writer that hangs fails the test instead of timing out.
HANG = 15


def returns(call) -> bool:
    """Whether ``call()`` returns (on another thread) within :data:`HANG`."""
    import threading

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(HANG)
    return not thread.is_alive()


def reporting(home: Path):
    """A writer like the app's: it tells ``reports`` after each background save."""
    import threading

    store, history, _writer = open_both(home)
    reports: list[OSError | None] = []
    reported = threading.Event()

    def on_saved(error: OSError | None) -> None:
        reports.append(error)
        reported.set()

    return store, Writer(store, history, on_saved=on_saved), reports, reported


def test_the_app_is_told_after_its_background_save(pq_home: Path) -> None:
    keys = make_queue(pq_home)
    store, writer, reports, reported = reporting(pq_home)
    change(writer, "Starred 2 papers", {k: STAR for k in keys[:2]})
    writer.save_soon()
    assert reported.wait(HANG), "the background save never happened"
    assert returns(writer.wait)
    assert reports == [None] and writer.unsaved == 0
    writer.close()
    store.close()
    assert starred_on_disk(pq_home) == set(keys[:2])


def test_a_failed_background_save_tells_the_app_why(pq_home: Path, monkeypatch) -> None:
    """A full disk: the app is told the reason and how many changes wait."""
    keys = make_queue(pq_home)
    store, writer, reports, reported = reporting(pq_home)
    change(writer, "Starred 1 paper", {keys[0]: STAR})

    def no_space(fd: int, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(log_file.os, "write", no_space)
        writer.save_soon()
        assert reported.wait(HANG), "the background save never happened"
        assert returns(writer.wait)
    assert len(reports) == 1 and isinstance(reports[0], OSError) and reports[0].errno == errno.ENOSPC
    assert writer.unsaved == 1
    writer.close()
    store.close()
    assert starred_on_disk(pq_home) == set()


def test_waiting_on_a_writer_with_nothing_to_do_returns(pq_home: Path) -> None:
    make_queue(pq_home)
    store, _history, writer = open_both(pq_home)
    assert returns(writer.wait)
    writer.close()
    store.close()


def test_waiting_returns_only_once_the_background_save_is_on_disk(pq_home: Path, monkeypatch) -> None:
    """The save is held in the middle of writing the store; someone waits on
    the writer meanwhile: when the wait returns, the save is complete (the
    log ends in the sync line that says the store holds the star)."""
    import threading

    k1 = make_queue(pq_home)[0]
    store, writer, _reports, reported = reporting(pq_home)
    started, release = threading.Event(), threading.Event()
    real_write_states = store.write_states

    def held_write_states(states) -> None:
        started.set()
        release.wait(HANG)
        real_write_states(states)

    monkeypatch.setattr(store, "write_states", held_write_states)
    change(writer, "Starred 1 paper", {k1: STAR})
    writer.save_soon()
    assert started.wait(HANG), "the background save never started"
    seen: list[bytes] = []
    waited = threading.Event()

    def wait_then_look() -> None:
        writer.wait()
        seen.append((pq_home / "history.jsonl").read_bytes().splitlines()[-1])
        waited.set()

    waiter = threading.Thread(target=wait_then_look, daemon=True)
    waiter.start()
    waited.wait(0.5)  # a wait that returns early shows here; no assertion on time
    release.set()
    waiter.join(HANG)
    assert seen, "the wait never returned"
    assert orjson.loads(seen[0])["kind"] == "sync", "the wait returned before the save was done"
    assert reported.wait(HANG)
    writer.close()
    store.close()
    assert starred_on_disk(pq_home) == {k1}


def test_closing_the_writer_ends_its_thread_and_a_late_request_writes_nothing(pq_home: Path) -> None:
    """The app closes the writer as it unmounts, then the store: the writer's
    thread ends, and a request arriving after that (a late theme change,
    say) does not write behind the closed store's back."""
    import threading

    k1, k2 = make_queue(pq_home)[:2]
    store, writer, _reports, reported = reporting(pq_home)
    before = set(threading.enumerate())
    change(writer, "Starred 1 paper", {k1: STAR})
    writer.save_soon()
    assert reported.wait(HANG)
    started = [t for t in threading.enumerate() if t not in before]
    assert started, "the background save ran on a thread of its own"
    writer.close()
    for thread in started:
        thread.join(HANG)
        assert not thread.is_alive(), "the writer's thread outlived close()"
    log_before = (pq_home / "history.jsonl").read_bytes()
    change(writer, "Starred 1 paper", {k2: STAR})
    writer.save_soon()
    assert returns(writer.wait)
    assert (pq_home / "history.jsonl").read_bytes() == log_before
    store.close()
    assert starred_on_disk(pq_home) == {k1}


def test_an_app_that_dies_without_closing_the_writer_still_exits(pq_home: Path) -> None:
    """If the app never reaches its unmount (so the writer is never closed),
    the process must still end once its main thread does, not hang on the
    writer's thread."""
    import subprocess
    import sys

    import paperqueue

    make_queue(pq_home)
    script = (
        "from paperqueue.core.history import History, repair\n"
        "from paperqueue.core.store import Store\n"
        "from paperqueue.core.models import PaperState\n"
        "from paperqueue.core.writer import Writer\n"
        "store = Store.open()\n"
        "history = History(store.home)\n"
        "repair(store, history)\n"
        "writer = Writer(store, history)\n"
        "key = next(iter(store.papers))\n"
        "writer.record('Starred 1 paper', [(key, PaperState().to_record(), PaperState(starred=True).to_record())])\n"
        "store.set_state(key, PaperState(starred=True))\n"
        "writer.save_soon()\n"
        "writer.wait()\n"
        "print('saved', flush=True)\n"
    )
    # The child imports the same paperqueue as this test (a mutation run's copy included).
    env = {**os.environ, "PYTHONPATH": str(Path(paperqueue.__file__).parents[1])}
    try:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=4 * HANG)  # its start included
    except subprocess.TimeoutExpired:
        pytest.fail("the process never exited: the writer's thread kept it alive")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "saved\n"


def test_what_waits_to_be_saved_counts_every_unsaved_action(pq_home: Path, monkeypatch) -> None:
    """Two actions (3 papers, then 2) on a full disk: the app says 5 changes
    could not be saved; after space is back, all 5 are on disk and none wait."""
    keys = make_queue(pq_home)
    store, _history, writer = open_both(pq_home)
    change(writer, "Starred 3 papers", {k: STAR for k in keys[:3]})
    change(writer, "Starred 2 papers", {k: STAR for k in keys[3:5]})

    def no_space(fd: int, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(log_file.os, "write", no_space)
        with pytest.raises(OSError):
            writer.save()
    assert writer.unsaved == 5
    writer.save()
    assert writer.unsaved == 0
    store.close()
    assert starred_on_disk(pq_home) == set(keys[:5])


def test_a_note_reaches_the_reading_log_after_a_restart(pq_home: Path) -> None:
    """An import's note (not undoable) is in the history the log screen
    shows, also after reopening."""
    make_queue(pq_home)
    store, _history, writer = open_both(pq_home)
    writer.note("Imported papers.bib: 3 new")
    writer.save()
    store.close()
    _store, again, _writer = open_both(pq_home)
    again.ensure_loaded()
    assert [label for _at, label in again.timeline] == ["Imported papers.bib: 3 new"]
    assert again.undo_stack == []
    _store.close()
