"""The app settles what an import left in the search index (so that a
one-letter search is fast at 100k papers), and answers the same meanwhile."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.search import SearchIndex, query_words
from paperqueue.core.store import Store, layout

from pilot_helpers import make_app, queue_screen, seed_store, settle, wait_loaded


async def test_opening_the_app_settles_an_imported_index(pq_home: Path) -> None:
    seed_store(pq_home)
    index = SearchIndex(pq_home / layout.SEARCH)
    assert index.unsettled(), "the import left its papers for settling"
    before = index.search(query_words("d"))
    index.close()
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await settle(pilot)  # the search-index worker has finished
        screen = queue_screen(app)
        assert screen.searcher.index is not None
        assert not screen.searcher.index.unsettled()
        await pilot.press("slash", "d")
        await settle(pilot)
        assert {p.id for p in screen.queue.rows} == before, "one letter: the same papers as before settling"
    store = Store.open(pq_home)
    try:
        assert {p.id for p in store.papers.values() if "d" in p.title.lower()} <= before
    finally:
        store.close()


async def test_quitting_stops_settling_at_once(pq_home: Path, monkeypatch) -> None:
    """Settling is background work: quitting stops it after the chunk at hand
    (the rest is moved next time), instead of keeping the process alive."""
    import time

    from paperqueue.core import search

    seed_store(pq_home)
    monkeypatch.setattr(search, "SETTLE_CHUNK", 1)
    real = search.insert_many
    moved: list[int] = []

    def slow(con, table, docs):
        if table == "papers":
            time.sleep(0.05)  # a chunk that takes a while
            moved.extend(doc[0] for doc in docs)
        real(con, table, docs)

    monkeypatch.setattr(search, "insert_many", slow)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):  # not wait_loaded: it waits for every worker, settling included
            if moved:
                break
            await pilot.pause(0.02)
        assert moved, "settling started"
    # The app has quit; its settling worker stops after the chunk at hand.
    for _ in range(100):
        count = len(moved)
        time.sleep(0.06)
        if len(moved) == count:
            break
    index = SearchIndex(pq_home / layout.SEARCH)
    assert index.unsettled(), "quitting left the rest for next time"
    assert 0 < len(moved) < 20
    assert index.settle(Store.open(pq_home)) is True
    index.close()
