"""What the list and the reader draw at 80x24 (issue 10 items 1, 2, 3, 13):
a paper from an arXiv feed with its authors, date, categories and labelled
links, a note mark in the list, a selected row and the cursor row."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT
from pilot_helpers import make_app, seed_store, settle, wait_loaded

FEED = ROOT / "tests" / "data" / "real" / "feeds" / "arxiv_api_all_science_2019-08-10.atom"


def test_reader_with_imported_details_80x24(snap_compare, pq_home: Path) -> None:
    seed_store(pq_home, FEED)

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("4", "g", "v", "v", "j", "e", *"compare with", "ctrl+s", "j")
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(80, 24), run_before=ready)
