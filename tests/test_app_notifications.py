"""Notifications are short and never stack up (issue 10 item 9)."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import make_app, seed_store, settle, until, wait_loaded


async def test_a_long_copy_is_announced_in_one_line(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("V", "c", "m")
        await until(pilot, lambda: any("Copied" in n.message for n in app._notifications), "the copy is announced")
        said = next(n.message for n in app._notifications if "Copied" in n.message)
        assert "\n" not in said
        assert said.startswith("Copied Markdown of 79 papers to the ")
        assert said.endswith(f"(79 lines, {len(app.clipboard):,} characters)")


async def test_the_same_words_twice_show_once(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        for _ in range(4):
            app.notify("No unread papers below in All")
        await settle(pilot)
        assert sum(n.message == "No unread papers below in All" for n in app._notifications) == 1


async def test_ctrl_c_quits_like_q_and_saves(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("s", "ctrl+c")
        await until(pilot, lambda: not app.is_running, "the app leaves")
    from paperqueue.core.store import Store

    store = Store.open(pq_home)
    try:
        assert sum(s.starred for s in store.states.values()) == 1, "the star was saved on the way out"
    finally:
        store.close()


async def test_a_first_run_opens_on_the_inbox_and_says_how_to_import(pq_home: Path) -> None:
    app = make_app(pq_home)  # an empty folder: a first run
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        from pilot_helpers import queue_screen

        assert queue_screen(app).queue.view == "inbox"
        said = next(n.message for n in app._notifications if n.message.startswith("First run"))
        assert "into your Inbox" in said and "Import your own with i" in said and "paperqueue import FILE" in said


async def test_the_footer_shows_the_keys_of_what_has_the_focus_from_the_first_paint(pq_home: Path) -> None:
    """Issue 10 item 22: on a first run, before and after the queue is read,
    the footer offers the list's keys, never the search box's."""
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        seen = []
        for _ in range(200):
            shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
            seen.append(shown)
            if app.store is not None and len(seen) > 5:
                break
            await pilot.pause(0.01)
        await wait_loaded(pilot)
        seen.append({b.binding.description for b in app.screen.active_bindings.values() if b.binding.show})
        for shown in seen:
            assert not shown & {"Keep filter", "Clear search"}, shown
        assert {"Star", "Quit"} <= seen[-1]
