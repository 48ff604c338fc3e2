"""The add prompt (``a``): arXiv ids, DOIs or paper URLs, several at once
(separated by spaces, commas or line breaks; a pasted list keeps every
line). Enter adds them; something that is not a paper keeps the prompt
open with the reason, to be corrected; escape cancels."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from paperqueue.core.text import clean_text, one_line
from paperqueue.ui.fetching import split_items
from paperqueue.ui.screens.typing_prompt import TypingPrompt
from paperqueue.ui.widgets.completing_input import PromptInput


class ItemsInput(PromptInput):
    """A pasted list (one id or URL a line) lands as one line, the lines
    separated by spaces; control characters are dropped."""

    def _on_paste(self, event: events.Paste) -> None:
        parts = clean_text(event.text).split()
        text = " ".join(parts)
        if text and self.value and not self.value[: self.cursor_position].endswith((" ", ",")):
            text = " " + text
        event.text = one_line(text)


class AddPrompt(TypingPrompt[list[str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, sources=None) -> None:  # noqa: ANN001 - the sources module (tests give fakes)
        super().__init__()
        self.sources = sources

    def compose(self) -> ComposeResult:
        with Vertical(id="add-box"):
            yield Static("Add papers: arXiv ids (2401.01234, hep-th/9901001), DOIs, or arxiv.org / doi.org / "
                         "huggingface.co/papers URLs; several separated by spaces or commas, or pasted one a line. "
                         "Enter adds them, escape cancels.", id="add-help")
            yield ItemsInput(placeholder="2401.01234 10.1000/xyz https://arxiv.org/abs/…", id="add-input",
                             select_on_focus=False)
            yield Static(id="add-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from paperqueue.core.adding import parse_items

        items = split_items(event.value)
        if not items:
            self.dismiss(None)
            return
        _found, errors = parse_items(items, self.sources)
        if errors:
            # The prompt stays, with the text, to be corrected.
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            self.query_one("#add-error", Static).update(Content.styled(one_line(errors[0].removeprefix("add: ") + more), "$error"))
            return
        self.dismiss(items)

    def action_cancel(self) -> None:
        self.dismiss(None)
