"""The note editor (``e``) re-wraps its text to the width it has after a
terminal resize, and the place being typed at stays in sight."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.geometry import Region
from textual.widgets import TextArea

from paperqueue.resources import style_paths
from paperqueue.ui.screens.note_editor import NoteEditor

NOTE = "\n\n".join(" ".join(f"p{p}w{i}" for i in range(60)) for p in range(8))


class _Host(App):
    CSS_PATH = [str(path) for path in style_paths()]

    def __init__(self) -> None:
        super().__init__()
        self.saved: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(NoteEditor("A paper with a note", NOTE), self.saved.append)


def cursor_in_sight(area: TextArea) -> bool:
    row = area.wrapped_document.location_to_offset(area.cursor_location).y
    top = round(area.scroll_offset.y)
    return top <= row < top + area.scrollable_content_region.height


def drawn_lines(area: TextArea) -> list[str]:
    width, height = area.size
    return [strip.text for strip in area.render_lines(Region(0, 0, width, height))]


@pytest.mark.parametrize("sizes", [[(200, 60), (80, 24)], [(80, 24), (200, 60), (60, 20)], [(120, 40), (60, 20), (200, 60)]])
async def test_resizes_rewrap_and_keep_the_cursor_in_sight(sizes: list[tuple[int, int]]) -> None:
    app = _Host()
    async with app.run_test(size=sizes[0]) as pilot:
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        assert area.cursor_location == area.document.end
        for size in sizes[1:]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            box = app.screen.query_one("#note-box")
            assert app.screen.region.contains_region(box.region)
            assert area.wrap_width <= area.scrollable_content_region.width
            words = [word for line in drawn_lines(area) for word in line.split() if word[0] == "p"]
            assert words and all(len(line.rstrip()) <= area.size.width for line in drawn_lines(area))
            assert cursor_in_sight(area), f"after resizing to {size} the cursor is out of sight"


async def test_saving_after_a_resize_keeps_every_word() -> None:
    app = _Host()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("space", "e", "n", "d")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
    assert app.saved == [NOTE + " end"]


async def test_the_footer_shows_the_editors_keys() -> None:
    from textual.widgets._footer import FooterKey

    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = {key.description for key in app.screen.query(FooterKey)}
        assert {"Save", "Cancel"} <= shown
