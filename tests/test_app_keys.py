"""Every key of the main screen, driven through Pilot, with the state asserted
in memory, on screen and on disk."""

from __future__ import annotations

import json
from pathlib import Path


from paperqueue.core.store import Store

from test_keys_typeahead import burst
from test_screens_palette import palette_prompts
from pilot_helpers import (
    list_lines,
    make_app,
    notifications,
    paper_list,
    queue_screen,
    seed_store,
    settle,
    until,
    wait_loaded,
    widget_text,
)

FIRST = "Pushing Auto-regressive Models for 3D Shape Generation at Capacity and Scalability"
LAST = "Learning dynamic representations of the functional connectome in neurobiological networks"


def disk_state(home: Path) -> dict[str, dict]:
    data = json.loads((home / "state" / "00000.json").read_text())
    return {doc["key"]: doc for doc in data["state"].values()}


async def test_first_run_imports_sample_and_opens_on_the_inbox(pq_home: Path) -> None:
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        assert queue_screen(app).queue.view == "inbox"
        assert len(queue_screen(app).queue) == 79
        assert paper_list(app).paper.title == FIRST
        assert any("imported 79 papers from the bundled sample" in n for n in notifications(app))
        assert "● Pushing Auto-regressive Models" in list_lines(app)[0]
        status = widget_text(app, "#status")
        assert "79 papers" in status and "79 unread" in status and "0 starred" in status
        assert FIRST in widget_text(app, "#reader-title")


async def test_navigation_keys_stop_at_the_ends(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        await pilot.press("k", "up")
        assert plist.cursor == 0, "no wrap-around at the top"
        await pilot.press("j", "j", "down")
        assert plist.cursor == 3
        await pilot.press("k")
        assert plist.cursor == 2
        await pilot.press("G")
        assert plist.cursor == 78 and plist.paper.title == LAST
        await pilot.press("j", "down")
        assert plist.cursor == 78, "no wrap-around at the bottom"
        assert any("Learning dynamic representations" in line for line in list_lines(app)), "scrolled to the end"
        await pilot.press("g")
        assert plist.cursor == 0
        await pilot.press("end")
        assert plist.cursor == 78
        await pilot.press("home")
        assert plist.cursor == 0
        await pilot.press("pagedown")
        page = plist.cursor
        assert page > 10
        await pilot.press("pageup")
        assert plist.cursor == 0


async def test_star_and_read_toggle_and_reach_the_disk(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        key = paper_list(app).paper.key
        await pilot.press("s")
        await settle(pilot)
        assert app.store.state(key).starred
        assert list_lines(app)[0].lstrip().startswith("★")
        assert disk_state(pq_home)[key]["starred"] is True
        assert disk_state(pq_home)[key]["starred_at"] == "2026-03-13T09:00:00Z"
        assert "1 starred" in widget_text(app, "#status")
        await pilot.press("r")
        await settle(pilot)
        assert disk_state(pq_home)[key]["read"] is True
        assert "✓" in list_lines(app)[0]
        await pilot.press("s", "r")
        await settle(pilot)
        assert disk_state(pq_home)[key]["starred"] is False
        assert disk_state(pq_home)[key]["read"] is False


async def test_space_marks_read_and_moves_to_next_unread(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        plist.move_to(2)
        await pilot.press("r")  # row 2 already read
        plist.move_to(1)
        await pilot.press("space")
        assert app.store.state(plist.queue.rows[1].key).read
        assert plist.cursor == 3, "skips the read paper at row 2"
        await pilot.press("G", "space")
        await settle(pilot)
        assert plist.cursor == 78
        assert app.store.state(plist.queue.rows[78].key).read
        assert any("No unread papers below" in n for n in notifications(app))


async def test_n_and_p_move_between_unread_papers(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        await pilot.press("j", "r", "j", "r", "k", "k")  # rows 1 and 2 read
        assert plist.cursor == 0
        await pilot.press("n")
        assert plist.cursor == 3
        await pilot.press("p")
        assert plist.cursor == 0
        await pilot.press("p")
        assert plist.cursor == 0
        assert any("No unread papers above" in n for n in notifications(app))


async def test_views_and_sticky_rows(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        screen = queue_screen(app)
        plist = paper_list(app)
        await pilot.press("s", "j", "s", "j", "r")  # star rows 0, 1; read row 2
        await pilot.press("1")
        assert screen.queue.view == "inbox" and len(screen.queue) == 78
        assert "Inbox" in widget_text(app, "#sidebar") and "78" in widget_text(app, "#sidebar")
        plist.move_to(0)
        await pilot.press("r")
        assert len(screen.queue) == 78, "a paper read in Inbox keeps its row"
        assert plist.cursor == 0
        assert screen.queue.is_stale(0)
        await pilot.press("r")
        assert not screen.queue.is_stale(0), "pressing the key again undoes it"
        await pilot.press("2")
        assert screen.queue.view == "starred" and len(screen.queue) == 2
        await pilot.press("s")
        assert len(screen.queue) == 2 and screen.queue.is_stale(plist.cursor)
        await pilot.press("2")
        assert len(screen.queue) == 1, "re-entering the view drops it"
        await pilot.press("3")
        assert screen.queue.view == "read" and len(screen.queue) == 1
        await pilot.press("4")
        assert screen.queue.view == "all" and len(screen.queue) == 79


async def test_copy_keys_reach_the_terminal_clipboard(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        paper = paper_list(app).paper
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == paper.primary_link
        assert app.clipboard.startswith("https://arxiv.org/search/?query=Pushing+Auto-regressive")
        assert any("Copied link" in n for n in notifications(app))
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard == f"[{paper.title}]({paper.primary_link})"


async def test_open_without_display_copies_instead(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.clipboard == paper_list(app).paper.primary_link
        assert any("No graphical browser" in n and "copied the link instead" in n for n in notifications(app))


async def test_reader_scroll_keys(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 16)) as pilot:
        await wait_loaded(pilot)
        reader = app.screen.query_one("#reader")
        # The abstract arrives from a worker and is laid out on a later frame.
        await until(pilot, lambda: reader.max_scroll_y > 0, "a long abstract in a short window scrolls")
        await pilot.press("J")
        await pilot.pause()
        assert reader.scroll_y > 0
        await pilot.press("K")
        await pilot.pause()
        assert reader.scroll_y == 0
        # Two J in one read of the terminal: two pages, not one.
        burst(app, "JJ")
        page = reader.scrollable_content_region.height
        assert reader.max_scroll_y > page
        await until(pilot, lambda: reader.scroll_y == min(2 * page, reader.max_scroll_y), "two pages down")


async def test_help_opens_and_closes(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        for closer in ("question_mark", "escape", "q"):
            await pilot.press("question_mark")
            assert app.screen.__class__.__name__ == "HelpScreen"
            await pilot.press(closer)
            assert app.screen.__class__.__name__ == "QueueScreen"
        assert app.is_running, "q on the help screen closes help, not the app"


async def test_quit_and_reopen_where_left(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "s", "j", "r", "j", "r", "2")
        key = paper_list(app).paper.key
        await pilot.press("q")
    assert not app.is_running
    store = Store.open(pq_home)
    assert store.settings["view"] == "starred"
    assert store.settings["key"] == key
    assert sum(s.starred for s in store.states.values()) == 1
    assert sum(s.read for s in store.states.values()) == 2
    store.close()

    again = make_app(pq_home)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        assert queue_screen(again).queue.view == "starred"
        assert paper_list(again).paper.key == key


async def test_position_is_saved_while_moving_not_only_on_quit(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "j", "j")
        key = paper_list(app).paper.key
        settings_file = pq_home / "settings.json"

        def saved() -> dict | None:
            # Saved half a second after the last move, by a timer: on a busy
            # machine that can be late, so the test waits for it (the app
            # stays open: nothing here is a quit's save).
            if not settings_file.exists():
                return None
            return json.loads(settings_file.read_text())["settings"]["1"]

        await until(pilot, lambda: (saved() or {}).get("key") == key, "the position saved while the app is open")
        assert app.is_running
        assert saved()["view"] == "all"


async def test_command_palette_lists_the_actions_and_runs_them(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Toggle star (all selected papers, if any)", "Undo the last change", "Copy the primary link", "View: Starred papers", "Last paper", "Theme"} <= titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"toggle star")
        await until(pilot, lambda: any(p.startswith("Toggle star") for p in palette_prompts(app)), "the palette offers it")
        await pilot.press("enter")
        await settle(pilot)
        assert app.store.state(paper_list(app).paper.key).starred


async def test_theme_choice_is_remembered(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        app.theme = "nord"
        await settle(pilot)
    again = make_app(pq_home)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        assert again.theme == "nord"
