"""The main screen's footer: every shown key on a wide terminal; on a
narrow one only the essentials, so `/ Search` and `q Quit` always fit
(Textual's Footer would cut the row at the right edge)."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW = 100  # columns below which only the essentials are shown
ESSENTIAL = {"app.help", "help", "toggle_star", "toggle_read", "read_and_next", "search", "quit"}


class QueueFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._narrow: bool | None = None

    def compose(self):
        narrow = self.app.size.width < NARROW
        self._narrow = narrow
        for widget in super().compose():
            if narrow and isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                if widget.action not in ESSENTIAL:
                    continue
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        if self._narrow is not None and (self.app.size.width < NARROW) != self._narrow:
            self.refresh(recompose=True)
