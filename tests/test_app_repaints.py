"""A `j` repaints what changed, not the whole screen (issue 10, "A
keystroke never lags"): the sidebar and the list's border are left alone
when a move changes neither, and the status line only when its text changed."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import make_app, seed_store, settle, wait_loaded

from paperqueue.ui.widgets.sidebar import Sidebar
from paperqueue.ui.widgets.status import StatusLine


async def test_moving_the_cursor_leaves_the_sidebar_and_the_list_border_alone(pq_home: Path, monkeypatch) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    refreshed: list[str] = []
    real = Sidebar.refresh

    def counting(self, *args, **kwargs):
        refreshed.append("sidebar")
        return real(self, *args, **kwargs)

    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await settle(pilot)
        monkeypatch.setattr(Sidebar, "refresh", counting)
        screen = app.screen
        titles: list[object] = []
        for _ in range(5):
            await pilot.press("j")
            titles.append(screen.paper_list.border_title)
        await settle(pilot)
        assert refreshed == [], "a move repainted the sidebar"
        assert all(t is titles[0] for t in titles), "the list's border title was set again"
        status = app.query_one(StatusLine)
        before = status._text
        screen.refresh_views()
        assert status._text is before, "an unchanged status line is not rebuilt on screen"
        await pilot.press("s")
        await settle(pilot)
        assert refreshed, "a star changes the counts: the sidebar repaints"
