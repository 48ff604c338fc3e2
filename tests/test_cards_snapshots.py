"""Triage mode (f) as the person sees it: a card at 80x24, the summary at 200x60."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperqueue.ui.screens.cards import CardsScreen

from pilot_helpers import make_app, seed_store, settle, wait_loaded


@pytest.fixture(autouse=True)
def still_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CardsScreen, "clock", staticmethod(lambda: 1000.0))  # the progress line's minutes stay put


def test_card_80x24(snap_compare, pq_home: Path) -> None:
    seed_store(pq_home)

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("f", "s", "space")
        await settle(pilot)  # the abstract load and saves finish first

    assert snap_compare(make_app(pq_home), terminal_size=(80, 24), run_before=ready)


def test_card_200x60(snap_compare, pq_home: Path) -> None:
    seed_store(pq_home)

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("j", "t", *"ml", "enter", "f")
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(200, 60), run_before=ready)


def test_summary_200x60(snap_compare, pq_home: Path) -> None:
    seed_store(pq_home)

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("G", "k", "k", "f", "s", "x", "r")
        await settle(pilot)

    assert snap_compare(make_app(pq_home), terminal_size=(200, 60), run_before=ready)
