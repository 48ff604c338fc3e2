"""The floor for ``benchmarks/keystroke.py``: the least a Textual app has to
repaint when ``j`` moves a list's cursor and a reader pane shows the next
paper's abstract.

A stock ``OptionList`` of synthetic titles (a 40-row terminal shows about
36 of them; there are 200, so 50 presses never wrap and the list scrolls
at about the same press as paperqueue's) beside a reader pane: a
``VerticalScroll`` holding an auto-height ``Static`` with the highlighted
paper's 1,600-character abstract (from ``synth.py``, the same generator as
the benchmark's stores). ``j``/``k`` move, ``q`` quits. Nothing else: no
status line, sidebar or footer.

    .venv/bin/python benchmarks/keystroke_floor.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.containers import Horizontal, VerticalScroll  # noqa: E402
from textual.content import Content  # noqa: E402
from textual.widgets import OptionList, Static  # noqa: E402

ROWS = 200


class Floor(App[None]):
    CSS = """
    Horizontal { height: 1fr; }
    OptionList { width: 3fr; height: 100%; border: round $panel-lighten-2; text-wrap: nowrap; text-overflow: ellipsis; }
    #reader { width: 2fr; height: 100%; border: round $panel-lighten-2; padding: 0 1; }
    """
    BINDINGS = [("j", "move(1)", "Next"), ("k", "move(-1)", "Previous"), ("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.papers = list(synth.papers(ROWS, seed=3))

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(*(Content(title) for title, _ in self.papers))
            with VerticalScroll(id="reader"):
                yield Static(id="abstract", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#abstract", Static).update(self.papers[event.option_index][1])

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()


if __name__ == "__main__":
    Floor().run()
