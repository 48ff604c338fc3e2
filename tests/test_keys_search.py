"""Search like less/vim/mutt (issue 10, item 15): "/" again edits the
current query; n / N (and p) stay next / previous unread."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import make_app, paper_list, queue_screen, seed_store, settle, wait_loaded


async def _wait_search(pilot) -> None:
    screen = queue_screen(pilot.app)
    for _ in range(200):
        if screen.searcher.index is not None:
            break
        await pilot.pause(0.02)
    await settle(pilot)


async def test_slash_again_starts_from_the_current_query(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await _wait_search(pilot)
        screen = queue_screen(app)
        box = app.screen.query_one("#search")
        await pilot.press("slash", *"diffusion", "enter")
        await settle(pilot)
        broad = len(screen.queue)
        assert app.focused is paper_list(app)
        await pilot.press("slash", *" lat")
        await settle(pilot)
        assert box.value == "diffusion lat", "the query is kept and extended, not replaced"
        assert 0 < len(screen.queue) < broad
        await pilot.press("backspace", "backspace", "backspace", "backspace", "enter")
        await settle(pilot)
        assert box.value == "diffusion" and len(screen.queue) == broad


async def test_n_and_shift_n_stay_next_and_previous_unread_after_a_search(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await _wait_search(pilot)
        screen = queue_screen(app)
        plist = paper_list(app)
        await pilot.press("slash", *"diffusion", "enter")
        await settle(pilot)
        assert len(screen.queue) > 3
        await pilot.press("j", "r", "g")  # the second result read
        await pilot.press("n")
        assert plist.cursor == 2, "n skips the read paper, within the results"
        await pilot.press("N")
        assert plist.cursor == 0, "N goes back to the previous unread"
        assert screen.queue.filter is not None, "still filtered"


async def test_clearing_a_search_that_found_nothing_returns_to_the_paper_it_began_on(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await _wait_search(pilot)
        await pilot.press("j", "j", "j")
        was = paper_list(app).paper
        await pilot.press("slash", *"zzqxnothing")
        await settle(pilot)
        assert paper_list(app).paper is None, "nothing found"
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert paper_list(app).paper.key == was.key
        assert paper_list(app).cursor == 3
