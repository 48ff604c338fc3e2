"""Undo and redo, selections, removal, mark-all-read, tags, notes and the
copy menu, driven through Pilot with the state asserted on disk too."""

from __future__ import annotations

import json
from pathlib import Path

from paperqueue.cli import main
from paperqueue.core.export import export
from paperqueue.core.history import History
from paperqueue.core.store import Store

from conftest import SAMPLE
from pilot_helpers import list_lines, make_app, notifications, paper_list, queue_screen, seed_store, settle, until, wait_loaded, widget_text


def stored(home: Path) -> Store:
    return Store.open(home, lock=False)


async def test_undo_redo_star_and_read_and_redo_cleared_by_new_change(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        key = paper_list(app).paper.key
        await pilot.press("s", "r")
        assert app.store.state(key).starred and app.store.state(key).read
        await pilot.press("u")
        assert not app.store.state(key).read and app.store.state(key).starred
        await pilot.press("u")
        assert not app.store.state(key).starred
        await pilot.press("u")
        assert any("Nothing to undo" in n for n in notifications(app))
        await pilot.press("ctrl+r")
        assert app.store.state(key).starred
        await pilot.press("j", "s")  # a new change clears the redo list
        await pilot.press("ctrl+r")
        assert any("Nothing to redo" in n for n in notifications(app))
        await settle(pilot)
    store = stored(pq_home)
    assert store.state(key).starred and not store.state(key).read
    store.close()


async def test_undo_works_across_restarts(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        key = paper_list(app).paper.key
        await pilot.press("s", "j", "r")
        await pilot.press("q")
    again = make_app(pq_home)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        # u waits for the whole queue to be read (an old action may touch any paper): on a busy machine the
        # first screen is up well before that
        await until(pilot, lambda: again.store.complete, "the whole queue read")
        await pilot.press("u", "u")
        await settle(pilot)
        assert not again.store.state(key).starred
    store = stored(pq_home)
    assert not any(s.starred or s.read for s in store.states.values())
    store.close()


async def test_mark_all_read_confirms_and_is_one_undo_step(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("A")
        assert app.screen.__class__.__name__ == "Confirm"
        assert "Mark all 79 papers in All read?" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        assert queue_screen(app).queue.counts["read"] == 0
        await pilot.press("A", "y")
        assert queue_screen(app).queue.counts["read"] == 79
        await pilot.press("u")
        assert queue_screen(app).queue.counts["read"] == 0
        await settle(pilot)
    store = stored(pq_home)
    assert not any(s.read for s in store.states.values())
    store.close()


async def test_selection_acts_as_one_step(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        await pilot.press("v", "v", "j", "j", "v", "v")
        assert len(plist.selected) == 2
        assert list_lines(app)[0].startswith("▌") and list_lines(app)[2].startswith("▌")
        first, third = plist.queue.rows[0].key, plist.queue.rows[2].key
        await pilot.press("s")
        assert app.store.state(first).starred and app.store.state(third).starred
        await pilot.press("j", "v", "s")  # mixed: 2 starred + 1 not -> all starred
        assert sum(app.store.state(k).starred for k in plist.selected) == 3
        await pilot.press("s")  # all starred -> all unstarred
        assert not any(app.store.state(k).starred for k in plist.selected)
        await pilot.press("u")
        assert sum(app.store.state(k).starred for k in plist.selected) == 3
        await pilot.press("escape")
        assert not plist.selected
        await pilot.press("V")
        assert len(plist.selected) == 79
        await pilot.press("escape")


async def test_remove_undo_and_reimport_with_restore(pq_home: Path, capsys) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        gone = paper_list(app).paper
        await pilot.press("x")
        screen = queue_screen(app)
        assert len(screen.queue) == 78 and gone.key not in [p.key for p in screen.queue.rows]
        assert screen.queue.counts["all"] == 78
        await pilot.press("u")
        assert len(screen.queue) == 79
        await pilot.press("ctrl+r")
        assert len(screen.queue) == 78
        await pilot.press("q")
    assert main(["import", str(SAMPLE)]) == 0
    assert "0 new, 79 already" in capsys.readouterr().out
    store = stored(pq_home)
    assert store.state(gone.key).removed, "a plain import does not bring it back"
    store.close()
    assert main(["import", "--restore", str(SAMPLE)]) == 0
    assert "1 restored" in capsys.readouterr().out
    store = stored(pq_home)
    assert not store.state(gone.key).removed
    store.close()


async def test_tags_views_counts_and_completion(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("t")
        assert app.screen.__class__.__name__ == "TagPrompt"
        await pilot.press(*"ml todo", "enter")
        key = paper_list(app).paper.key
        assert app.store.state(key).tags == ("ml", "todo")
        assert "#ml #todo" in list_lines(app)[0]
        await pilot.press("j", "t", *"m", "right", "enter")  # completion from existing tags
        assert app.store.state(paper_list(app).paper.key).tags == ("ml",)
        sidebar = widget_text(app, "#sidebar")
        assert "Tags (T)" in sidebar and "#ml" in sidebar and "#todo" in sidebar
        await pilot.press("T")
        screen = queue_screen(app)
        assert screen.queue.view == "tag:ml" and len(screen.queue) == 2
        assert screen.queue.tag_unread["ml"] == 2
        await pilot.press("r")
        assert screen.queue.tag_unread["ml"] == 1
        await pilot.press("g", "t", "ctrl+u", *"todo", "enter")  # delete a word to remove the tag
        assert app.store.state(key).tags == ("todo",)
        await pilot.press("u")
        assert app.store.state(key).tags == ("ml", "todo")


async def test_note_editor_saves_shows_and_exports(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("e")
        assert app.screen.__class__.__name__ == "NoteEditor"
        await pilot.press(*"read [this] first", "ctrl+s")
        key = paper_list(app).paper.key
        assert app.store.state(key).note == "read [this] first"
        assert "read [this] first" in widget_text(app, "#reader-note")
        await pilot.press("e", *" later", "escape")
        assert app.store.state(key).note == "read [this] first", "escape cancels"
        await settle(pilot)
    store = stored(pq_home)
    rows = json.loads(export(store, "json"))
    assert next(r for r in rows if r["key"] == key)["note"] == "read [this] first"
    assert r"> read \[this\] first" in export(store, "markdown")  # Markdown-escaped (issue 9 item 11)
    store.close()


async def test_copy_menu_outputs(pq_home: Path, tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text("A [bracketed] Title\n\nAbstract with code https://github.com/a/b and arXiv:2403.01234.\n\nSecond Paper\n\nMore.\n")
    seed_store(pq_home, page)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        expected = {
            "l": "https://arxiv.org/abs/2403.01234",
            "i": "2403.01234",
            "m": r"[A \[bracketed\] Title](https://arxiv.org/abs/2403.01234)",
            "t": "A [bracketed] Title",
            "a": "https://arxiv.org/abs/2403.01234\nhttps://github.com/a/b",
        }
        for key, text in expected.items():
            await pilot.press("c", key)
            await settle(pilot)
            assert app.clipboard == text, key
        await pilot.press("c", "b")
        await settle(pilot)
        assert app.clipboard.startswith("@misc{") and "eprint = {2403.01234}" in app.clipboard
        await pilot.press("V", "c", "m")
        await settle(pilot)
        assert app.clipboard.splitlines()[0].startswith("- [A \\[bracketed\\] Title](") and len(app.clipboard.splitlines()) == 2


async def test_z_toggles_the_reader_full_screen(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("z")
        assert not app.screen.query_one("#list-pane").display
        await pilot.press("j")  # keys still move the list
        assert paper_list(app).cursor == 1
        await pilot.press("z")
        assert app.screen.query_one("#list-pane").display


def test_log_written_but_store_not_is_repaired_on_open(pq_home: Path) -> None:
    seed_store(pq_home)
    store = Store.open(pq_home)
    key = store.ordered_papers()[0].key
    history = History(store.home)
    history.load()
    before = store.state(key)
    from dataclasses import replace

    after = replace(before, starred=True, starred_at="2026-05-05T00:00:00Z")
    history.record("Starred 1 paper", [(key, before.to_record(), after.to_record())])
    history.write()  # the crash comes here: logged, store never written
    store.close()
    with (pq_home / "history.jsonl").open("ab") as handle:
        handle.write(b'{"seq": 99, "kind": "do", "lab')  # and a torn last line
    assert main(["undo"]) == 0
    store = stored(pq_home)
    assert not store.state(key).starred, "repaired (starred), then undone"
    store.close()
    assert main(["redo"]) == 0
    store = stored(pq_home)
    assert store.state(key).starred
    store.close()


async def test_more_like_this_ranks_the_queue(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "j")  # High-Resolution Image Synthesis with Latent Diffusion Models
        seed = paper_list(app).paper
        await pilot.press("m")
        await settle(pilot)
        screen = queue_screen(app)
        assert screen.queue.view == "similar"
        assert seed.key not in [p.key for p in screen.queue.rows], "the paper itself is not a result"
        assert "diffusion" in " ".join(p.title.lower() for p in screen.queue.rows[0:3])
        assert "~" in list_lines(app)[1], "each row shows why"
        assert "Similar: like" in widget_text(app, "#status")
        await pilot.press("escape")
        assert screen.queue.view == "all"
        await pilot.press("M")
        await settle(pilot)
        assert any("Star some papers first" in n for n in notifications(app))
        await pilot.press("s", "M")
        await settle(pilot)
        assert screen.queue.view == "similar" and seed.key not in [p.key for p in screen.queue.rows[:1]]
        await pilot.press("4")
        assert screen.queue.view == "all"


async def test_clicking_a_link_in_the_reader_opens_it(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "j")  # the latent diffusion paper: a GitHub link on the second link line
        await settle(pilot)
        app.screen.query_one("#reader").scroll_end(animate=False)
        await pilot.pause()
        links = app.screen.query_one("#reader-links")
        last = links.region.y + links.region.height - 1  # the GitHub link is the last line
        await pilot.click(offset=(links.region.x + 8, last))
        await settle(pilot)
        # No display here: opening falls back to copying, and says so.
        assert app.clipboard == "https://github.com/CompVis/latent-diffusion"
        assert any("copied the link instead" in n for n in notifications(app))
