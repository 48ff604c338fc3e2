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
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from paperqueue.core.stats import ReadingStats, local_zone, parse_stamp
from paperqueue.ui.screens.scrolling import ReadingPage

BARS = " ▁▂▃▄▅▆▇█"
ROWS = 3  # chart rows per series
CHART_LINES = 1 + 2 * ROWS + 1  # legend, two series, dates
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


PER_COLUMN = (1, 2, 3, 4, 6, 7, 12, 14, 21, 28)  # days a chart column may stand for
FILLED = 0.8  # the share of the width a chart must fill to keep a finer column


def chart_columns(count: int, room: int) -> tuple[int, int]:
    """Days per chart column and cells per column for ``count`` days in
    ``room`` cells: every column equally wide (a regular rhythm stays
    regular), the finest that fills most of the room."""
    best = (max(1, count), room)
    best_used = 0
    for per in PER_COLUMN:
        columns = -(-count // per)
        if columns > room or columns == 0:
            continue
        cells = room // columns
        if columns * cells >= FILLED * room:
            return per, cells
        if columns * cells > best_used:
            best, best_used = (per, cells), columns * cells
    return best


def _column(value: int, top: int, row: int) -> str:
    """The block for ``value`` (scaled to ``top``) in chart row ``row`` (0 = top)."""
    if value <= 0 or top <= 0:
        return " "
    height = max(1, -(-value * ROWS * 8 // top))
    fill = min(8, max(0, height - (ROWS - 1 - row) * 8))
    return BARS[fill]


def chart_text(days: list[tuple[date, int, int]], width: int, added: Style, read: Style) -> Text:
    """Two block charts (added, then read) over the same day axis, each with
    its own scale, filling ``width`` columns: every line fits it, and the bars
    stretch over most of it (columns several cells wide when there is room),
    the newest day at the right edge."""
    room = max(1, width - LABEL)
    per, cells = chart_columns(len(days), room)
    bins: list[tuple[date, int, int]] = []
    for start in range(0, len(days), per):
        chunk = days[start : start + per]
        bins.append((chunk[0][0], sum(d[1] for d in chunk), sum(d[2] for d in chunk)))
    indent = " " * (LABEL + room - cells * len(bins))
    unit = "day" if per == 1 else f"{per} days"
    legend = Text()
    legend.append("█ added", added)
    legend.append("   ")
    legend.append("█ read", read)
    legend.append(f"   papers per {unit}, last 12 weeks", "dim")
    lines = [legend]
    for name, index, style in (("added", 1, added), ("read", 2, read)):
        top = max((b[index] for b in bins), default=0)
        labels = [name, f"max {top}", ""]
        for row in range(ROWS):
            line = Text(f"{labels[row]:>{LABEL - 1}}".ljust(len(indent)), "dim")
            line.append("".join(_column(b[index], top, row) * cells for b in bins), style)
            lines.append(line)
    lines.append(Text(indent + _axis([b[0] for b in bins], cells, days[-1][0] if days else None), "dim"))
    for line in lines:
        line.truncate(width)  # a longer line would wrap into broken bars
        line.rstrip()
    return Text("\n").join(lines)


def _axis(starts: list[date], cells: int, last: date | None) -> str:
    """The first day at the left, the ``last`` at the right edge, and the
    middle column's first day under it, where they fit."""
    width = len(starts) * cells
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
        place(width - 6, last or starts[-1])
        middle = len(starts) // 2
        place(middle * cells - 3, starts[middle])
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


class DayChart(Widget):
    """The per-day chart, drawn for the width it has at each paint (never
    for a width it had before a resize)."""

    COMPONENT_CLASSES = {"day-chart--added", "day-chart--read"}
    DEFAULT_CSS = "DayChart { height: auto; }"

    def __init__(self, days: list[tuple[date, int, int]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.days = days

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return CHART_LINES

    def render(self) -> Text:
        added = self.get_component_rich_style("day-chart--added", partial=True)
        read = self.get_component_rich_style("day-chart--read", partial=True)
        return chart_text(self.days, self.content_size.width or LABEL + len(self.days), added, read)


class LogScreen(ReadingPage):
    BINDINGS = [Binding("L", "close", "Close", show=False)]

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
            yield Static(Text("Press escape, q or L to close; j/k, arrows and page keys scroll, g/G go to the top/end.", style="dim"), id="log-hint")
        yield self.footer()
