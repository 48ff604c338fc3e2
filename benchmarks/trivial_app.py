"""The yardstick for ``serve_bench.py``: about the least a Textual app can
be that still looks like a queue: a ListView of 79 static rows and a Static,
nothing read from disk. Served the same way as paperqueue, it measures what
the server, the browser and Textual cost before anyone's own code runs.

    python benchmarks/trivial_app.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ListItem, ListView, Static

ROWS = 79


def row_text(number: int) -> str:
    """The text of row ``number`` (from 1), as the browser shows it."""
    return f"Row {number:02d}: a static title standing in for a paper"


class TrivialApp(App[None]):
    CSS = """
    ListView { width: 2fr; }
    Static { width: 1fr; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield ListView(*(ListItem(Label(row_text(number))) for number in range(1, ROWS + 1)))
            yield Static("A trivial Textual app: 79 static rows and this text.")


if __name__ == "__main__":
    TrivialApp().run()
