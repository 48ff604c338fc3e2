"""The import prompt (``i``): a path with completion from the file system."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Static

from paperqueue.core.input_files import UnusableFileError, open_regular
from paperqueue.core.text import clean_text, one_line
from paperqueue.ui.screens.typing_prompt import TypingPrompt
from paperqueue.ui.widgets.completing_input import CompletingInput, candidates_line


class PathSuggester(Suggester):
    """Completes the last part of a path from the folder's entries (read
    off the UI thread)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(_complete, value)


def _complete(value: str) -> str | None:
    candidates = _candidates(value)
    return candidates[0] if candidates else None


CANDIDATES_SHOWN = 200  # entries of a huge folder looked at for tab


def _candidates(value: str) -> list[str]:
    """Every completion of the path's last part, as whole values, sorted
    (folders end with the separator)."""
    if not value:
        return []
    expanded = os.path.expanduser(value)
    folder, _, stem = expanded.rpartition(os.sep)
    base = Path(folder or ".") if folder or not expanded.startswith(os.sep) else Path(os.sep)
    try:
        # A name that cannot be shown as it is (escape sequences, control or
        # invisible characters) is never offered: the suggestion goes to the
        # terminal. Such a file can still be typed or imported from the CLI.
        names = sorted(
            entry.name
            for entry in os.scandir(base)
            if entry.name.startswith(stem) and not entry.name.startswith(".") and _showable(entry.name)
        )[:CANDIDATES_SHOWN]
    except OSError:
        return []
    head = value[: len(value) - len(stem)] if stem else value
    return [head + name + (os.sep if (base / name).is_dir() else "") for name in names]


def _trouble(path: Path) -> str | None:
    """Why ``path`` cannot be imported as a file (missing, a folder, not
    readable), or None; what is inside is the importer's to judge."""
    try:
        open_regular(path).close()
    except UnusableFileError as error:
        return error.reason
    return None


def _showable(name: str) -> bool:
    return name.isprintable() and one_line(name) == name


class PathInput(CompletingInput):
    """Tab completes the path from the file system (read off the UI thread)."""

    async def completions(self, value: str) -> list[str]:
        return await asyncio.to_thread(_candidates, value)

    def _on_paste(self, event: events.Paste) -> None:
        # Pasted text is shown as it is typed: control content is dropped.
        lines = clean_text(event.text).strip().splitlines()
        event.text = one_line(lines[0]) if lines else ""


class ImportPrompt(TypingPrompt[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box"):
            yield Static("Import a file: a trending-papers page, HF daily papers JSON, arXiv Atom/RSS, BibTeX, "
                         "a list of arXiv ids, or a paperqueue JSON export. Tab completes, Enter imports.", id="import-help")
            yield PathInput(placeholder="path/to/file", suggester=PathSuggester(), id="import-path")
            yield Static(id="import-candidates")
            yield Static(id="import-error")

    def on_completing_input_candidates(self, event: CompletingInput.Candidates) -> None:
        labels = [os.path.basename(name.rstrip(os.sep)) + (os.sep if name.endswith(os.sep) else "") for name in event.names]
        self.query_one("#import-candidates", Static).update(candidates_line(labels, event.current))

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.dismiss(None)
            return
        path = Path(os.path.expanduser(value))
        trouble = await asyncio.to_thread(_trouble, path)
        if trouble is not None:
            # The prompt stays, with the text, to be corrected.
            self.query_one("#import-error", Static).update(Content.styled(one_line(f"{value}: {trouble}"), "$error"))
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
