"""Prompts that take the keys typed right after the key that opened them.

A fast typist's burst (``t`` then ``ml``) reaches the prompt as it opens:
the app sends such keys on to it (:mod:`paperqueue.ui.typeahead`, by
:attr:`TypingPrompt.opened_at`), and letters that arrive before its text box
has the focus go into the box rather than to the screen, where nothing
would handle them.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, TextArea

from paperqueue.ui.typeahead import OpenedAt
from paperqueue.ui.widgets.completing_input import PromptInput

Result = TypeVar("Result")


class TypingPrompt(OpenedAt, ModalScreen[Result]):
    """Subclasses name their text box in :attr:`TYPING_INTO` (a selector)."""

    TYPING_INTO = "Input"

    def on_key(self, event: events.Key) -> None:
        if self.focused is not None or not event.is_printable or not event.character:
            return
        box: Widget = self.query_one(self.TYPING_INTO)
        box.focus()
        if isinstance(box, Input):
            box.insert_text_at_cursor(event.character)
        elif isinstance(box, TextArea):
            box.insert(event.character)
        event.stop()
        event.prevent_default()

    def _on_input_submitted(self, event: Input.Submitted) -> None:
        # Runs after the subclass's on_input_submitted (later in the MRO).
        if isinstance(event.input, PromptInput):
            event.input.release_held()
