"""Prompts (issue 10, item 18, the prompt part): a bad path keeps the import
prompt open with the error and the text; tab cycles through completions and
shows them, in the import and the tag prompt; tags split on spaces and
commas and compare in any case."""

from __future__ import annotations

from pathlib import Path

from paperqueue.ui.screens.tag_prompt import parse_tags

from pilot_helpers import make_app, paper_list, queue_screen, seed_store, settle, wait_loaded, widget_text


async def test_a_bad_path_keeps_the_import_prompt_open_with_the_error_and_the_text(pq_home: Path, tmp_path: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("i")
        box = app.screen.query_one("#import-path")
        box.value = str(tmp_path / "mising.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ImportPrompt", "the prompt stays open"
        assert box.value == str(tmp_path / "mising.txt"), "the text is kept, to be corrected"
        assert "mising.txt: no such file" in widget_text(app, "#import-error")
        box.value = str(tmp_path)  # a folder is not a file either
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ImportPrompt"
        assert "is a directory" in widget_text(app, "#import-error") or "folder" in widget_text(app, "#import-error")
        page = tmp_path / "page.txt"
        page.write_text("A Paper Typed Right\n\nIts abstract.\n")
        box.value = str(page)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is queue_screen(app)
        assert "A Paper Typed Right" in [p.title for p in queue_screen(app).queue.rows]


async def test_tab_cycles_through_path_completions_and_shows_them(pq_home: Path, tmp_path: Path) -> None:
    seed_store(pq_home)
    for name in ("feed-b.xml", "feed-a.xml", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "feeds").mkdir()
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("i")
        box = app.screen.query_one("#import-path")
        box.value = str(tmp_path / "fe")
        await pilot.press("tab")
        await settle(pilot)
        assert box.value == str(tmp_path / "feed-a.xml")
        shown = widget_text(app, "#import-candidates")
        assert "3 matches" in shown and "feed-a.xml" in shown and "feed-b.xml" in shown and "feeds/" in shown
        await pilot.press("tab")
        await settle(pilot)
        assert box.value == str(tmp_path / "feed-b.xml")
        await pilot.press("tab", "tab")
        await settle(pilot)
        assert box.value == str(tmp_path / "feed-a.xml"), "round again after the last"
        await pilot.press(*["backspace"] * len("feed-a.xml"), *"no", "tab")
        await settle(pilot)
        assert box.value == str(tmp_path / "notes.txt"), "after typing, tab completes what is typed now"


def test_tags_split_on_spaces_and_commas_and_compare_in_any_case() -> None:
    assert parse_tags("ml,nlp, vision  #RL") == ("ml", "nlp", "vision", "RL")
    assert parse_tags("ML ml Ml") == ("ML",)
    assert parse_tags("ML, Vision", ["ml", "vision"]) == ("ml", "vision"), "spelled as the tag already in use"


async def test_the_tag_prompt_completes_with_tab_and_keeps_one_spelling(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        plist = paper_list(app)
        await pilot.press("t", *"machine-learning,mamba", "enter")
        await settle(pilot)
        first = plist.paper.key
        assert app.store.state(first).tags == ("machine-learning", "mamba")
        await pilot.press("j", "t", *"MA", "tab")
        await settle(pilot)
        box = app.screen.query_one("#tag-input")
        assert box.value == "machine-learning"
        assert "2 matches" in widget_text(app, "#tag-candidates")
        await pilot.press("tab")
        assert box.value == "mamba"
        await pilot.press(*", MACHINE-LEARNING", "enter")
        await settle(pilot)
        assert app.store.state(plist.paper.key).tags == ("mamba", "machine-learning"), "one spelling per tag"
        await pilot.press("k", "t")
        box = app.screen.query_one("#tag-input")
        box.value = "MAMBA Machine-Learning"
        await pilot.press("enter")
        await settle(pilot)
        assert app.store.state(first).tags == ("machine-learning", "mamba"), "the same tags in another case: no change"
