"""The note editor (``e``): free text on a paper; ``ctrl+s`` saves,
``escape`` cancels. The text wraps to the editor's width, again after every
resize, and the place being typed at stays in sight."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static, TextArea

from paperqueue.ui.screens.typing_prompt import TypingPrompt


class NoteText(TextArea):
    """A soft-wrapped TextArea that brings the cursor back into sight after a
    resize (TextArea re-wraps then but keeps its old scroll offset, which at a
    narrower width can leave the cursor rows off screen)."""

    def on_resize(self) -> None:
        # After the rewrap and the new virtual size are in place.
        self.call_after_refresh(self.scroll_cursor_visible, animate=False)


class NoteEditor(TypingPrompt[str | None]):
    TYPING_INTO = "TextArea"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.paper_title = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(Text(f"Note on: {self.paper_title}", style="bold"))
            yield NoteText(self.note, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Static(Text("ctrl+s saves   escape cancels", style="dim"))
        yield Footer()  # its own keys, not the main screen's underneath

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
