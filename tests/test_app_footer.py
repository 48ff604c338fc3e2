"""The footer fits the width it has (issue 10 item 5): at 80 columns the
essentials (Help, Star, Read, Read+next, Search, Quit) are all there; a wide
terminal shows every key; a resize switches between the two."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import make_app, seed_store, settle, wait_loaded
from textual.widgets._footer import FooterKey


def shown(app) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey) if key.description]


async def test_the_essentials_fit_at_80_columns_and_all_keys_when_wide(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        narrow = shown(app)
        assert narrow[:6] == ["Help", "Star", "Read", "Read+next", "Search", "Quit"], narrow
        assert "Undo" not in narrow
        assert "Search" in app.export_screenshot() and "Quit" in app.export_screenshot()
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        wide = shown(app)
        assert {"Undo", "Copy", "Open", "Search", "Quit"} <= set(wide), wide
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "Undo" not in shown(app)


async def test_mark_all_read_says_when_a_search_narrows_it(pq_home: Path) -> None:
    from pilot_helpers import until
    from textual.widgets import Static

    from paperqueue.ui.screens.confirm import Confirm

    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", *"diffusion", "enter")
        await until(pilot, lambda: "search: diffusion" in str(app.query_one("#status").render()), "the search is applied")
        await settle(pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert 'in All matching "diffusion" read?' in question, question
        assert question.startswith("Mark all ") and " papers " in question or " 1 paper " in question


async def test_enter_toggles_the_full_screen_reader_like_z(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        await pilot.press("enter")
        await settle(pilot)
        assert screen.has_class("-reader-only")
        await pilot.press("j", "enter")
        await settle(pilot)
        assert not screen.has_class("-reader-only")
