"""What the sidebar draws with 25 tags and 16 batches (issue 10 item 7):
at 200x60 it is 34 columns wide and shows every row, whole names and
dates; at 100x24 (the narrowest terminal with a sidebar) tags and batches
share the height, each with "↓ N more", the tag chosen with T in sight;
at 80x24 the sidebar gives way to the list and reader (its views stay on
1-4, T, b)."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import make_app, settle, wait_loaded
from sidebar_queue import build_many


def test_sidebar_200x60_many_tags_and_batches(snap_compare, pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("b", "b", "b", "b")  # the fourth newest batch (03-09), drawn reversed
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(200, 60), run_before=ready)


def test_sidebar_100x24_many_tags_and_batches(snap_compare, pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press(*"T" * 9)  # the ninth tag: below the first window
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(100, 24), run_before=ready)


def test_sidebar_80x24_many_tags_and_batches(snap_compare, pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("T")
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(80, 24), run_before=ready)
