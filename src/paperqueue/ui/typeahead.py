"""Keys typed right after a key that opens a prompt or a menu go to it.

A terminal delivers a fast burst (``t`` then ``ml``, ``A`` then ``y``) at
once, and Textual sends every key of it to the widget that had the focus on
arrival: the list. The first key pushes the prompt; the others come back up
to the app only afterwards, where they are checked against the prompt's
keys and, having no binding there, dropped: the person's letters are lost.
A screen that says when it was opened (``opened_at``, see
:class:`paperqueue.ui.screens.typing_prompt.TypingPrompt`), or a text box
that says when it took the focus (the search box after ``/``), gets such
keys sent to it again, in order, as if typed now.
"""

from __future__ import annotations

from textual import events
from textual._time import get_time


class OpenedAt:
    """Mixed into a screen: it knows when it was opened, on the clock key
    events use. A key older than the screen was typed in the same burst as
    the key that opened it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.opened_at = get_time()


class TypeAheadMixin:
    """Mixed into the App, before :class:`textual.app.App`."""

    def on_key(self, event: events.Key) -> None:
        opened_at = getattr(self.screen, "opened_at", None) or getattr(self.focused, "opened_at", None)  # type: ignore[attr-defined]
        if opened_at is None or not event.is_forwarded or event.time >= opened_at:
            return
        # Stops App._on_key too (later in the MRO): no binding is checked twice.
        event.prevent_default()
        event.stop()
        self.post_message(events.Key(event.key, event.character))  # type: ignore[attr-defined]
