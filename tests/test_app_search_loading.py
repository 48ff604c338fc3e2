"""A search typed while the queue is still being read: the answer covers
titles only until the rest is read and the index is ready, says so, and
then comes again by itself (issue 8, item 1)."""

from __future__ import annotations

import threading
from pathlib import Path

from paperqueue.core.store import Store

from pilot_helpers import make_app, queue_screen, seed_store, settle, until, widget_text
from test_app_loading import held_loading, small_shards

# "objaverse" is in one abstract of the sample and in no title.
WORD = "objaverse"


async def test_search_typed_while_loading_is_answered_in_full_once_loaded(pq_home: Path, monkeypatch) -> None:
    small_shards(monkeypatch)
    go = held_loading(monkeypatch)
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = queue_screen(app)
        await until(pilot, lambda: screen.queue is not None, "first screen")
        await pilot.press("slash", *WORD)
        await until(pilot, lambda: screen.queue.filter is not None, "a first answer")
        assert len(screen.queue) == 0, "no title holds the word"
        assert "titles only" in widget_text(app, "#status"), "the status line says the answer is partial"
        go.set()
        await until(pilot, lambda: len(screen.queue) == 1, "the abstract match after loading")
        await settle(pilot)
        assert WORD in screen.store.details(screen.queue.rows[0].key).abstract.lower()
        assert "titles only" not in widget_text(app, "#status")
        assert f"search: {WORD}" in widget_text(app, "#status")


async def test_keys_typed_before_the_queue_opens_go_to_the_search_box(pq_home: Path, monkeypatch) -> None:
    seed_store(pq_home)
    opened = threading.Event()
    open_store = Store.open

    def slow_open(*args, **kwargs):
        opened.wait(10)
        return open_store(*args, **kwargs)

    monkeypatch.setattr(Store, "open", slow_open)
    app = make_app(pq_home)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = queue_screen(app)
        await pilot.press("slash", "s", "r", "x")  # star, read, remove if they fell through
        opened.set()
        await until(pilot, lambda: screen.queue is not None and screen.queue.filter is not None, "the search ran")
        await settle(pilot)
        assert screen.searcher.query == "srx"
        store = screen.store
        assert not any(s.starred or s.read or s.removed for s in store.states.values())
