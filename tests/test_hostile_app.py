"""Issue 9 "Proof", the app's part: the hostile inputs of
test_hostile_outputs.py in every field of a paper, shown in the app.  The
whole rendered screen (every strip the compositor draws) holds no control,
bidi or invisible character, Rich markup in the data shows literally, and
the list's columns stay where they are."""

from __future__ import annotations

import json
from pathlib import Path

from pilot_helpers import make_app, seed_store, settle, wait_loaded
from rich.cells import cell_len
from test_hostile_outputs import HOSTILE, TERMINAL_BAD, rows


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def assert_screen_clean(app, where: str) -> list[str]:
    lines = screen_lines(app)
    for number, line in enumerate(lines):
        bad = TERMINAL_BAD.search(line)
        assert bad is None, f"{where}, line {number}: {bad.group()!r} in {line!r}"
        assert cell_len(line) == app.size.width, f"{where}, line {number} is {cell_len(line)} cells: {line!r}"
    return lines


async def test_the_screen_shows_hostile_text_literally(pq_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "hostile\x1b]0;t\x07.json"
    source.write_text(json.dumps(rows(), ensure_ascii=False), encoding="utf-8")
    seed_store(pq_home, source)
    app = make_app(pq_home)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        frames = ["\n".join(assert_screen_clean(app, "start"))]
        assert "Paper 18 [bold red]markup[/bold red] [/]" in frames[0], "Rich markup in a title shows literally"
        for _ in range(len(HOSTILE) - 1):  # each paper in the reader
            await pilot.press("j")
            await settle(pilot)
            frames.append("\n".join(assert_screen_clean(app, "reader")))
        assert "Paper 18 [bold red]markup[/bold red] [/]" in "\n".join(frames), "in the reader too"
        assert "[link=https://evil.example]link[/link]" in frames[-1]
        assert app.is_running, "[@click=app.quit] in a title did nothing"
