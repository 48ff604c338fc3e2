"""What the person sees: the main screen and the help screen at 120x40."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import make_app, seed_store, settle, wait_loaded


def test_main_screen(snap_compare, pq_home: Path) -> None:
    seed_store(pq_home)

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("j", "s", "j", "r", "j")
        await settle(pilot)  # saves and the abstract load finish first

    assert snap_compare(make_app(pq_home), terminal_size=(120, 40), run_before=ready)


def test_help_screen(snap_compare, pq_home: Path) -> None:
    seed_store(pq_home)

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(120, 40), run_before=ready)


def test_main_screen_80x24(snap_compare, pq_home: Path) -> None:
    seed_store(pq_home)

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("j", "s", "j", "r")
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(80, 24), run_before=ready)


def test_main_screen_160x50_with_tags_and_selection(snap_compare, pq_home: Path) -> None:
    seed_store(pq_home)

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("t", *"ml", "enter", "v", "j", "v", "j")
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(160, 50), run_before=ready)
