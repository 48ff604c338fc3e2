"""Keys people expect from vim/less/mutt (issue 10, item 16): half pages
with ctrl+d / ctrl+u, a visual-mode range with v then j/k, and escape
clearing the selection before the search, saying which."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import list_lines, make_app, notifications, paper_list, queue_screen, seed_store, settle, until, wait_loaded


async def test_ctrl_d_and_ctrl_u_move_half_a_page(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        half = plist.scrollable_content_region.height // 2
        assert half > 5
        await pilot.press("ctrl+d")
        assert plist.cursor == half
        await pilot.press("ctrl+d")
        assert plist.cursor == 2 * half
        await pilot.press("ctrl+u")
        assert plist.cursor == half
        await pilot.press("ctrl+u", "ctrl+u")
        assert plist.cursor == 0, "stops at the top"


async def test_ctrl_d_scrolls_the_full_screen_reader_half_a_page(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 12)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("z")
        reader = app.screen.query_one("#reader")
        await until(pilot, lambda: reader.max_scroll_y > 2, "a long abstract in a short window scrolls")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert reader.scroll_y == max(1, reader.scrollable_content_region.height // 2)
        assert paper_list(app).cursor == 0, "the reader scrolls; the paper stays"
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert reader.scroll_y == 0


async def test_the_full_screen_reader_keeps_to_a_centred_column_in_a_wide_terminal(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("z")
        await pilot.pause()
        reader = app.screen.query_one("#reader")
        inside = reader.content_region
        for part in ("#reader-title", "#reader-meta", "#reader-abstract"):
            region = app.screen.query_one(part).region
            assert region.width == 100, part
            left, right = region.x - inside.x, inside.right - region.right
            assert abs(left - right) <= 2, (part, left, right)  # centred (the scrollbar may take a cell)
        await pilot.press("z")
        await pilot.pause()
        region = app.screen.query_one("#reader-abstract").region
        assert region.x == reader.content_region.x and region.width < 100, "beside the list it fills the pane"


async def test_v_then_j_k_selects_a_range_like_vim_visual_mode(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        rows = plist.queue.rows
        await pilot.press("v", "j", "j")
        assert plist.selected == {rows[0].key, rows[1].key, rows[2].key}
        await pilot.press("k")
        assert plist.selected == {rows[0].key, rows[1].key}, "moving back shrinks the range"
        await pilot.press("v", "j", "j")
        assert plist.selected == {rows[0].key, rows[1].key}, "v ended the range: moving no longer extends it"
        lines = list_lines(app)
        assert lines[0].startswith("▌") and lines[1].startswith("▌") and not lines[3].startswith("▌")
        assert "2 selected" in str(app.screen.query_one("#status").render())
        # A second range adds to the first; going up from its start works too.
        await pilot.press("G", "v", "k")
        assert len(plist.selected) == 4
        await pilot.press("v")
        # v on a selected paper (no range under way) unselects it, as before.
        await pilot.press("v")
        assert rows[-2].key not in plist.selected and len(plist.selected) == 3
        # v v selects just the one paper.
        await pilot.press("g", "j", "j", "j", "j", "v", "v", "j")
        assert rows[4].key in plist.selected and rows[5].key not in plist.selected
        await pilot.press("V")
        assert len(plist.selected) == len(rows), "V still selects the whole view"


async def test_escape_clears_the_selection_then_the_search_and_says_which(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        screen = queue_screen(app)
        plist = paper_list(app)
        await pilot.press("slash", *"diffusion", "enter")
        await settle(pilot)
        narrowed = len(screen.queue)
        assert narrowed < 79
        await pilot.press("v", "j")
        assert len(plist.selected) == 2
        await pilot.press("escape")
        await settle(pilot)
        assert not plist.selected and len(screen.queue) == narrowed, "the selection goes first, the search stays"
        assert any(n.startswith("Selection cleared") for n in notifications(app))
        assert not any(n.startswith("Search cleared") for n in notifications(app))
        await pilot.press("j", "j")
        assert not plist.selected, "the range ended with the selection"
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.queue) == 79
        assert "Search cleared" in notifications(app)
        count = len(notifications(app))
        await pilot.press("escape")
        await settle(pilot)
        assert len(notifications(app)) == count, "nothing to clear: nothing said"


async def test_the_new_keys_are_in_the_help_and_the_palette(pq_home: Path) -> None:
    from paperqueue.ui.keys import KEY_HELP

    keys = dict(KEY_HELP)
    assert "ctrl+d / ctrl+u" in keys and "v" in keys
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands.get("Move half a page down") == "key: ^d"
        assert commands.get("Move half a page up") == "key: ^u"
        assert any(title.startswith("Select a range") for title in commands)
