"""Finding words in a full text (``/`` while reading it): the words, to
type (a fast ``/word`` burst lands here); ``enter`` finds them (``enter``
alone: the last words again, from where the text is now), ``escape``
cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from paperqueue.core.text import one_line
from paperqueue.ui.screens.typing_prompt import TypingPrompt
from paperqueue.ui.widgets.completing_input import PromptInput


class FindPrompt(TypingPrompt[str | None]):
    DEFAULT_CSS = """
    FindPrompt {
        align: center bottom;
    }
    #find-box {
        width: 70;
        max-width: 95%;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
        margin-bottom: 2;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, last: str = "") -> None:
        super().__init__()
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(id="find-box"):
            yield Static(Text("Find in the full text: enter finds, then n / N; escape cancels.", style="dim"))
            hint = f"words to find (enter alone: {one_line(self.last)[:40]})" if self.last.strip() else "words to find"
            yield PromptInput("", id="find-input", placeholder=hint)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value if event.value.strip() else self.last)

    def action_cancel(self) -> None:
        self.dismiss(None)
