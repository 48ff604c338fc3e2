"""More like this never pulls the person back into a view they left, and
leaving Similar returns to the paper it was opened from (issue 8, item 4)."""

from __future__ import annotations

import threading
from pathlib import Path

from paperqueue.core import similar

from pilot_helpers import make_app, notifications, paper_list, queue_screen, seed_store, settle, wait_loaded


def _held_ranking(monkeypatch) -> threading.Event:
    go = threading.Event()
    open_index = similar.open_index

    def held(store, progress=None):
        go.wait(10)
        return open_index(store, progress)

    monkeypatch.setattr(similar, "open_index", held)
    return go


async def test_a_ranking_finished_after_a_view_change_is_not_forced(pq_home: Path, monkeypatch) -> None:
    go = _held_ranking(monkeypatch)
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        screen = queue_screen(app)
        await pilot.press("s", "m", "2")  # star one, ask for similar papers, go to Starred
        go.set()
        await settle(pilot)
        assert screen.queue.view == "starred", "the person stays where they went"
        assert any("press m to see them" in n for n in notifications(app))
        await pilot.press("m")  # asked again: now it shows
        await settle(pilot)
        assert screen.queue.view == "similar"
        await pilot.press("escape")
        assert screen.queue.view == "starred", "escape goes back to the view Similar came from"


async def test_escape_from_similar_returns_to_the_paper_it_was_opened_from(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        screen = queue_screen(app)
        plist = paper_list(app)
        plist.move_to(30)
        origin = plist.paper.key
        await pilot.press("m")
        await settle(pilot)
        assert screen.queue.view == "similar"
        await pilot.press("j", "j", "j")
        await pilot.press("escape")
        await settle(pilot)
        assert screen.queue.view == "all"
        assert plist.paper.key == origin and plist.cursor == 30
