"""The reading log (``L``): papers added and read over twelve weeks, what is
left unread, stars per import batch and the history of actions.

Everything is handed in (a :class:`~paperqueue.core.stats.ReadingStats` and
the history), so opening the screen reads nothing from disk. Titles, batch
names and labels are put in :class:`~rich.text.Text`, never parsed as markup.
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from paperqueue.core.stats import ReadingStats, local_zone, parse_stamp

BARS = " ▁▂▃▄▅▆▇█"
ROWS = 3  # chart rows per series
LABEL = 9  # width of the chart's label column
MAX_BATCHES = 12
MAX_HISTORY = 500


def age_text(age: timedelta | None) -> str:
    if age is None:
        return "nothing unread"
    if age.days >= 1:
        return f"{age.days} day{'s' if age.days != 1 else ''}"
    hours = age.seconds // 3600
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return "under an hour"


def days_per_column(count: int, room: int) -> int:
    """The fewest days per chart column that fit ``count`` days in ``room``."""
    for per in (1, 2, 3, 4, 6, 7, 12, 14, 21, 28):
        if -(-count // per) <= room:
            return per
    return max(1, count)


def _column(value: int, top: int, row: int) -> str:
    """The block for ``value`` (scaled to ``top``) in chart row ``row`` (0 = top)."""
    if value <= 0 or top <= 0:
        return " "
    height = max(1, -(-value * ROWS * 8 // top))
    fill = min(8, max(0, height - (ROWS - 1 - row) * 8))
    return BARS[fill]


def chart_text(days: list[tuple[date, int, int]], width: int, added: Style, read: Style) -> Text:
    """Two block charts (added, then read) over the same day axis, each with
    its own scale, fitting ``width`` columns."""
    per = days_per_column(len(days), max(1, width - LABEL))
    bins: list[tuple[date, int, int]] = []
    for start in range(0, len(days), per):
        chunk = days[start : start + per]
        bins.append((chunk[0][0], sum(d[1] for d in chunk), sum(d[2] for d in chunk)))
    unit = "day" if per == 1 else f"{per} days"
    text = Text(no_wrap=True, overflow="crop")
    text.append("█ added", added)
    text.append("   ")
    text.append("█ read", read)
    text.append(f"   papers per {unit}, last 12 weeks\n", "dim")
    for name, index, style in (("added", 1, added), ("read", 2, read)):
        top = max((b[index] for b in bins), default=0)
        labels = [name, f"max {top}", ""]
        for row in range(ROWS):
            text.append(f"{labels[row]:>{LABEL - 1}} ", "dim")
            text.append("".join(_column(b[index], top, row) for b in bins), style)
            text.append("\n")
    text.append(" " * LABEL)
    text.append(_axis([b[0] for b in bins]), "dim")
    return text


def _axis(starts: list[date]) -> str:
    """Dates under the first, last and middle columns, where they fit."""
    width = len(starts)
    line = [" "] * width
    used: list[tuple[int, int]] = []

    def place(begin: int, day: date) -> None:
        label = day.strftime("%b %d")
        end = begin + len(label)
        if begin < 0 or end > width or any(begin <= e and s <= end for s, e in used):
            return
        line[begin:end] = label
        used.append((begin, end))

    if starts:
        place(0, starts[0])
        place(width - 6, starts[-1])
        place(width // 2 - 3, starts[width // 2])
    return "".join(line).rstrip()


def weeks_table(weeks: list[tuple[date, int, int]]) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, title="Per week", title_justify="left", title_style="bold")
    table.add_column("Week of", no_wrap=True)
    table.add_column("Added", justify="right")
    table.add_column("Read", justify="right")
    for monday, added, read in weeks:
        table.add_row(monday.isoformat(), str(added), str(read))
    return table


def stars_table(rows: list[tuple[str, int, int]]) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, title="Stars per batch", title_justify="left", title_style="bold", expand=True)
    table.add_column("Batch", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("Starred", justify="right", no_wrap=True)
    table.add_column("Papers", justify="right", no_wrap=True)
    for name, starred, count in rows[:MAX_BATCHES]:
        table.add_row(Text(name), str(starred), str(count))
    if len(rows) > MAX_BATCHES:
        more = len(rows) - MAX_BATCHES
        table.add_row(Text(f"… {more} older batch{'es' if more != 1 else ''}", style="dim"), "", "")
    if not rows:
        table.add_row(Text("No papers yet.", style="dim"), "", "")
    return table


def local_time(stamp: str, zone: tzinfo) -> str:
    moment = parse_stamp(stamp)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else stamp


def history_table(history: list[tuple[str, str]], zone: tzinfo) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    for stamp, label in history[:MAX_HISTORY]:
        table.add_row(Text(local_time(stamp, zone)), Text(label))
    if len(history) > MAX_HISTORY:
        table.add_row(Text(""), Text(f"… {len(history) - MAX_HISTORY} older actions not shown", style="dim"))
    if not history:
        table.add_row(Text(""), Text("Nothing done yet.", style="dim"))
    return table


class DayChart(Static):
    """The per-day chart, redrawn to fit its width."""

    COMPONENT_CLASSES = {"day-chart--added", "day-chart--read"}

    def __init__(self, days: list[tuple[date, int, int]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.days = days

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        width = self.content_size.width or LABEL + len(self.days)
        added = self.get_component_rich_style("day-chart--added", partial=True)
        read = self.get_component_rich_style("day-chart--read", partial=True)
        self.update(chart_text(self.days, width, added, read))


class LogScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,L", "close", "Close", show=True)]

    def __init__(self, stats: ReadingStats, history: list[tuple[str, str]], *, tz: tzinfo | None = None) -> None:
        super().__init__()
        self.stats = stats
        self.history = history
        self.zone = tz if tz is not None else local_zone()

    def compose(self) -> ComposeResult:
        stats = self.stats
        summary = Text()
        summary.append("unread: ", "dim")
        summary.append(f"{stats.unread:,}", "bold")
        if stats.oldest_unread is None:
            summary.append("    nothing left to read", "dim")
        else:
            summary.append("    oldest unread: ", "dim")
            summary.append(age_text(stats.oldest_unread), "bold")
        with VerticalScroll(id="log-box"):
            yield Static(Text("Reading log", style="bold"), id="log-title")
            yield Static(summary, id="log-summary")
            yield DayChart(stats.days, id="log-chart")
            with Horizontal(id="log-tables"):
                yield Static(weeks_table(stats.weeks), id="log-weeks")
                yield Static(stars_table(stats.stars_per_batch), id="log-stars")
            yield Static(Text("History (newest first)", style="bold"), id="log-history-title")
            yield Static(history_table(self.history, self.zone), id="log-history")
            yield Static(Text("Press escape, q or L to close; arrows and page keys scroll.", style="dim"), id="log-hint")

    def action_close(self) -> None:
        self.dismiss(None)
