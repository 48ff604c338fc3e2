"""Editing tags (``t``): the current tags as space-separated words; add a
word to add a tag, delete one to remove it. Completion from existing tags."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Static

from paperqueue.core.organize import parse_tags
from paperqueue.ui.screens.typing_prompt import TypingPrompt
from paperqueue.ui.widgets.completing_input import CompletingInput, candidates_line


def _last_word(value: str) -> tuple[str, str]:
    """The text before the word being typed, and that word (after a space or comma)."""
    cut = max(value.rfind(" "), value.rfind(","), value.rfind("\t")) + 1
    return value[:cut], value[cut:]


def completions(word: str, tags: list[str]) -> list[str]:
    """The known tags starting with ``word`` (any case, '#' ignored), sorted."""
    stem = word.lstrip("#").casefold()
    return sorted((tag for tag in tags if tag.casefold().startswith(stem)), key=str.casefold) if stem else []


class TagSuggester(Suggester):
    """Completes the word being typed from the tags already in use."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = sorted(tags)

    async def get_suggestion(self, value: str) -> str | None:
        head, word = _last_word(value)
        for tag in completions(word, self.tags):
            if tag.casefold() != word.lstrip("#").casefold():
                return head + tag
        return None


class TagInput(CompletingInput):
    """Tab completes the word being typed from the known tags."""

    def __init__(self, value: str, tags: list[str], **kwargs) -> None:
        super().__init__(value, suggester=TagSuggester(tags), **kwargs)
        self.tags = tags

    async def completions(self, value: str) -> list[str]:
        head, word = _last_word(value)
        return [head + tag for tag in completions(word, self.tags)]


class TagPrompt(TypingPrompt[tuple[str, ...] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: tuple[str, ...], known: list[str], count: int) -> None:
        super().__init__()
        self.current = current
        self.known = known
        self.count = count

    def compose(self) -> ComposeResult:
        what = "this paper" if self.count == 1 else f"the {self.count} selected papers (tags they share are shown)"
        with Vertical(id="tag-box"):
            yield Static(Text(f"Tags for {what}. Separated by spaces or commas; tab completes, enter saves, escape cancels."))
            yield TagInput(" ".join(self.current), self.known, id="tag-input")
            yield Static(id="tag-candidates")

    def on_completing_input_candidates(self, event: CompletingInput.Candidates) -> None:
        labels = ["#" + _last_word(name)[1] for name in event.names]
        self.query_one("#tag-candidates", Static).update(candidates_line(labels, event.current))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(parse_tags(event.value, self.known))

    def action_cancel(self) -> None:
        self.dismiss(None)
