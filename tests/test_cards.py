"""Triage mode (``f``, issue 12): one paper at a time in the view's order;
s / space / r / x act and move on, t and e stay, u goes back to the card
it undoes, escape leaves with the list's cursor on the last card shown; a
summary at the end and y copying the starred ones as Markdown. Every change
is the list's undoable action (asserted on disk and in the history)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperqueue.core.store import Store
from paperqueue.ui.screens.cards import CardsScreen, elapsed_label
from paperqueue.ui.screens.queue import QueueScreen

from pilot_helpers import make_app, notifications, paper_list, queue_screen, seed_store, settle, wait_loaded


def stored(home: Path) -> Store:
    return Store.open(home, lock=False)


def cards(app) -> CardsScreen:
    assert isinstance(app.screen, CardsScreen), app.screen
    return app.screen


def progress(app) -> str:
    return str(app.screen.query_one("#cards-progress").render())


def card_title(app) -> str:
    return str(app.screen.query_one("#reader-title").render())


async def open_cards(pilot) -> CardsScreen:
    await pilot.press("f")
    await settle(pilot)
    return cards(pilot.app)


async def test_f_shows_the_highlighted_paper_first_in_the_views_order(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        rows = queue_screen(app).queue.rows
        await pilot.press("j", "j")
        screen = await open_cards(pilot)
        assert [p.key for p in screen.cards] == [p.key for p in rows]
        assert card_title(app) == rows[2].display_title
        assert progress(app) == "Triage: All · 3 of 79 · 0 starred · <1 min"
        # The whole abstract, from the store.
        store = app.store
        abstract = str(app.screen.query_one("#reader-abstract").render())
        assert abstract == store.details(rows[2].key).abstract


async def test_star_read_remove_move_on_and_land_on_disk_as_list_actions(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        rows = list(queue_screen(app).queue.rows)
        await open_cards(pilot)
        await pilot.press("s")
        assert card_title(app) == rows[1].display_title
        await pilot.press("space")
        assert card_title(app) == rows[2].display_title
        await pilot.press("r")
        assert card_title(app) == rows[3].display_title
        await pilot.press("x")
        assert card_title(app) == rows[4].display_title
        assert progress(app).startswith("Triage: All · 5 of 79 · 1 starred · ")
        # The list underneath already shows it: the removed paper left the view.
        assert rows[3].key not in queue_screen(app).queue.keys()
        labels = [a.label for a in app.writer.history.undo_stack]
        assert labels == ["Starred 1 paper", "Marked 1 paper read", "Marked 1 paper read", "Removed 1 paper"]
        await settle(pilot)
    store = stored(pq_home)
    assert store.state(rows[0].key).starred and not store.state(rows[0].key).read
    assert store.state(rows[1].key).read and store.state(rows[2].key).read
    assert store.state(rows[3].key).removed
    store.close()


async def test_undo_goes_back_to_the_previous_card_with_the_change_reverted(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        rows = list(queue_screen(app).queue.rows)
        await open_cards(pilot)
        await pilot.press("s", "x")
        assert card_title(app) == rows[2].display_title
        await pilot.press("u")
        assert card_title(app) == rows[1].display_title
        assert not app.store.state(rows[1].key).removed
        assert rows[1].key in queue_screen(app).queue.keys()
        await pilot.press("u")
        assert card_title(app) == rows[0].display_title
        assert not app.store.state(rows[0].key).starred
        assert progress(app).startswith("Triage: All · 1 of 79 · 0 starred")
        await pilot.press("u")
        assert any("Nothing to undo in this triage" in n for n in notifications(app))
        assert isinstance(app.screen, CardsScreen)
        await settle(pilot)
    store = stored(pq_home)
    assert not any(s.starred or s.removed for s in store.states.values())
    store.close()


async def test_s_on_a_starred_card_unstars_it_and_stays(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        rows = list(queue_screen(app).queue.rows)
        await open_cards(pilot)
        await pilot.press("s", "k")  # starred, then back to it
        assert card_title(app) == rows[0].display_title
        assert progress(app).startswith("Triage: All · 1 of 79 · 1 starred")
        await pilot.press("s")  # the list's toggle: unstarred, on the same card
        assert not app.store.state(rows[0].key).starred
        assert card_title(app) == rows[0].display_title
        assert "☆ not starred" in str(app.screen.query_one("#reader-meta").render())
        assert progress(app).startswith("Triage: All · 1 of 79 · 0 starred")
        assert [a.label for a in app.writer.history.undo_stack] == ["Starred 1 paper", "Unstarred 1 paper"]
        await pilot.press("j", "s")  # an unstarred card: starred, on to the next
        assert card_title(app) == rows[2].display_title
        assert progress(app).startswith("Triage: All · 3 of 79 · 1 starred")
        await settle(pilot)
    store = stored(pq_home)
    assert not store.state(rows[0].key).starred and store.state(rows[1].key).starred
    store.close()


async def test_a_card_starred_before_triage_unstarred_is_not_counted_as_starred(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        rows = list(queue_screen(app).queue.rows)
        await pilot.press("G", "s", "k")  # the last paper starred in the list; the cursor on the one before
        await open_cards(pilot)
        await pilot.press("r")
        assert card_title(app) == rows[-1].display_title
        await pilot.press("s")  # unstars it, stays
        assert card_title(app) == rows[-1].display_title and not app.store.state(rows[-1].key).starred
        await pilot.press("j")
        summary = str(app.screen.query_one("#cards-summary").render())
        assert "0  starred" in summary and "1  read" in summary
        assert "y copies" not in summary


async def test_ctrl_r_redoes_what_u_undid_and_moves_on_as_its_key_did(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        rows = list(queue_screen(app).queue.rows)
        await open_cards(pilot)
        footer = [(k.key_display, k.description) for k in app.screen.query("FooterKey")]
        assert ("u", "Undo") in footer and ("^r", "Redo") in footer, footer
        await pilot.press("s", "x", "t", *"ml", "enter")
        await settle(pilot)
        assert card_title(app) == rows[2].display_title
        await pilot.press("u", "u", "u")
        assert card_title(app) == rows[0].display_title
        assert not app.store.state(rows[0].key).starred and not app.store.state(rows[1].key).removed
        await pilot.press("ctrl+r")  # the star again, and on to the next card
        assert app.store.state(rows[0].key).starred
        assert card_title(app) == rows[1].display_title
        assert progress(app).startswith("Triage: All · 2 of 79 · 1 starred")
        await pilot.press("ctrl+r")  # the removal again, and on
        assert app.store.state(rows[1].key).removed and rows[1].key not in queue_screen(app).queue.keys()
        assert card_title(app) == rows[2].display_title
        await pilot.press("ctrl+r")  # the tag again: it stays on its card
        await settle(pilot)
        assert app.store.state(rows[2].key).tags == ("ml",)
        assert card_title(app) == rows[2].display_title
        await pilot.press("ctrl+r")
        assert any("Nothing to redo in this triage" in n for n in notifications(app))
        # A new change clears what there was to redo.
        await pilot.press("u", "r", "ctrl+r")
        assert app.store.state(rows[2].key).tags == () and card_title(app) == rows[3].display_title
        assert app.writer.history.redo_stack == []
        await settle(pilot)
    store = stored(pq_home)
    assert store.state(rows[0].key).starred and store.state(rows[1].key).removed
    assert store.state(rows[2].key).tags == () and store.state(rows[2].key).read
    store.close()


async def test_tag_and_note_stay_on_the_card_and_undo_as_one_step_each(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        first = queue_screen(app).queue.rows[0]
        await open_cards(pilot)
        await pilot.press("t", *"ml", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CardsScreen)
        assert app.store.state(first.key).tags == ("ml",)
        assert card_title(app) == first.display_title
        assert "#ml" in str(app.screen.query_one("#reader-meta").render())
        await pilot.press("e", *"good", "ctrl+s")
        await settle(pilot)
        assert app.store.state(first.key).note == "good"
        assert "good" in str(app.screen.query_one("#reader-note").render())
        await pilot.press("u")
        assert app.store.state(first.key).note == "" and app.store.state(first.key).tags == ("ml",)
        assert card_title(app) == first.display_title
        await settle(pilot)
    store = stored(pq_home)
    assert store.state(first.key).tags == ("ml",) and store.state(first.key).note == ""
    store.close()


async def test_escape_leaves_with_the_cursor_on_the_last_card_shown(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        rows = list(queue_screen(app).queue.rows)
        await open_cards(pilot)
        await pilot.press("r", "r", "r")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert paper_list(app).paper.key == rows[3].key
        # Removing the last card shown: the cursor goes to the next one that stays.
        await open_cards(pilot)
        assert card_title(app) == rows[3].display_title
        await pilot.press("x", "k", "escape")
        await settle(pilot)
        assert paper_list(app).paper.key == rows[4].key


async def test_the_summary_counts_and_y_copies_the_starred_as_markdown(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        rows = list(queue_screen(app).queue.rows)
        await pilot.press("G", "k", "k", "k")  # four cards left
        await open_cards(pilot)
        await pilot.press("s", "x", "s", "space")
        await settle(pilot)
        summary = str(app.screen.query_one("#cards-summary").render())
        assert "Triage of All done: 4 of 79 papers seen, <1 min" in summary
        assert "2  starred" in summary and "1  read" in summary and "1  removed" in summary
        assert "y copies the 2 starred papers as a Markdown list" in summary
        assert progress(app).startswith("Triage: All · done · 2 starred")
        await pilot.press("y")
        await settle(pilot)
        starred = [rows[-4], rows[-2]]
        assert app.clipboard == "\n".join(f"- [{p.display_title}]({p.primary_link})" for p in starred)
        assert any("Copied Markdown links of 2 starred papers" in n for n in notifications(app))
        # u from the summary: back to the last card, its change undone.
        await pilot.press("u")
        assert card_title(app) == rows[-1].display_title
        assert not app.store.state(rows[-1].key).read
        await pilot.press("escape")
        await settle(pilot)
        assert paper_list(app).paper.key == rows[-1].key


async def test_y_and_o_on_a_card(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        second = queue_screen(app).queue.rows[1]
        await pilot.press("j")
        await open_cards(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == second.primary_link
        app.copy_to_clipboard("before")
        await pilot.press("o")  # no display in tests: copies instead
        await settle(pilot)
        assert app.clipboard == second.primary_link
        assert any("No graphical browser" in n for n in notifications(app))


async def test_an_empty_view_opens_no_cards(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("2", "f")  # nothing starred
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert any("Nothing to triage in Starred" in n for n in notifications(app))


KEYS = [("s", "star"), ("r", "mark read"), ("space", "mark read"), ("x", "remove"), ("t", "tag"),
        ("e", "edit the note"), ("u", "undo"), ("ctrl+r", "redo")]


@pytest.mark.parametrize("key,what", KEYS, ids=[k for k, _ in KEYS])
async def test_read_only_the_card_keys_say_so_and_change_nothing(pq_home: Path, key: str, what: str) -> None:
    seed_store(pq_home)
    writer = Store.open(pq_home)  # another paperqueue holds the queue
    try:
        app = make_app(pq_home)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot)
            assert app.store.read_only
            await open_cards(pilot)  # f itself only looks
            before = dict(app.store.states)
            title = card_title(app)
            await pilot.press(key)
            await settle(pilot)
            said = [n for n in notifications(app) if n.startswith(f"Cannot {what}:")]
            assert said == [f"Cannot {what}: the queue is open read-only (another paperqueue has it)"], notifications(app)
            assert isinstance(app.screen, CardsScreen), "no prompt opens"
            assert card_title(app) == title and app.store.states == before
    finally:
        writer.close()


def test_elapsed_label() -> None:
    assert [elapsed_label(s) for s in (0, 59, 60, 150, 3900)] == ["<1 min", "<1 min", "1 min", "2 min", "1 h 5 min"]
