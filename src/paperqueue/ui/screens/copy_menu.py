"""The copy menu (``c``): one key per form of the paper to copy."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from paperqueue.ui.typeahead import OpenedAt

CHOICES = (
    ("l", "link", "primary link"),
    ("i", "id", "arXiv id"),
    ("m", "markdown", "Markdown link (a list for a selection)"),
    ("b", "bibtex", "BibTeX entry"),
    ("t", "title", "title"),
    ("a", "links", "all links"),
)


class CopyMenu(OpenedAt, ModalScreen[str | None]):
    BINDINGS = [
        *(Binding(key, f"choose('{name}')", label) for key, name, label in CHOICES),
        Binding("escape,q,c", "choose('')", "Close"),
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, _name, label in CHOICES:
            table.add_row(Text(key), Text(label))
        what = "the highlighted paper" if self.count <= 1 else f"the {self.count} selected papers"
        with Vertical(id="copy-box"):
            yield Static(Text(f"Copy {what}:", style="bold"))
            yield Static(table)
            yield Static(Text("escape closes", style="dim"))

    def action_choose(self, name: str) -> None:
        self.dismiss(name or None)
