"""Renaming a tag or an import batch (``E`` in its view): the current name,
to edit; ``enter`` renames, ``escape`` cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from paperqueue.core.text import one_line
from paperqueue.ui.screens.typing_prompt import TypingPrompt
from paperqueue.ui.widgets.completing_input import PromptInput


class RenamePrompt(TypingPrompt[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str, current: str) -> None:
        super().__init__()
        self.what = what  # "tag #ml", 'batch "x.bib 2026-12-02"'
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-box"):
            yield Static(Text(f"Rename {one_line(self.what)}: enter renames, escape cancels."))
            yield PromptInput(self.current, id="rename-input", select_on_focus=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
