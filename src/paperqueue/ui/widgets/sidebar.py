"""The sidebar: the views with live counts, then the import batches (newest
first) with their unread counts. Click a line to switch."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from paperqueue.core.queue import VIEW_TITLES, VIEWS, batch_view, tag_view


class Sidebar(Widget, can_focus=False):
    DEFAULT_CLASSES = "pane"

    class ViewChosen(Message):
        def __init__(self, view: str) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = "all"
        self.counts: dict[str, int] = dict.fromkeys(VIEWS, 0)
        self.batches: list[tuple[int, str, int]] = []  # (number, name, unread), newest first
        self.tags: dict[str, int] = {}  # tag -> unread
        self._lines: list[str] = []  # the view each drawn line switches to

    def update_views(
        self,
        view: str,
        counts: dict[str, int],
        batches: list[tuple[int, str, int]],
        tags: dict[str, int] | None = None,
    ) -> None:
        tags = dict(tags or {})
        if view == self.view and counts == self.counts and batches == self.batches and tags == self.tags:
            return  # a move of the cursor: nothing here changed, nothing to repaint
        self.view = view
        self.counts = dict(counts)
        self.batches = batches
        self.tags = tags
        self.refresh()

    def _line(self, label: str, count: int, current: bool, width: int) -> Text:
        # Measured in cells, as the terminal draws them (CJK and emoji are two).
        number = f"{count:,} "
        room = max(1, width - len(number) - 1)
        if cell_len(label) > room:
            label = set_cell_size(label, room - 1) + "…"
        line = Text(set_cell_size(label, room + 1), style="bold" if current else "")
        line.append(number, style="" if current else "dim")
        if current:
            line.stylize("reverse")
        return line

    def render(self) -> Text:
        width = max(self.size.width, 12)
        text = Text()
        self._lines = []
        for number, view in enumerate(VIEWS, start=1):
            text.append_text(self._line(f" {number} {VIEW_TITLES[view]}", self.counts.get(view, 0), view == self.view, width))
            text.append("\n")
            self._lines.append(view)
        if self.tags:
            text.append("\n Tags (T)\n", style="dim")
            self._lines += ["", ""]
            for tag, unread in self.tags.items():
                view = tag_view(tag)
                text.append_text(self._line(f" #{tag}", unread, view == self.view, width))
                text.append("\n")
                self._lines.append(view)
        if self.batches:
            text.append("\n Batches (b)\n", style="dim")
            self._lines += ["", ""]
            room = max(0, self.size.height - len(self._lines))
            for batch, name, unread in self.batches[:room]:
                view = batch_view(batch)
                text.append_text(self._line(f" {name}", unread, view == self.view, width))
                text.append("\n")
                self._lines.append(view)
        text.rstrip()
        return text

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and 0 <= offset.y < len(self._lines) and self._lines[offset.y]:
            self.post_message(self.ViewChosen(self._lines[offset.y]))
