"""Actions act on what the person can see: a selection hidden by a search
is left alone and the status line says so; copying arXiv ids copies only
real ids (issue 8, items 2 and 3)."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.history import History
from paperqueue.core.store import Store

from pilot_helpers import make_app, notifications, paper_list, queue_screen, seed_store, settle, wait_loaded, widget_text
from test_app_search import wait_search

POINTER = "Pointer Networks"


async def test_hidden_selection_is_not_starred_and_the_status_line_counts_it(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        await wait_search(pilot)
        screen = queue_screen(app)
        plist = paper_list(app)
        rows = screen.queue.rows
        pointer = next(i for i, p in enumerate(rows) if p.title == POINTER)
        other = 0 if pointer else 1
        plist.move_to(other)
        await pilot.press("v")
        plist.move_to(pointer)
        await pilot.press("v")
        await settle(pilot)
        assert "2 selected" in widget_text(app, "#status")
        hidden_key = rows[other].key
        pointer_key = rows[pointer].key
        await pilot.press("slash", *"pointer", "enter")
        await settle(pilot)
        assert [p.title for p in screen.queue.rows] == [POINTER]
        assert "2 selected (1 hidden)" in widget_text(app, "#status")
        await pilot.press("s")
        await settle(pilot)
        assert app.store.state(pointer_key).starred, "the visible selected paper is starred"
        assert not app.store.state(hidden_key).starred, "the hidden one is left alone"
        assert any("Left alone: 1 selected paper hidden by this view or search" in n for n in notifications(app))
        assert app.history.timeline[-1][1] == "Starred 1 paper"
        await pilot.press("escape", "escape")  # unselect, then clear the search
        await settle(pilot)
        assert "selected" not in widget_text(app, "#status")
    store = Store.open(pq_home)
    assert store.state(pointer_key).starred and not store.state(hidden_key).starred
    store.close()
    history = History(pq_home)
    history.load()
    assert history.timeline[-1][1] == "Starred 1 paper"


async def test_remove_keeps_hidden_selected_papers_selected(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        await wait_search(pilot)
        screen = queue_screen(app)
        plist = paper_list(app)
        await pilot.press("V")  # all 79
        await pilot.press("slash", *"pointer", "enter", "x")
        await settle(pilot)
        assert sum(s.removed for s in app.store.states.values()) == 1
        assert len(plist.selected) == 78
        assert "78 selected (78 hidden)" in widget_text(app, "#status")


async def test_copy_arxiv_ids_copies_only_real_ids(pq_home: Path, tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text(
        "With an id\n\nAbstract with arXiv:2403.01234 in it.\n\n"
        "Without an id\n\nAn abstract with no identifier at all.\n\n"
    )
    seed_store(pq_home, page)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("V", "c", "i")
        await settle(pilot)
        assert app.clipboard == "2403.01234"
        assert any("arXiv ids of 1 of the 2 papers (1 had none)" in n for n in notifications(app))
        await pilot.press("escape")
        rows = queue_screen(app).queue.rows
        paper_list(app).move_to(next(i for i, p in enumerate(rows) if not p.arxiv_id))
        app.copy_to_clipboard("before")
        await pilot.press("c", "i")
        await settle(pilot)
        assert app.clipboard == "before", "nothing copied for a paper without an id"
        assert any("This paper has no arXiv id" in n for n in notifications(app))
