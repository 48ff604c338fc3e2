"""Tags and batches renamed and deleted in the app (issue 10, items 18 and
20): E and D act on the tag or batch the view shows, each one undoable
step; an import in the app is undone by u (its papers leave every view)."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.views import tag_view
from paperqueue.core.store import Store

from pilot_helpers import make_app, notifications, paper_list, queue_screen, seed_store, settle, wait_loaded, widget_text


async def _tag_first_two(pilot, tags: str) -> None:
    await pilot.press("t", *tags, "enter", "j", "t", *tags, "enter")
    await settle(pilot)


async def test_E_renames_the_viewed_tag_and_u_brings_the_old_name_back(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await _tag_first_two(pilot, "ml")
        await pilot.press("T")
        await settle(pilot)
        assert queue_screen(app).queue.view == tag_view("ml")
        await pilot.press("E")
        await settle(pilot)
        box = app.screen.query_one("#rename-input")
        assert box.value == "ml"
        await pilot.press("backspace", "backspace", *"learning", "enter")
        await settle(pilot)
        assert queue_screen(app).queue.view == tag_view("learning"), "the view follows the new name"
        assert len(queue_screen(app).queue) == 2
        assert "#learning" in widget_text(app, "#sidebar") and "#ml" not in widget_text(app, "#sidebar")
        assert any("Renamed tag #ml to #learning on 2 papers" in n for n in notifications(app))
        await pilot.press("u")
        await settle(pilot)
        tags = {t for s in app.store.states.values() for t in s.tags}
        assert tags == {"ml"}
    with Store.open(pq_home) as store:  # and so it is on disk
        assert sorted(t for s in store.states.values() for t in s.tags) == ["ml", "ml"]


async def test_D_deletes_the_viewed_tag_after_asking(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await _tag_first_two(pilot, "todo")
        await pilot.press("T", "D")
        await settle(pilot)
        assert "Delete tag #todo from 2 papers" in widget_text(app, "#confirm-question")
        await pilot.press("n")
        await settle(pilot)
        assert sum("todo" in s.tags for s in app.store.states.values()) == 2, "n keeps it"
        await pilot.press("D", "y")
        await settle(pilot)
        assert not any(s.tags for s in app.store.states.values())
        assert queue_screen(app).queue.view == "inbox"
        await pilot.press("u")
        await settle(pilot)
        assert sum("todo" in s.tags for s in app.store.states.values()) == 2


async def test_E_and_D_outside_a_tag_or_batch_view_say_where_they_work(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert app.screen is queue_screen(app)
        assert any("works in a tag view (T) or a batch view (b)" in n for n in notifications(app))


async def test_a_batch_renamed_and_deleted_in_the_app_and_undone(pq_home: Path, tmp_path: Path) -> None:
    extra = tmp_path / "later.txt"
    extra.write_text("A Later Paper\n\nIts abstract.\n\nAnother Later Paper\n\nAgain.\n")
    seed_store(pq_home)
    seed_store(pq_home, extra)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("b")  # the newest batch: later.txt
        await settle(pilot)
        assert len(queue_screen(app).queue) == 2
        await pilot.press("E", *["backspace"] * 40, *"evening reads", "enter")
        await settle(pilot)
        assert "Batch: evening reads" in widget_text(app, "#status")
        assert "evening reads" in widget_text(app, "#sidebar")
        await pilot.press("D")
        await settle(pilot)
        assert 'Delete batch "evening reads" (2 papers will be hidden)' in widget_text(app, "#confirm-question")
        await pilot.press("y")
        await settle(pilot)
        titles = [p.title for p in queue_screen(app).queue.rows]
        assert queue_screen(app).queue.view == "inbox"
        assert "A Later Paper" not in titles and len(titles) == 79
        assert "evening reads" not in widget_text(app, "#sidebar")
        await pilot.press("u")
        await settle(pilot)
        titles = [p.title for p in queue_screen(app).queue.rows]
        assert "A Later Paper" in titles and len(titles) == 81
        assert "evening reads" in widget_text(app, "#sidebar")


async def test_u_after_an_import_in_the_app_takes_its_papers_away(pq_home: Path, tmp_path: Path) -> None:
    seed_store(pq_home)
    extra = tmp_path / "new.txt"
    extra.write_text("A Brand New Paper\n\nIts abstract.\n")
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("i", *str(extra), "enter")
        for _ in range(50):
            await settle(pilot)
            if any(p.title == "A Brand New Paper" for p in queue_screen(app).queue.rows):
                break
        assert any(p.title == "A Brand New Paper" for p in queue_screen(app).queue.rows)
        await pilot.press("u")
        await settle(pilot)
        assert not any(p.title == "A Brand New Paper" for p in queue_screen(app).queue.rows)
        assert any("Undid: Imported new.txt" in n for n in notifications(app))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any(p.title == "A Brand New Paper" for p in queue_screen(app).queue.rows)
        assert paper_list(app).paper is not None
