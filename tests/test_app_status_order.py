"""The status line puts first what must never be cut (issue 10 item 4):
READ-ONLY, unsaved changes, the selection, progress with its percentage;
then the position and the counts. At 80 columns all of those stay visible."""

from __future__ import annotations

from rich.console import Console

from paperqueue.ui.widgets.status import StatusLine

COUNTS = {"all": 42_005, "inbox": 41_000, "starred": 1_234, "read": 1_005}


def drawn(width: int, **kwargs) -> str:
    status = StatusLine()
    status.update_status("Inbox", 12_344, 41_000, COUNTS, **kwargs)
    console = Console(width=width, record=True, color_system=None)
    console.print(status.render(), overflow="crop", no_wrap=True, crop=True)
    return console.export_text().splitlines()[0]


def test_at_80_columns_what_matters_is_never_cut() -> None:
    line = drawn(80, read_only=True, unsaved=1_200, selected=3_000, hidden=12, activity="indexing for search 45%")
    assert len(line) <= 80
    for part in ("READ-ONLY", "1,200 unsaved", "3,000 selected (12 hidden)", "45%"):
        assert part in line, (part, line)
    assert line.index("READ-ONLY") < line.index("unsaved") < line.index("selected") < line.index("45%")


def test_a_quiet_line_shows_position_then_counts_in_one_number_format() -> None:
    line = drawn(200)
    assert line.startswith(" paperqueue   Inbox 12,345/41,000  ·  42,005 papers  ·  41,000 unread")
    assert "1,234 starred" in line and "1,005 read" in line
