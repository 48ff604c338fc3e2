"""The help screen: every key, one line each, and what the list's row
symbols mean."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from paperqueue.ui.keys import KEY_HELP, ROW_LEGEND
from paperqueue.ui.screens.scrolling import ReadingPage


def _table(rows: tuple[tuple[str, str], ...]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for left, right in rows:
        table.add_row(Text(left), Text(right))
    return table


class HelpScreen(ReadingPage):
    BINDINGS = [Binding("question_mark", "close", "Close", show=False)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("paperqueue keys", style="bold"), id="help-title")
            yield Static(_table(KEY_HELP), id="help-keys")
            yield Static(Text("In the list", style="bold"), id="help-legend-title")
            yield Static(_table(ROW_LEGEND), id="help-legend")
            yield Static(Text("Press ?, escape or q to close; j/k scroll, g/G go to the top/end.", style="dim"), id="help-hint")
        yield self.footer()
