"""Keys typed right after the key that opens a prompt (``t``, ``i``, ``e``)
belong to the prompt: a fast typist's first letters arrive before the prompt
has put its text box in focus, and must land in the box, not be lost (or act
on the list behind it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from pilot_helpers import make_app, queue_screen, seed_store, settle, wait_loaded


def burst(app, text: str) -> None:
    """Post keys the way a terminal delivers a fast burst: all at once,
    before the app has handled the first one."""
    for char in text:
        key = {"\r": "enter", " ": "space", "/": "slash", ".": "full_stop", "~": "tilde", "-": "minus", "_": "underscore"}.get(char, char)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def tags_typed_not_acted_on(app, pilot, first) -> None:  # noqa: ANN001
    """After ``t`` then ``srx``: the letters are in the tag prompt, in order,
    and none of them starred, read or removed the paper behind it."""
    await settle(pilot)
    assert app.screen.__class__.__name__ == "TagPrompt"
    assert app.screen.query_one("#tag-input").value == "srx"
    await pilot.press("escape")
    await settle(pilot)
    state = app.store.state(first.key)
    assert not state.starred and not state.read and not state.removed, "the letters did not act on the list"


async def test_letters_typed_right_after_t_land_in_the_tag_prompt(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        first = queue_screen(app).paper_list.paper
        burst(app, "tsrx")
        await tags_typed_not_acted_on(app, pilot, first)


async def test_a_path_typed_right_after_i_lands_in_the_import_prompt(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        burst(app, "i~/papers.bib")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ImportPrompt"
        assert app.screen.query_one("#import-path").value.endswith("~/papers.bib")


async def test_words_typed_right_after_e_land_in_the_note(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        burst(app, "eread me")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "NoteEditor"
        assert app.screen.query_one("TextArea").text == "read me"


async def test_y_typed_right_after_A_answers_its_question(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        burst(app, "Ay")
        await settle(pilot)
        assert app.screen is queue_screen(app), "the question was answered"
        assert all(app.store.state(p.key).read for p in app.store.papers.values())


async def test_letters_typed_right_after_slash_are_the_query_not_keys(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        first = queue_screen(app).paper_list.paper
        burst(app, "/cats")  # c: copy menu, s: star, on the list
        await settle(pilot)
        assert app.screen is queue_screen(app), "no copy menu opened"
        assert app.screen.query_one("#search").value == "cats"
        assert not app.store.state(first.key).starred


async def test_a_prompt_answered_within_the_burst_gives_the_rest_back_to_the_list(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        first = queue_screen(app).paper_list.paper
        burst(app, "tml\rj")
        await settle(pilot)
        assert app.store.state(first.key).tags == ("ml",)
        assert app.screen is queue_screen(app)
        assert queue_screen(app).paper_list.cursor == 1, "the j after enter moved the list"


async def test_keys_typed_after_enter_on_a_bad_path_stay_in_the_import_prompt(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        burst(app, "inope\rx")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ImportPrompt", "a bad path keeps the prompt open"
        assert app.screen.query_one("#import-path").value == "nopex"


async def trickle(app, text: str, turns: int) -> None:
    """Keys one at a time, a few turns of the event loop apart: a browser
    sends each key in its own websocket message (``paperqueue serve``), a
    slow SSH link splits a burst. Each turn lets the app handle a little
    more between two keys, so every interleaving of the old and new focus
    is tried across the turns."""
    import asyncio

    for char in text:
        burst(app, char)
        for _ in range(turns):
            await asyncio.sleep(0)


@pytest.mark.parametrize("turns", [0, 1, 2, 3, 4, 6, 10])
async def test_a_query_trickling_in_after_slash_keeps_its_order(pq_home: Path, turns: int) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        await trickle(app, "/diffusion", turns)
        await settle(pilot)
        assert app.screen.query_one("#search").value == "diffusion"
        assert app.screen.__class__.__name__ == "QueueScreen"  # no letter opened the import prompt (i) or another


@pytest.mark.parametrize("turns", [1, 2, 3, 5])
async def test_tags_trickling_in_after_t_keep_their_order_and_leave_the_list_alone(pq_home: Path, turns: int) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        first = queue_screen(app).paper_list.paper
        await trickle(app, "tsrx", turns)
        await tags_typed_not_acted_on(app, pilot, first)
