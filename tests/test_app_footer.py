"""The footer fits the width it has (issue 10 item 5): `? Help` and
`q Quit` are always there, whole; at 80 columns the essentials (Help,
Star, Read, Read+next, Search, Quit) too; a wide terminal shows every key,
the full text's too; a resize switches between them."""

from __future__ import annotations

from pathlib import Path

from fulltext_server import REAL
from pilot_helpers import make_app, seed_store, settle, until, wait_loaded
from textual.widgets._footer import FooterKey

from paperqueue.core.fulltext import FullTextCache, html_to_text
from paperqueue.ui.widgets.fulltext_view import FullTextView



def shown(app) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey) if key.description]


def footer_row(app) -> str:
    """The bottom row of the screen as the terminal shows it."""
    return app.screen._compositor.render_strips()[-1].text


async def assert_every_width_fits(pilot, widths: range, kept: list[str]) -> set[str]:
    """At each width every key the footer shows is drawn whole on the
    bottom row, ``kept`` among them; returns every description seen."""
    app, seen = pilot.app, set()
    for width in widths:
        await pilot.resize_terminal(width, 30)
        await settle(pilot)
        row = footer_row(app)
        for key in app.screen.query(FooterKey):
            if key.description:
                assert f"{key.key_display} {key.description} " in row, f"{width} columns: {key.description!r} cut in {row!r}"
        assert all(description in shown(app) for description in kept), (width, shown(app))
        seen.update(shown(app))
    return seen


async def test_the_essentials_fit_at_80_columns_and_all_keys_when_wide(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        narrow = shown(app)
        essentials = ["Help", "Star", "Read", "Read+next", "Search", "Quit"]
        assert [d for d in narrow if d in essentials] == essentials, narrow
        assert "Open" not in narrow and "Full text" not in narrow
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        wide = shown(app)
        assert {"Undo", "Copy", "Open", "PDF", "Full text", "Fetch", "Search", "Quit"} <= set(wide), wide
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "Open" not in shown(app)
        seen = await assert_every_width_fits(pilot, range(66, 141, 2), ["Help", "Star", "Search", "Quit"])
        assert {"Fetch", "PDF", "Full text", "Copy"} <= seen


async def test_the_full_texts_keys_fit_too(pq_home: Path) -> None:
    """Reading a full text (F) adds Find, Next match and Abstract: the
    other keys make room, and Quit is never cut (it was, below 140)."""
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_loaded(pilot)
        key = app.queue_screen.paper_list.paper.key
        FullTextCache(pq_home).store_text(key, html_to_text(REAL.read_text(encoding="utf-8")), "html", "From a test", "")
        await pilot.press("F")
        await until(pilot, lambda: app.screen.query_one(FullTextView).key == key, "the full text")
        assert {"Find", "Next match", "Abstract", "PDF", "Full text", "Quit"} <= set(shown(app)), shown(app)
        await assert_every_width_fits(pilot, range(60, 141, 2), ["Help", "Quit"])
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert {"Find", "Next match", "Abstract", "Star", "Read", "Quit"} <= set(shown(app)), shown(app)


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
