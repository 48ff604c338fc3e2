"""One-key menus over the highlighted paper or the selection: the copy
menu (``c``: the paper in another form, to the clipboard) and the export
menu (``W``: the view or the selection as a file)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from paperqueue.ui.typeahead import OpenedAt

Choice = tuple[str, str, str]  # key, the name dismissed with, its label


def _bindings(choices: tuple[Choice, ...], close: str) -> list[Binding]:
    return [
        *(Binding(key, f"choose('{name}')", label) for key, name, label in choices),
        Binding(f"escape,q,{close}", "choose('')", "Close"),
    ]


class ChoiceMenu(OpenedAt, ModalScreen[str | None]):
    """A box listing ``CHOICES``; a choice's key dismisses with its name,
    escape (or the key that opened it) with None."""

    CHOICES: tuple[Choice, ...] = ()

    def heading(self) -> str:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, _name, label in self.CHOICES:
            table.add_row(Text(key), Text(label))
        with Vertical(classes="menu-box"):
            yield Static(Text(self.heading(), style="bold"))
            yield Static(table)
            yield Static(Text("escape closes", style="dim"))

    def action_choose(self, name: str) -> None:
        self.dismiss(name or None)


class CopyMenu(ChoiceMenu):
    CHOICES = (
        ("l", "link", "primary link"),
        ("i", "id", "arXiv id"),
        ("m", "markdown", "Markdown link (a list for a selection)"),
        ("b", "bibtex", "BibTeX entry"),
        ("t", "title", "title"),
        ("a", "links", "all links"),
    )
    BINDINGS = _bindings(CHOICES, "c")

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def heading(self) -> str:
        return f"Copy {'the highlighted paper' if self.count <= 1 else f'the {self.count} selected papers'}:"


class ExportMenu(ChoiceMenu):
    CHOICES = (
        ("b", "bibtex", "BibTeX (.bib)"),
        ("m", "markdown", "Markdown (.md)"),
        ("j", "json", "paperqueue JSON (.json), with your stars, tags and notes"),
        ("c", "csv", "CSV (.csv), for a spreadsheet"),
    )
    BINDINGS = _bindings(CHOICES, "W")

    def __init__(self, what: str, where: str) -> None:
        super().__init__()
        self.what = what
        self.where = where

    def heading(self) -> str:
        return f"Export {self.what} {self.where} as:"
