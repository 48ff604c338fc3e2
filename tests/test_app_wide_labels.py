"""Wide and pasted text in the sidebar and the tag prompt (issue 9 item 14):
labels are measured in cells, so counts line up whatever the script, and
tags typed or pasted carry nothing the terminal would act on."""

from __future__ import annotations

from rich.cells import cell_len

from paperqueue.ui.screens.tag_prompt import parse_tags
from paperqueue.ui.widgets.sidebar import Sidebar


def test_sidebar_lines_are_the_width_of_the_pane_in_cells() -> None:
    bar = Sidebar()
    for label in ("日本語の論文バッチ 2026-12-01", "👩‍💻 emoji batch", "plain batch name that is long", "short"):
        line = bar._line(f" {label}", 1234, False, 24)
        assert cell_len(line.plain) == 24, (label, line.plain)
        assert line.plain.endswith("1,234 "), "numbers as everywhere else"


def test_pasted_tags_are_cleaned() -> None:
    assert parse_tags("#ml \x1b]52;c;cHduZWQ=\x07 nlp\u200b x\x1b[31m") == ("ml", "nlp", "x")
