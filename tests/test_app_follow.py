"""A read-only second app (issue 10 item 21): every key that would change
the queue says so and changes nothing, not even in memory; the app follows
what the writer saves (a star shows up, an import's papers too), keeping
the cursor on its paper and the search; a temp file half written does not
break it; when the writer leaves, ctrl+l opens the queue for writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperqueue.core.history import History, repair
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer
from paperqueue.ui import follow as follow_module
from paperqueue.ui.screens.queue import QueueScreen

from pilot_helpers import list_lines, make_app, notifications, paper_list, queue_screen, seed_store, settle, until, wait_loaded, widget_text

STAR = PaperState(starred=True, starred_at="2026-03-13T09:00:00Z")


@pytest.fixture(autouse=True)
def quick_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follow_module, "FOLLOW_POLL", 0.05)  # the test drives time with pilot.pause


class OtherApp:
    """The writer: the paperqueue that holds the lock (a second Store in this process)."""

    def __init__(self, home: Path) -> None:
        self.store = Store.open(home)
        history = History(home)
        repair(self.store, history)
        history.ensure_loaded()
        self.writer = Writer(self.store, history)

    def set(self, key: str, state: PaperState, label: str = "Starred 1 paper") -> None:
        self.writer.record(label, [(key, self.store.state(key).to_record(), state.to_record())])
        self.store.set_state(key, state)
        self.writer.save()

    def close(self) -> None:
        self.writer.close()
        self.store.close()


def row_of(app, key: str) -> str:
    plist = paper_list(app)
    row = queue_screen(app).queue.row_of(key)
    return list_lines(app)[row - plist.scroll_offset.y]


# -- keys that would change the queue ------------------------------------------

KEYS = [
    ("s", "star"),
    ("r", "mark read"),
    ("space", "mark read"),
    ("x", "remove"),
    ("t", "tag"),
    ("e", "edit the note"),
    ("A", "mark all read"),
    ("i", "import"),
    ("u", "undo"),
    ("ctrl+r", "redo"),
]


@pytest.mark.parametrize("key,what", KEYS, ids=[k for k, _ in KEYS])
async def test_a_key_that_would_change_the_queue_says_so_and_changes_nothing(pq_home: Path, key: str, what: str) -> None:
    seed_store(pq_home)
    other = OtherApp(pq_home)
    try:
        first = other.store.ordered_papers()[0].key
        other.set(first, STAR)  # something for u to undo, were it allowed
        app = make_app(pq_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("j")
            await settle(pilot)
            before_lines = list_lines(app)
            before_states = dict(app.store.states)
            await pilot.press(key)
            await settle(pilot)
            said = [n for n in notifications(app) if n.startswith(f"Cannot {what}:")]
            assert said == [f"Cannot {what}: the queue is open read-only (another paperqueue has it)"], notifications(app)
            assert isinstance(app.screen, QueueScreen), "no prompt opens for a change that cannot be saved"
            assert list_lines(app) == before_lines
            assert app.store.states == before_states
            assert paper_list(app).cursor == 1
            await pilot.press(key)  # again: the same words are not stacked
            await settle(pilot)
            assert len([n for n in notifications(app) if n.startswith(f"Cannot {what}:")]) == 1
    finally:
        other.close()


# -- following the writer ---------------------------------------------------------


async def test_a_star_saved_by_the_other_app_shows_keeping_cursor_and_search(pq_home: Path) -> None:
    seed_store(pq_home)
    other = OtherApp(pq_home)
    try:
        app = make_app(pq_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("slash", *"learning", "enter")
            await settle(pilot)
            shown = queue_screen(app).queue.rows
            assert len(shown) >= 3
            await pilot.press("j", "j")
            await settle(pilot)
            on = paper_list(app).paper.key
            target = shown[1].key
            assert "★" not in row_of(app, target)
            other.set(target, STAR)
            await until(pilot, lambda: "★" in row_of(app, target), "the other app's star shows")
            assert paper_list(app).paper.key == on
            assert [p.key for p in queue_screen(app).queue.rows] == [p.key for p in shown], "the search stays"
            assert "search: learning" in widget_text(app, "#status")
            assert "updated from the other window" in widget_text(app, "#status")
            assert not any("pdated" in n for n in notifications(app)), "a quiet note, not pop-ups"
            # Read in the other app: the counts follow too.
            other.set(on, PaperState(read=True, read_at="2026-03-13T09:00:00Z"), "Marked 1 paper read")
            await until(pilot, lambda: "✓" in row_of(app, on), "the other app's read mark shows")
            assert paper_list(app).paper.key == on
            assert "READ-ONLY" in widget_text(app, "#status")
    finally:
        other.close()


async def test_a_half_written_temp_file_does_not_break_following(pq_home: Path) -> None:
    seed_store(pq_home)
    other = OtherApp(pq_home)
    try:
        app = make_app(pq_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            key = queue_screen(app).queue.rows[2].key
            state = pq_home / "state"
            state.mkdir(exist_ok=True)
            # The other app killed in the middle of a write leaves this behind.
            (state / ".00000.json.k1ll3d.tmp").write_bytes(b'{"state": {"1": {"key": "half')
            await pilot.pause(0.2)
            other.set(key, STAR)
            await until(pilot, lambda: "★" in row_of(app, key), "the star shows past the temp file")
            assert not [n for n in notifications(app) if "rror" in n or "wrong" in n]
    finally:
        other.close()


async def test_papers_imported_by_the_other_app_show_up(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.importing import import_file

    seed_store(pq_home)
    other = OtherApp(pq_home)
    try:
        app = make_app(pq_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("j", "j", "j")
            await settle(pilot)
            on = paper_list(app).paper.key
            count = len(queue_screen(app).queue)
            extra = tmp_path / "later.txt"
            extra.write_text("A Later Paper About Following\n\nIts abstract.\n")
            import_file(other.store, extra)
            await until(pilot, lambda: len(queue_screen(app).queue) == count + 1, "the imported paper shows")
            assert paper_list(app).paper.key == on
            assert any("A Later Paper About Following" in line for line in list_lines(app))
            assert app.store.read_only
    finally:
        other.close()


# -- taking over -----------------------------------------------------------------------


async def test_when_the_other_app_closes_ctrl_l_opens_for_writing(pq_home: Path) -> None:
    seed_store(pq_home)
    other = OtherApp(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+l")  # the other app still has it
        await settle(pilot)
        assert "Still read-only: the queue is open in another paperqueue" in notifications(app)
        await pilot.press("j")
        await settle(pilot)
        key = paper_list(app).paper.key
        other.set(key, STAR)
        other.close()
        message = "The other paperqueue closed: press ctrl+l to open the queue for writing"
        await until(pilot, lambda: message in notifications(app), "the offer to take over")
        assert notifications(app).count(message) == 1
        assert "ctrl+l to write" in widget_text(app, "#status")
        await pilot.press("ctrl+l")
        await until(pilot, lambda: not app.store.read_only, "the queue opened for writing")
        await settle(pilot)
        assert "READ-ONLY" not in widget_text(app, "#status")
        assert "ctrl+l" not in widget_text(app, "#status")
        assert paper_list(app).paper.key == key
        assert "★" in row_of(app, key), "what the other app saved last is there"
        await pilot.press("j", "s")
        await settle(pilot)
        starred = paper_list(app).paper.key
        await pilot.press("q")
    store = Store.open(pq_home)
    try:
        assert store.state(key).starred and store.state(starred).starred
    finally:
        store.close()


async def test_a_paper_removed_by_the_other_app_leaves_and_the_cursor_goes_to_the_next(pq_home: Path) -> None:
    seed_store(pq_home)
    other = OtherApp(pq_home)
    try:
        app = make_app(pq_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("j", "j")
            await settle(pilot)
            rows = [p.key for p in queue_screen(app).queue.rows]
            gone, after = rows[2], rows[3]
            other.set(gone, PaperState(removed=True), "Removed 1 paper")
            await until(pilot, lambda: queue_screen(app).queue.row_of(gone) is None, "the removed paper leaves")
            assert paper_list(app).paper.key == after
            assert [p.key for p in queue_screen(app).queue.rows] == rows[:2] + rows[3:]
    finally:
        other.close()


async def test_the_palette_offers_opening_for_writing_only_when_read_only(pq_home: Path) -> None:
    seed_store(pq_home)
    other = OtherApp(pq_home)
    try:
        app = make_app(pq_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "Open the queue for writing" in titles
    finally:
        other.close()
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        assert "Open the queue for writing" not in [c.title for c in app.get_system_commands(app.screen)]
        await pilot.press("ctrl+l")  # nothing to take over: says nothing
        await settle(pilot)
        assert not [n for n in notifications(app) if "writ" in n]


WRITER_SCRIPT = """
import sys
from pathlib import Path
from paperqueue.core.history import History, repair
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

home = Path(sys.argv[1])
store = Store.open(home)
history = History(home)
repair(store, history)
history.ensure_loaded()
writer = Writer(store, history)
print("open", flush=True)
for line in sys.stdin:  # one key per line: star it
    key = line.strip()
    star = PaperState(starred=True, starred_at="2026-03-13T09:00:00Z")
    writer.record("Starred 1 paper", [(key, store.state(key).to_record(), star.to_record())])
    store.set_state(key, star)
    writer.save()
    print("saved", flush=True)
"""


async def test_a_writer_in_another_process_is_followed_and_when_killed_ctrl_l_takes_over(pq_home: Path) -> None:
    import signal
    import subprocess
    import sys

    seed_store(pq_home)
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER_SCRIPT, str(pq_home)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "open"
        app = make_app(pq_home)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot)
            assert app.store.read_only
            key = queue_screen(app).queue.rows[1].key
            child.stdin.write(key + "\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "saved"
            await until(pilot, lambda: "★" in row_of(app, key), "the other process's star shows")
            child.send_signal(signal.SIGKILL)  # not reaped yet: a zombie still answers to its pid
            message = "The other paperqueue closed: press ctrl+l to open the queue for writing"
            await until(pilot, lambda: message in notifications(app), "the offer to take over")
            await pilot.press("ctrl+l")
            await until(pilot, lambda: not app.store.read_only, "the queue opened for writing")
            await settle(pilot)
            assert "READ-ONLY" not in widget_text(app, "#status")
            assert app.store.state(key).starred
    finally:
        child.kill()
        child.wait()


async def test_the_reading_logs_history_follows_the_other_app(pq_home: Path) -> None:
    seed_store(pq_home)
    other = OtherApp(pq_home)
    try:
        app = make_app(pq_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            target = paper_list(app).paper.key
            other.set(target, STAR, "Starred 1 paper in the other window")
            await until(pilot, lambda: any(label == "Starred 1 paper in the other window" for _at, label in app.history.timeline),
                        "the other app's action is in the history")
            await pilot.press("L")
            await until(pilot, lambda: app.screen.__class__.__name__ == "LogScreen", "the reading log opens")
            await settle(pilot)
            assert "Starred 1 paper in the other window" in [label for _at, label in app.screen.history]
    finally:
        other.close()
