"""The help screen: every key, one line each."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from paperqueue.ui.keys import KEY_HELP


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("question_mark,escape,q", "dismiss_help", "Close", show=True),
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for keys, action in KEY_HELP:
            table.add_row(Text(keys), Text(action))
        with VerticalScroll(id="help-box"):
            yield Static(Text("paperqueue keys", style="bold"), id="help-title")
            yield Static(table)
            yield Static(Text("Press ?, escape or q to close.", style="dim"), id="help-hint")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
