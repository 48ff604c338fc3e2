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
