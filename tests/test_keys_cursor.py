"""The cursor never jumps (issue 10, item 14): after x it moves to the next
paper, undo brings it back to the restored one, undo and imports keep the
greyed rows of the Inbox and the cursor on its paper."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import list_lines, make_app, notifications, paper_list, queue_screen, seed_store, settle, until, wait_loaded


async def test_x_moves_to_the_next_paper_and_undo_returns_to_the_restored_one(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        rows = list(plist.queue.rows)
        await pilot.press("j", "j", "x")
        await settle(pilot)
        assert plist.paper.key == rows[3].key, "the next paper, not the top"
        assert plist.cursor == 2
        await pilot.press("G", "x")
        await settle(pilot)
        assert plist.paper.key == rows[-2].key, "the last paper removed: the one before it"
        await pilot.press("g", "u")
        await settle(pilot)
        assert plist.paper.key == rows[-1].key, "undo returns to the restored paper"
        await pilot.press("u")
        await settle(pilot)
        assert plist.paper.key == rows[2].key and plist.cursor == 2


async def test_removing_a_selection_lands_on_the_next_paper_that_stays(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        rows = list(plist.queue.rows)
        await pilot.press("j", "v", "j", "j", "v", "k", "x")  # rows 1-3 selected, the cursor on row 2
        await settle(pilot)
        assert plist.paper.key == rows[4].key


async def test_undo_in_the_inbox_keeps_the_other_greyed_rows(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        await pilot.press("1")
        rows = list(plist.queue.rows)
        await pilot.press("r", "j", "r", "j", "j")  # rows 0 and 1 read: greyed, in place
        await settle(pilot)
        assert len(plist.queue) == 79 and "✓" in list_lines(app)[0]
        await pilot.press("u")  # un-reads row 1
        await settle(pilot)
        assert [p.key for p in plist.queue.rows] == [p.key for p in rows], "row 0 stays, greyed"
        assert "✓" in list_lines(app)[0] and "●" in list_lines(app)[1]
        assert plist.paper.key == rows[1].key, "the cursor on the paper undo changed"
        await pilot.press("j", "j", "x")  # a removal in the Inbox keeps the greyed row too
        await settle(pilot)
        assert plist.queue.rows[0].key == rows[0].key
        assert plist.paper.key == rows[4].key


async def test_an_import_keeps_the_cursor_and_the_greyed_rows(pq_home: Path, tmp_path: Path) -> None:
    seed_store(pq_home)
    ids = tmp_path / "ids.txt"
    ids.write_text("2501.00001\n2501.00002\n")
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        await pilot.press("1")
        rows = list(plist.queue.rows)
        await pilot.press("r", "j", "j")
        await settle(pilot)
        app.import_path(ids)
        await settle(pilot)
        await until(pilot, lambda: len(plist.queue) == 81, "the imported papers are listed")
        assert plist.paper.key == rows[2].key, "the cursor stays on its paper"
        assert rows[0].key in {p.key for p in plist.queue.rows}, "the greyed row stays"
        assert any("2 new" in n or "2 papers" in n for n in notifications(app)), notifications(app)
