"""The help screen (``?``): scrolls with j/k/g/G like the list, shows its own
keys in the footer (not the main screen's), and explains the row symbols."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from paperqueue.ui.screens.help import HelpScreen
from paperqueue.ui.widgets.paper_list import NOTE, READ, STAR, UNREAD

from pilot_helpers import make_app, seed_store, until, wait_loaded


def footer_keys(screen) -> list[tuple[str, str]]:
    return [(key.key_display, key.description) for key in screen.query(FooterKey)]


def screen_text(widget) -> str:
    width, height = widget.virtual_size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


async def test_help_scrolls_with_list_keys_and_shows_its_own_footer(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        box = screen.query_one("#help-box", VerticalScroll)
        assert box.max_scroll_y > 0, "every key does not fit 24 rows: it scrolls"
        await pilot.press("j", "j")
        await pilot.pause()
        assert box.scroll_y == 2
        await pilot.press("k")
        await pilot.pause()
        assert box.scroll_y == 1
        await pilot.press("G")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert box.scroll_y == 0

        footer = screen.query_one(Footer)
        assert footer.region.bottom == screen.region.bottom, "drawn over the main screen's footer"
        shown = footer_keys(screen)
        descriptions = {description for _, description in shown}
        assert "Close" in descriptions and "Star" not in descriptions and "Quit" not in descriptions
        keys = " ".join(display for display, _ in shown)
        for key in ("j", "k", "g", "G"):
            assert key in keys.split(), shown
        assert sum(len(display) + len(description) + 2 for display, description in shown) <= 80 - 12, "fits 80 columns with the palette key"

        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.is_running


async def test_help_has_a_legend_for_the_row_symbols(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        legend = screen_text(app.screen.query_one("#help-legend"))
        lines = legend.splitlines()

        def line_with(symbol: str) -> str:
            found = [line for line in lines if symbol in line]
            assert found, (symbol, legend)
            return found[0]

        assert "starred" in line_with(STAR)
        assert "note" in line_with(NOTE)
        assert "unread" in line_with(UNREAD)
        assert "read" in line_with(READ)
        assert "selected" in line_with("▌")
        assert "greyed" in legend and "view" in legend
        assert "#" in legend and "~" in legend  # tags, the Similar view's words


async def test_a_burst_of_j_scrolls_a_line_for_each(pq_home: Path) -> None:
    """Ten j in one read of the terminal (a held key, a paste of keys): ten
    lines, not one (each scroll starts from where the last one ended, not
    from the position last drawn)."""
    from test_keys_typeahead import burst

    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one("#help-box", VerticalScroll)
        burst(app, "j" * 10)
        await until(pilot, lambda: box.scroll_y == 10, "ten lines down")
