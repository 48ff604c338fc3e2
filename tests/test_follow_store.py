"""A read-only reader follows the store another process writes (issue 10
item 21, the core half): it sees a star once the writer saved it, never a
save half done, never an import before its commit, and never a temp file."""

from __future__ import annotations

from pathlib import Path

import orjson

from paperqueue.core.history import History, repair
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.store.follow import Follow, writer_gone
from paperqueue.core.writer import Writer

STAR = PaperState(starred=True, starred_at="2026-03-13T09:00:00Z")


def make_queue(home: Path, n: int = 1500) -> list[str]:
    store = Store.open(home)
    store.add_papers([ParsedPaper(f"Paper {i} on things", "An abstract.", None, ()) for i in range(n)], source="synthetic")
    keys = [p.key for p in store.ordered_papers()]
    store.close()
    return keys


def open_writer(home: Path) -> tuple[Store, Writer]:
    store = Store.open(home)
    history = History(home)
    repair(store, history)
    history.ensure_loaded()
    return store, Writer(store, history)


def star(writer: Writer, *keys: str) -> None:
    store = writer.store
    changes = [(k, store.state(k).to_record(), STAR.to_record()) for k in keys]
    writer.record("Starred", changes)
    for key in keys:
        store.set_state(key, STAR)


def test_a_saved_star_is_seen_and_only_once(pq_home: Path) -> None:
    keys = make_queue(pq_home)
    store, writer = open_writer(pq_home)
    reader = Store.open(pq_home, read_only_if_locked=True)
    follow = Follow(pq_home)
    try:
        assert reader.read_only
        assert follow.look(reader) is None  # nothing moved
        star(writer, keys[0], keys[-1])  # two shards: the newest and the oldest paper
        assert follow.look(reader) is None, "logged, not saved: nothing to show yet"
        writer.save()
        update = follow.look(reader)
        assert update is not None and not update.reopen
        assert update.states == {keys[0]: STAR, keys[-1]: STAR}
        follow.accept(update)
        reader.states.update(update.states)
        assert follow.look(reader) is None
    finally:
        reader.close()
        store.close()


def test_undo_back_to_nothing_is_seen(pq_home: Path) -> None:
    keys = make_queue(pq_home, 10)
    store, writer = open_writer(pq_home)
    star(writer, keys[3])
    writer.save()
    reader = Store.open(pq_home, read_only_if_locked=True)
    follow = Follow(pq_home)
    try:
        assert reader.state(keys[3]).starred
        action = writer.undo()
        for key, state in action.states(after=False).items():
            store.set_state(key, state)
        writer.save()
        update = follow.look(reader)
        assert update is not None and update.states == {keys[3]: PaperState()}
    finally:
        reader.close()
        store.close()


def test_a_save_caught_between_its_log_line_and_its_sync_line_waits(pq_home: Path) -> None:
    keys = make_queue(pq_home, 10)
    store, writer = open_writer(pq_home)
    reader = Store.open(pq_home, read_only_if_locked=True)
    follow = Follow(pq_home)
    try:
        star(writer, keys[2])
        writer.history.write()  # the log line, fsynced; the state not yet written
        assert follow.look(reader) is None
        store.write_states({keys[2]: STAR})  # the state file, but no sync line yet
        assert follow.look(reader) is None, "the files moved since the last look: wait"
        # The writer stopped there (a note at the end of the log, say): once
        # the files hold still, what they hold is shown.
        update = follow.look(reader)
        assert update is not None and update.states == {keys[2]: STAR}
    finally:
        reader.close()
        store.close()


def test_a_temp_file_in_the_state_folder_is_not_read(pq_home: Path) -> None:
    keys = make_queue(pq_home, 10)
    store, writer = open_writer(pq_home)
    reader = Store.open(pq_home, read_only_if_locked=True)
    follow = Follow(pq_home)
    try:
        # A writer killed mid-write leaves half a file under a temp name.
        (pq_home / "state").mkdir(exist_ok=True)
        (pq_home / "state" / ".00000.json.x1y2z3.tmp").write_bytes(b'{"state": {"1": {"key": "' + keys[0].encode())
        update = follow.look(reader)
        assert update is None or not update.states
        star(writer, keys[1])
        writer.save()
        update = follow.look(reader)
        assert update is not None and update.states == {keys[1]: STAR}
    finally:
        reader.close()
        store.close()


def test_a_damaged_shard_keeps_what_is_shown_and_is_read_again_later(pq_home: Path) -> None:
    keys = make_queue(pq_home, 10)
    store, writer = open_writer(pq_home)
    reader = Store.open(pq_home, read_only_if_locked=True)
    follow = Follow(pq_home)
    try:
        star(writer, keys[1])
        writer.save()
        shard = pq_home / "state" / "00000.json"
        good = shard.read_bytes()
        shard.write_bytes(good[: len(good) // 2])  # not how paperqueue writes, but a disk can fail
        assert follow.look(reader) is None
        assert follow.look(reader) is None
        shard.write_bytes(good)
        update = follow.look(reader)
        assert update is not None and update.states == {keys[1]: STAR}
    finally:
        reader.close()
        store.close()


def test_an_import_is_seen_after_its_commit_only(pq_home: Path) -> None:
    make_queue(pq_home, 10)
    store, _writer = open_writer(pq_home)
    reader = Store.open(pq_home, read_only_if_locked=True)
    follow = Follow(pq_home)
    try:
        journal = pq_home / "import.journal"
        journal.write_bytes(orjson.dumps({"landing": True}))  # an import under way
        (pq_home / "meta.json").touch()
        assert follow.look(reader) is None
        assert follow.look(reader) is None
        journal.unlink()
        store.add_papers([ParsedPaper("A new paper", "New.", None, ())], source="later")
        update = follow.look(reader)
        assert update is not None and update.reopen
    finally:
        reader.close()
        store.close()


def test_the_writer_leaving_is_seen_without_taking_the_lock(pq_home: Path) -> None:
    make_queue(pq_home, 3)
    store = Store.open(pq_home)
    assert not writer_gone(pq_home)
    store.close()
    assert writer_gone(pq_home)
    # A killed writer leaves its pid in the lock file: a pid that runs no more.
    (pq_home / "queue.lock").write_text("999999999 app")
    assert writer_gone(pq_home)
    again = Store.open(pq_home)  # nothing stands in the way of the next writer
    assert not again.read_only
    assert not writer_gone(pq_home)
    again.close()


def test_a_killed_writer_not_yet_reaped_counts_as_gone(pq_home: Path) -> None:
    import os
    import time

    make_queue(pq_home, 3)
    ready = pq_home / "child-has-lock"
    pid = os.fork()
    if pid == 0:  # the writer: takes the lock, says so, dies without a word
        try:
            Store.open(pq_home)
            ready.touch()
        finally:
            os._exit(0)
    try:
        for _ in range(3000):  # until the child died (a zombie: its parent has not reaped it)
            if ready.exists() and os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
                break
            time.sleep(0.01)
        assert (pq_home / "queue.lock").read_text().startswith(f"{pid} ")  # its note is still there
        assert writer_gone(pq_home)
    finally:
        os.waitpid(pid, 0)
