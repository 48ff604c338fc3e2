"""A big queue paints from its newest shards, then loads the rest: keys
pressed meanwhile still do what they say, and the saved place comes back."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.store import Store, layout
from paperqueue.ui import app as app_module

from pilot_helpers import make_app, paper_list, queue_screen, seed_store, settle, wait_loaded

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
