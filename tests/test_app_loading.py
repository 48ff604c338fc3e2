"""A big queue paints from its newest shards, then loads the rest: keys
pressed meanwhile still do what they say, and the saved place comes back."""

from __future__ import annotations

import threading
from pathlib import Path

from paperqueue.core.store import Store, layout
from paperqueue.ui import app as app_module

from pilot_helpers import make_app, notifications, paper_list, queue_screen, seed_store, settle, until, wait_loaded

LAST = "Learning dynamic representations of the functional connectome in neurobiological networks"


def small_shards(monkeypatch) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 10)
    monkeypatch.setattr(app_module, "FIRST_SCREEN", 10)


async def test_end_key_during_loading_lands_on_the_last_paper(pq_home: Path, monkeypatch) -> None:
    from paperqueue.ui.screens.queue import QueueScreen

    small_shards(monkeypatch)
    seed_store(pq_home)
    first_screen = []
    load = QueueScreen.load

    def watched(self, store) -> None:
        load(self, store)
        first_screen.append((len(self.queue.papers), self.queue.counts["all"]))

    monkeypatch.setattr(QueueScreen, "load", watched)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = queue_screen(app)
        while screen.queue is None:
            await pilot.pause(0.01)
        (loaded, counted), = first_screen
        assert loaded < 79, "the first screen comes before the whole queue"
        assert counted == 79, "counts are whole from the start"
        await pilot.press("G")
        await settle(pilot)
        assert not screen.queue.partial and len(screen.queue) == 79
        assert paper_list(app).paper.title == LAST


async def test_saved_place_deep_in_the_queue_is_restored(pq_home: Path, monkeypatch) -> None:
    small_shards(monkeypatch)
    seed_store(pq_home)
    store = Store.open(pq_home)
    deep = store.ordered_papers()[70]
    store.set_settings(view="all", key=deep.key)
    store.flush()
    store.close()
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await settle(pilot)
        assert paper_list(app).paper.key == deep.key
        assert paper_list(app).cursor == 70


def held_loading(monkeypatch) -> threading.Event:
    """The rest of the queue is read only once the returned event is set."""
    release = threading.Event()
    load_rest = Store.load_rest

    def held(self) -> None:
        release.wait(60)
        load_rest(self)

    monkeypatch.setattr(Store, "load_rest", held)
    return release


async def first_screen(pilot) -> None:
    """The first screen is up, the rest still held (not ``wait_loaded``: it
    waits for every worker, the held one too)."""
    await until(pilot, lambda: pilot.app.store is not None and queue_screen(pilot.app).queue is not None, "the first screen")
    assert not pilot.app.store.complete


async def test_undo_pressed_while_the_queue_is_read_runs_once_it_is(pq_home: Path, monkeypatch) -> None:
    """An old action may touch any paper, so u waits for the whole queue:
    pressed meanwhile, it is not lost but runs then, in order."""
    small_shards(monkeypatch)
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        key = paper_list(app).paper.key
        await pilot.press("j", "r")
        other = paper_list(app).paper.key
        await pilot.press("k", "s", "q")
    history = (pq_home / "history.jsonl").read_bytes()
    release = held_loading(monkeypatch)
    again = make_app(pq_home)
    async with again.run_test(size=(120, 40)) as pilot:
        await first_screen(pilot)
        await pilot.press("u", "u", "ctrl+r")
        await pilot.pause()
        assert (pq_home / "history.jsonl").read_bytes() == history, "nothing undone before the queue is read"
        assert any("the undo runs once it is read" in n for n in notifications(again)), notifications(again)
        release.set()
        await until(pilot, lambda: again.store.complete and not again.store.state(key).starred, "the waiting undo ran")
        await settle(pilot)
        assert again.store.state(other).read, "undo, undo, redo: the read is back"
    store = Store.open(pq_home, lock=False)
    assert not store.state(key).starred and store.state(other).read
    store.close()


async def test_a_change_after_a_waiting_undo_drops_it(pq_home: Path, monkeypatch) -> None:
    """u then s while the queue is read: running the undo later would undo
    the star instead of what u was pressed for, so it is dropped, saying so."""
    small_shards(monkeypatch)
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        read = paper_list(app).paper.key
        await pilot.press("q")
    release = held_loading(monkeypatch)
    again = make_app(pq_home)
    async with again.run_test(size=(120, 40)) as pilot:
        await first_screen(pilot)
        await pilot.press("u", "j", "s")
        starred = paper_list(again).paper.key
        release.set()
        await until(pilot, lambda: again.store.complete, "the whole queue read")
        await settle(pilot)
        assert again.store.state(starred).starred and again.store.state(read).read
        assert any("waiting undo was dropped" in n for n in notifications(again)), notifications(again)
