"""The import prompt (``i``): a path with completion from the file system."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from paperqueue.core.text import clean_text, one_line


class PathSuggester(Suggester):
    """Completes the last part of a path from the folder's entries (read
    off the UI thread)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(_complete, value)


def _complete(value: str) -> str | None:
    if not value:
        return None
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
        )
    except OSError:
        return None
    if not names:
        return None
    name = names[0]
    suffix = os.sep if (base / name).is_dir() else ""
    return value + name[len(stem):] + suffix


def _showable(name: str) -> bool:
    return name.isprintable() and one_line(name) == name


class PathInput(Input):
    """Tab takes the suggested completion, handled in key order (a binding
    would run ahead of letters typed just before it)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "tab":
            event.stop()
            event.prevent_default()
            self.cursor_position = len(self.value)
            self.action_cursor_right()

    def _on_paste(self, event: events.Paste) -> None:
        # Pasted text is shown as it is typed: control content is dropped.
        lines = clean_text(event.text).strip().splitlines()
        event.text = one_line(lines[0]) if lines else ""


class ImportPrompt(ModalScreen[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box"):
            yield Static("Import a file: a trending-papers page, HF daily papers JSON, arXiv Atom/RSS, BibTeX, "
                         "a list of arXiv ids, or a paperqueue JSON export. Tab completes, Enter imports.", id="import-help")
            yield PathInput(placeholder="path/to/file", suggester=PathSuggester(), id="import-path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(Path(os.path.expanduser(value)) if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
