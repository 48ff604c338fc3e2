"""The sidebar: one line per view, with live counts; click to switch."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from paperqueue.core.queue import VIEW_TITLES, VIEWS


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

    def update_views(self, view: str, counts: dict[str, int]) -> None:
        self.view = view
        self.counts = dict(counts)
        self.refresh()

    def render(self) -> Text:
        text = Text()
        width = max(self.size.width, 12)
        for number, view in enumerate(VIEWS, start=1):
            current = view == self.view
            label = f" {number} {VIEW_TITLES[view]}"
            count = f"{self.counts.get(view, 0)} "
            gap = " " * max(1, width - len(label) - len(count))
            line = Text(label + gap, style="bold" if current else "")
            line.append(count, style="" if current else "dim")
            if current:
                line.stylize("reverse")
            text.append_text(line)
            text.append("\n")
        text.rstrip()
        return text

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and 0 <= offset.y < len(VIEWS):
            self.post_message(self.ViewChosen(VIEWS[offset.y]))
