"""One `j` repaints the two changed rows, the reader and the status line,
in one layout pass, not the whole screen twice (issue 10, "A keystroke
never lags"). What is counted is what the app sends to the terminal: the
screen updates (which cells) and the layout passes behind them."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import make_app, paper_list, seed_store, settle, wait_loaded
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.app import App

from paperqueue.ui.widgets.reader import Reader
from paperqueue.ui.widgets.status import StatusLine


async def _press_and_record(pilot, monkeypatch, key: str = "j") -> tuple[list[object], int]:
    updates: list[object] = []
    layouts = 0
    display, reflow = App._display, Compositor.reflow

    def recording_display(self, screen, renderable):
        if renderable is not None:
            updates.append(renderable)
        return display(self, screen, renderable)

    def counting_reflow(self, parent, size):
        nonlocal layouts
        layouts += 1
        return reflow(self, parent, size)

    monkeypatch.setattr(App, "_display", recording_display)
    monkeypatch.setattr(Compositor, "reflow", counting_reflow)
    await pilot.press(key)
    await pilot.pause(0.8)  # past the position save half a second later
    await settle(pilot)
    monkeypatch.setattr(App, "_display", display)
    monkeypatch.setattr(Compositor, "reflow", reflow)
    return updates, layouts


async def test_a_j_repaints_two_rows_the_reader_and_the_status_line_once(pq_home: Path, monkeypatch) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.pause(0.8)
        await settle(pilot)
        papers = paper_list(app)
        # A few moves first: the reader has been filled and laid out before.
        for _ in range(3):
            await pilot.press("j")
        await pilot.pause(0.8)
        await settle(pilot)
        before = papers.cursor
        reader = app.screen.query_one(Reader).region
        status = app.screen.query_one(StatusLine).region
        rows = papers.content_region
        top = round(papers.scroll_offset.y)
        updates, layouts = await _press_and_record(pilot, monkeypatch)
        assert papers.cursor == before + 1
        assert round(papers.scroll_offset.y) == top, "the list did not scroll (the sample fits)"
        assert not [u for u in updates if isinstance(u, LayoutUpdate)], "a j repainted the whole screen"
        changed_rows = {rows.y + before - top, rows.y + before + 1 - top}
        reader_paints = 0
        for update in updates:
            assert isinstance(update, ChopsUpdate)
            in_reader = 0
            for y, x1, x2 in update.spans:
                if reader.contains(x1, y) and x2 <= reader.right:
                    in_reader += x2 - x1
                    continue
                if status.contains(x1, y):
                    continue
                assert y in changed_rows and rows.x <= x1 and x2 <= rows.right, (
                    f"line {y} (cells {x1}-{x2}) repainted: neither a changed row, the reader nor the status line"
                )
            reader_paints += in_reader > reader.area // 2  # its scrollbar alone is not a repaint
        assert reader_paints <= 1, f"the reader was repainted {reader_paints} times"
        assert layouts <= 1, f"{layouts} layout passes for one j"
