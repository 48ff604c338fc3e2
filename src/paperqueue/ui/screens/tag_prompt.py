"""Editing tags (``t``): the current tags as space-separated words; add a
word to add a tag, delete one to remove it. Completion from existing tags."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from paperqueue.core.text import one_line


class TagSuggester(Suggester):
    """Completes the word being typed from the tags already in use."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = sorted(tags)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, word = value.rpartition(" ")
        if not word:
            return None
        for tag in self.tags:
            if tag.startswith(word) and tag != word:
                return (head + " " if head else "") + tag
        return None


def parse_tags(text: str) -> tuple[str, ...]:
    """Words of the prompt as tags: no '#', no duplicates, in order, and
    nothing a terminal would act on or not show (pasted text is cleaned)."""
    return tuple(dict.fromkeys(word.lstrip("#") for word in one_line(text).split() if word.lstrip("#")))


class TagPrompt(ModalScreen[tuple[str, ...] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: tuple[str, ...], known: list[str], count: int) -> None:
        super().__init__()
        self.current = current
        self.known = known
        self.count = count

    def compose(self) -> ComposeResult:
        what = "this paper" if self.count == 1 else f"the {self.count} selected papers (tags they share are shown)"
        with Vertical(id="tag-box"):
            yield Static(Text(f"Tags for {what}. Space-separated; enter saves, escape cancels, right arrow completes."))
            yield Input(" ".join(self.current), suggester=TagSuggester(self.known), id="tag-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(parse_tags(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
