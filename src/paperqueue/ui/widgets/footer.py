"""The main screen's footer: every shown key on a wide terminal; on a
narrow one only the essentials, and in between every key but those that
need room (``WIDER``), so `/ Search` and `q Quit` always fit (Textual's
Footer would cut the row at the right edge)."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW = 100  # columns below which only the essentials are shown
ESSENTIAL = {"app.help", "help", "toggle_star", "toggle_read", "read_and_next", "search", "quit",
             "find", "next_match(1)", "abstract"}  # the full text's own (F)
WIDER = {"fetch": 112}  # action -> columns it needs before it is shown


class QueueFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._tier: tuple[bool, ...] | None = None

    @staticmethod
    def _tier_of(width: int) -> tuple[bool, ...]:
        return (width < NARROW, *(width < need for need in WIDER.values()))

    def compose(self):
        width = self.app.size.width
        self._tier = self._tier_of(width)
        narrow = width < NARROW
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                if narrow and widget.action not in ESSENTIAL:
                    continue
                if width < WIDER.get(widget.action, 0):
                    continue
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        if self._tier is not None and self._tier_of(self.app.size.width) != self._tier:
            self.refresh(recompose=True)
