"""The reading log screen: its numbers, hostile names shown literally, the
keys that close it, its layout at 80x24 and a snapshot at 120x40."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from rich.style import Style
from textual.app import App
from textual.geometry import Region
from textual.widget import Widget

from paperqueue.core.models import Paper, PaperState
from paperqueue.core.stats import reading_stats
from paperqueue.resources import style_paths
from paperqueue.ui.screens.log import LogScreen, age_text, chart_columns, chart_text

NOW = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)  # frozen: the snapshot must not drift
HOSTILE = "[bold]x[/] [@click=app.quit]"
HISTORY = [
    ("2026-03-13T08:30:00Z", "Marked 1 paper read"),
    ("2026-03-12T23:59:59Z", "Starred 2 papers"),
    ("2026-03-10T12:00:00Z", f"Imported into batch {HOSTILE}"),
]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sample_stats():
    papers = [
        Paper("p1", "One", added_at="2026-03-13T08:00:00Z", batch=2, batches=(2,)),
        Paper("p2", "Two", added_at="2026-03-13T01:00:00Z", batch=2, batches=(2,)),
        Paper("p3", "Three", added_at="2026-03-10T12:00:00Z", batch=2, batches=(2,)),
        Paper("p4", "Four", added_at="2025-12-19T23:00:00Z", batch=1, batches=(1,)),
    ]
    # A steadier trickle over the weeks so the chart has something to draw.
    for i in range(40):
        added = NOW - timedelta(days=2 * i + 1, hours=i % 7)
        papers.append(Paper(f"t{i}", f"Trickle {i}", added_at=_stamp(added), batch=1, batches=(1,)))
    states = {
        "p2": PaperState(starred=True, read=True, starred_at="2026-03-13T08:30:00Z", read_at="2026-03-13T08:30:00Z"),
        "p3": PaperState(starred=True, read=True, starred_at="2026-03-12T23:59:59Z", read_at="2026-03-12T23:59:59Z"),
        **{f"t{i}": PaperState(read=True, read_at=_stamp(NOW - timedelta(days=3 * i))) for i in range(0, 40, 3)},
    }
    return reading_stats(papers, states, {1: "Trending page", 2: HOSTILE}, NOW, tz=UTC)


STATS = sample_stats()


class _Host(App):
    CSS_PATH = [str(path) for path in style_paths()]

    def __init__(self, tz=UTC) -> None:
        super().__init__()
        self.tz = tz

    def on_mount(self) -> None:
        self.push_screen(LogScreen(STATS, HISTORY, tz=self.tz))


def rendered(widget: Widget) -> str:
    width, height = widget.size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


def text_of(app: App, selector: str) -> str:
    return rendered(app.screen.query_one(selector, Widget))


def test_sample_numbers() -> None:
    assert STATS.unread == 28 and STATS.oldest_unread == timedelta(days=83, hours=10)
    assert STATS.weeks[-1] == (date(2026, 3, 9), 5, 3)


async def test_numbers_and_labels_appear() -> None:
    app = _Host(tz=timezone(timedelta(hours=-5)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LogScreen)
        summary = text_of(app, "#log-summary")
        assert "unread: 28" in summary and "oldest unread: 83 days" in summary

        weeks = {line.split()[0]: line.split()[1:] for line in text_of(app, "#log-weeks").splitlines() if re.match(r"\s*\d{4}-", line)}
        assert len(weeks) == 12
        assert weeks["2026-03-09"] == ["5", "3"]
        assert weeks["2025-12-22"] == [str(STATS.weeks[0][1]), str(STATS.weeks[0][2])]

        stars = text_of(app, "#log-stars")
        assert re.search(r"Trending page\s+0\s+41", stars)
        assert re.search(re.escape(HOSTILE) + r"\s+2\s+3", stars), stars

        chart = text_of(app, "#log-chart")
        assert "papers per day, last 12 weeks" in chart
        assert f"max {max(a for _, a, _ in STATS.days)}" in chart and f"max {max(r for _, _, r in STATS.days)}" in chart
        assert "Dec 20" in chart and "Mar 13" in chart

        history = text_of(app, "#log-history").splitlines()
        # Local time (UTC-5), newest first, labels literal.
        assert history[0].split("  ", 1) == ["2026-03-13 03:30", "Marked 1 paper read"]
        assert history[1].startswith("2026-03-12 18:59  Starred 2 papers")
        assert history[2] == f"2026-03-10 07:00  Imported into batch {HOSTILE}"


async def test_hostile_name_is_never_markup() -> None:
    app = _Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.click("#log-stars")  # a parsed @click would quit the app
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, LogScreen)
        assert HOSTILE in text_of(app, "#log-stars")
        assert HOSTILE in text_of(app, "#log-history")


@pytest.mark.parametrize("key", ["escape", "q", "L"])
async def test_keys_close_it(key: str) -> None:
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LogScreen)
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, LogScreen)


async def test_fits_80x24_scrolls_and_nothing_overlaps() -> None:
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#log-box")
        assert app.screen.region.contains_region(box.region)
        assert box.max_scroll_y > 0, "the log is taller than 24 rows: it scrolls"
        assert app.focused is box  # arrows and page keys scroll it
        chart = text_of(app, "#log-chart")
        assert "papers per 3 days" in chart
        assert all(len(line) <= box.content_size.width for line in chart.splitlines())
        # Stacked sections, one after another.
        sections = [child for child in box.children if child.display]
        for upper, lower in zip(sections, sections[1:]):
            assert upper.virtual_region.bottom <= lower.virtual_region.y
        weeks, stars = app.screen.query_one("#log-weeks"), app.screen.query_one("#log-stars")
        assert weeks.region.right <= stars.region.x
        assert stars.region.right <= box.content_region.right
        assert "…" in text_of(app, "#log-stars")  # the long name is cut, not wrapped over the numbers
        await pilot.press("end")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
        hint = app.screen.query_one("#log-hint")
        assert box.content_region.contains_region(hint.region)


def test_chart_text_draws_both_series() -> None:
    days = [(date(2026, 1, 1) + timedelta(days=i), i % 4, 1 if i == 83 else 0) for i in range(84)]
    text = chart_text(days, 9 + 84, Style(), Style())
    lines = text.plain.splitlines()
    assert len(lines) == 1 + 3 + 3 + 1
    assert lines[1].startswith("   added ") and lines[2].startswith("   max 3 ")
    added_top, added_bottom = lines[1][9:], lines[3][9:]
    assert added_top[:4] == "   █" and added_bottom[:4] == " ███"
    read_bottom = lines[6][9:]
    assert read_bottom == " " * 83 + "█"
    assert lines[7].strip().startswith("Jan 01") and lines[7].endswith("Mar 25")
    assert chart_columns(84, 84) == (1, 1) and chart_columns(84, 60) == (3, 2) and chart_columns(84, 20) == (14, 3)
    assert chart_columns(84, 145) == (2, 3), "at 200 columns: 2 days a column, 3 cells wide (87% of the width)"


def test_ages() -> None:
    assert age_text(None) == "nothing unread"
    assert age_text(timedelta(days=1, hours=3)) == "1 day"
    assert age_text(timedelta(days=12)) == "12 days"
    assert age_text(timedelta(hours=5)) == "5 hours"
    assert age_text(timedelta(minutes=5)) == "under an hour"


def test_snapshot_120x40(snap_compare) -> None:
    assert snap_compare(_Host(), terminal_size=(120, 40))


CHART_LINES = 1 + 3 + 3 + 1  # legend, added bars, read bars, dates


async def chart_at(size: tuple[int, int]) -> tuple[int, list[str]]:
    """The chart's content width and its drawn lines at a terminal size."""
    app = _Host()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        chart = app.screen.query_one("#log-chart")
        width, height = chart.content_size
        return width, [strip.text.rstrip() for strip in chart.render_lines(Region(0, 0, width, height))]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_chart_fits_and_stretches_to_its_width(size: tuple[int, int]) -> None:
    width, lines = await chart_at(size)
    assert len(lines) == CHART_LINES, "a wrapped chart draws more lines than it has"
    assert all(len(line) <= width for line in lines)
    # Something was added today (the sample's newest paper): its bar ends at the right edge.
    assert max(len(line) for line in lines[1:7]) == width, lines
    assert lines[7].endswith("Mar 13") and len(lines[7]) == width  # the last day, today
    assert lines[7].lstrip().startswith("Dec 20")


async def test_chart_is_wider_on_a_wide_terminal() -> None:
    narrow, _ = await chart_at((120, 40))
    wide, _ = await chart_at((200, 60))
    assert wide >= narrow + 40, (narrow, wide)


async def test_chart_never_draws_for_a_stale_width() -> None:
    """Shrinking the terminal redraws the chart for the new width at once."""
    app = _Host()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        chart = app.screen.query_one("#log-chart")
        width, height = chart.content_size
        lines = [strip.text.rstrip() for strip in chart.render_lines(Region(0, 0, width, height))]
        assert len(lines) == CHART_LINES and max(len(line) for line in lines[1:7]) == width


async def test_scrolls_with_list_keys_and_shows_its_own_footer() -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        box = screen.query_one("#log-box")
        await pilot.press("j", "j", "j", "k")
        await pilot.pause()
        assert box.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y > 0
        await pilot.press("g")
        await pilot.pause()
        assert box.scroll_y == 0
        footer = screen.query_one(Footer)
        assert footer.region.bottom == screen.region.bottom
        assert box.region.bottom <= footer.region.y, "the log is not drawn under its footer"
        shown = [(key.key_display, key.description) for key in screen.query(FooterKey)]
        assert ("esc", "Close") in shown
        assert {"j", "k", "g", "G"} <= {display for display, _ in shown}
