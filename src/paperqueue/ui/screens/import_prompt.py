"""The import prompt (``i``): a path with completion from the file system."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from paperqueue.core.importing import UnusableFileError, open_regular
from paperqueue.core.text import clean_text, one_line


def _spaced(parts: list[Content]) -> list[Content]:
    out: list[Content] = []
    for part in parts:
        if out:
            out.append(Content("  "))
        out.append(part)
    return out


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


class PathInput(Input):
    """Tab completes the path, handled in key order (a binding would run
    ahead of letters typed just before it): the first completion, then
    the next one on every further tab, with the candidates shown."""

    class Candidates(Message):
        def __init__(self, names: list[str], current: int) -> None:
            super().__init__()
            self.names = names
            self.current = current

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cycle: tuple[list[str], int] | None = None  # the candidates tab goes through, and which is shown

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "backspace":
            # In key order with the letters (Input's binding would run after
            # the keys of a burst from a paste or tmux were typed).
            event.stop()
            event.prevent_default()
            self.action_delete_left()
            return
        if event.key != "tab":
            return
        event.stop()
        event.prevent_default()
        cycle = self._cycle
        if cycle is not None and 0 <= cycle[1] < len(cycle[0]) and cycle[0][cycle[1]] == self.value:
            names, index = cycle[0], (cycle[1] + 1) % len(cycle[0])
        else:
            names, index = await asyncio.to_thread(_candidates, self.value), 0
        if not names:
            self._cycle = None
            self.post_message(self.Candidates([], -1))
            return
        self._cycle = (names, index)
        self.value = names[index]
        self.cursor_position = len(self.value)
        self.post_message(self.Candidates(names, index))

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
            yield Static(id="import-candidates")
            yield Static(id="import-error")

    def on_path_input_candidates(self, event: PathInput.Candidates) -> None:
        shown = self.query_one("#import-candidates", Static)
        if len(event.names) < 2:
            shown.update("")
            return
        names = [os.path.basename(name.rstrip(os.sep)) + (os.sep if name.endswith(os.sep) else "") for name in event.names]
        parts = [Content.styled(name, "reverse" if i == event.current else "") for i, name in enumerate(names)]
        more = f"{len(names):,} matches (tab: next): "
        shown.update(Content.assemble(Content.styled(more, "$text-muted"), *_spaced(parts)))

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
