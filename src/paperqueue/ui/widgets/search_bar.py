"""The search box. What a query does belongs to the queue screen; the box
routes its keys there (``enter`` keeps the filter, ``escape`` clears it).

Keys are handled here, in arrival order. Textual's Input types printable
keys in its own handler but runs bindings (backspace, enter) only after the
key bubbles up to the app, so in a fast burst ("model<BS><BS><enter>j",
from a paste or ``tmux send-keys``) the edits would land out of order.
"""

from __future__ import annotations

from textual import events
from textual._time import get_time
from textual.binding import Binding
from textual.widgets import Input

_IN_ORDER = {
    "backspace": "delete_left",
    "enter": "screen.keep_search",
    "down": "screen.keep_search",
    "escape": "screen.clear_search",
}


class SearchBar(Input):
    # Declared for the Footer and the palette; _on_key acts on them first.
    BINDINGS = [
        Binding("enter", "screen.keep_search", "Keep filter", tooltip="Keep the filter and return to the list"),
        Binding("escape", "screen.clear_search", "Clear search", tooltip="Clear the search and close the box"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="search titles and abstracts", id=id)
        # When "/" put the focus here: keys of the same burst, routed to the
        # list before that, are sent on to the box (ui/typeahead.py).
        self.opened_at: float | None = None

    def open(self) -> None:
        """Show the box with the current query, to edit, and take the focus."""
        self.display = True
        self.cursor_position = len(self.value)
        self.opened_at = get_time()
        self.screen.set_focus(self)

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls Input._on_key after this one unless prevent_default().
        if self.screen.focused is not self:
            # Typed after "enter" or "escape" moved focus, but routed here
            # before it moved: don't type it; let it bubble to the bindings
            # of the widget that has focus now.
            event.prevent_default()
            return
        action = _IN_ORDER.get(event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(action)
