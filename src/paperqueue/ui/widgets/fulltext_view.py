"""A paper's full text in the reader pane (``F``): a line-based ScrollView
that draws only the rows on screen, so a 300-page text scrolls as fast as
an abstract.

The text's lines (paragraphs, headings, list items, as the core made them)
are wrapped once per width (to the pane's, at most :data:`~.fulltext_rows.MEASURE`
cells centred in a wider pane: :mod:`.fulltext_rows`); a row is ``(line, start,
end)``, a slice of one line. Where the person is reading is kept in text
lines, not rows, so it survives another terminal width: :meth:`position`
gives the first line shown (the last line once the end is on screen) and
:meth:`go_to_line` shows a line at the top.

``/`` finds words (a prompt; every match highlighted, the current one
more so), ``n``/``N`` go to the next/previous match, ``escape`` goes back
to the abstract (:class:`FullTextView.Closed`). The text is user data: it
is drawn as plain segments with styles, never parsed as markup, and
control characters never reach the terminal.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperqueue.core.text import clean_text
from paperqueue.ui.widgets.fulltext_rows import CONTEXT_ROWS, find_matches, hanging, plain_lines, text_width, wrap_line

__all__ = ["FullTextView"]

class FullTextView(ScrollView, can_focus=True):
    """One paper's text; empty until :meth:`set_text` or :meth:`set_message`."""

    DEFAULT_CSS = """
    FullTextView {
        height: 100%;
        width: 100%;
        overflow-y: scroll;  /* always there: the width the rows are wrapped to never changes under them */
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    FullTextView > .fulltext--note {
        text-style: italic;
        color: $text-muted;
    }
    FullTextView > .fulltext--match {
        background: $primary 60%;
    }
    FullTextView > .fulltext--current {
        background: $warning;
        color: $background;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"fulltext--note", "fulltext--match", "fulltext--current"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "find", "Find", tooltip="Find words in the full text"),
        Binding("n", "next_match(1)", "Next match", tooltip="Next match of the words found"),
        Binding("N", "next_match(-1)", "Prev match", show=False, tooltip="Previous match of the words found"),
        Binding("escape", "abstract", "Abstract", tooltip="Back to the abstract"),
        Binding("j,down", "scroll_rows(1)", "Down", show=False),
        Binding("k,up", "scroll_rows(-1)", "Up", show=False),
        Binding("space,pagedown", "scroll_pages(1)", "Page down", show=False),
        Binding("b,pageup", "scroll_pages(-1)", "Page up", show=False),
        Binding("ctrl+d", "scroll_half(1)", "Half page down", show=False),
        Binding("ctrl+u", "scroll_half(-1)", "Half page up", show=False),
        Binding("g,home", "text_end(0)", "Top", show=False),
        Binding("G,end", "text_end(1)", "End", show=False),
    ]

    class Closed(Message):
        """``escape``: back to the abstract."""

    class Moved(Message):
        """The first line shown changed (the pane's title says how far)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.key: str | None = None  # whose text (a paper's key), None while there is none
        self._note: list[str] = []
        self._lines: list[str] = []
        self._rows: list[tuple[int, int, int]] = []  # (line, start, end); line -1 - n: the note's line n
        self._first_row: list[int] = []  # each line's first row
        self._wrapped_for = 0
        self._pending_line: int | None = None  # shown at the top once the pane has a width
        self.query = ""
        self.matches: list[tuple[int, int, int]] = []
        self.current = -1  # index into matches
        self._top_seen = -1
        self._start = 0  # the line the text was opened at
        self.scrolled = False  # moved since (not by a resize or a taller pane)
        self._placing = False  # a scroll made here, not by the person

    # -- what is shown -------------------------------------------------------

    def set_message(self, text: str) -> None:
        """A line instead of a text (fetching, with progress)."""
        self.key = None
        self._show([], [clean_text(text)], 0)

    def set_text(self, key: str, text: str, note: str = "", line: int = 0) -> None:
        """Show ``key``'s ``text`` (``note``: where it came from) from ``line``."""
        self.key = key
        self.query, self.matches, self.current = "", [], -1
        self._start, self.scrolled = max(0, line), False
        self._show(plain_lines(text), plain_lines(note) + [""] if note else [], line)

    def _show(self, lines: list[str], note: list[str], line: int) -> None:
        self._lines, self._note = lines, note
        self._wrapped_for = 0
        self._pending_line = line
        self._rewrap()

    @property
    def lines(self) -> int:
        return len(self._lines)

    @property
    def text_lines(self) -> list[str]:
        return self._lines

    def _rewrap(self) -> None:
        pane = self.scrollable_content_region.width
        width = text_width(pane)[0]
        if width <= 0:
            self._rows, self._first_row = [], []
            self.virtual_size = Size(0, 0)
            self.refresh()
            return
        keep = self._pending_line if self._pending_line is not None else self.position()[0]
        rows: list[tuple[int, int, int]] = []
        for number, note_line in enumerate(self._note):
            rows.extend((-1 - number, start, end) for start, end in wrap_line(note_line, width))
        first: list[int] = []
        for number, line in enumerate(self._lines):
            first.append(len(rows))
            rows.extend((number, start, end) for start, end in wrap_line(line, width, hanging(line, width)))
        self._rows, self._first_row, self._wrapped_for = rows, first, pane
        self.virtual_size = Size(pane, len(rows))
        self._pending_line = None
        self.go_to_line(keep)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._wrapped_for and (self._lines or self._note):
            self._rewrap()

    # -- where the person is ---------------------------------------------------

    @property
    def top_row(self) -> int:
        return round(self.scroll_offset.y)

    def position(self) -> tuple[int, int]:
        """``(line, lines)``: the first text line shown, or the last line
        once the end of the text is on screen. Until the person scrolls, the
        line the text was opened at (a taller pane shows the end of the text
        sooner: that is not reading it)."""
        lines = len(self._lines)
        if not lines or not self._rows:
            return 0, lines
        if not self.scrolled:
            return min(self._start, lines - 1), lines
        if self.top_row >= self.max_scroll_y and self.max_scroll_y > 0:
            return lines - 1, lines
        for index in range(self.top_row, len(self._rows)):
            if self._rows[index][0] >= 0:
                return self._rows[index][0], lines
        return 0, lines

    def go_to_line(self, line: int) -> None:
        """Show text line ``line`` at the top (the note above the first)."""
        if self._pending_line is not None or not self._first_row:
            self._pending_line = line
            return
        line = max(0, min(line, len(self._first_row) - 1))
        row = 0 if line == 0 else self._first_row[line]
        self._placing = True
        try:
            self.scroll_to(y=row, animate=False, immediate=True)
        finally:
            self._placing = False

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if round(new) != round(old) and not self._placing and self.key is not None and self._rows:
            self.scrolled = True
        if round(new) != self._top_seen:
            self._top_seen = round(new)
            self.post_message(self.Moved())

    # -- finding -----------------------------------------------------------------

    def find(self, query: str) -> int:
        """Find ``query``'s words; show the first match at or after the
        first line shown. Returns how many there are."""
        self.query = query
        self.matches = find_matches(self._lines, query)
        self.current = -1
        if self.matches:
            line = self.position()[0] if self.top_row else 0
            self.current = next((i for i, m in enumerate(self.matches) if m[0] >= line), 0)
            self._show_match()
        self.refresh()
        return len(self.matches)

    def next_match(self, step: int) -> bool:
        """Go to the next (``step`` 1) or previous (-1) match; False when it
        wrapped around the text's end."""
        if not self.matches:
            return True
        index = self.current + step
        wrapped = not 0 <= index < len(self.matches)
        self.current = index % len(self.matches)
        self._show_match()
        self.refresh()
        self.post_message(self.Moved())  # the pane's title says which match
        return not wrapped

    def _match_row(self, match: tuple[int, int, int]) -> int:
        line, start, _end = match
        row = self._first_row[line]
        while row + 1 < len(self._rows) and self._rows[row + 1][0] == line and self._rows[row + 1][1] <= start:
            row += 1
        return row

    def _show_match(self) -> None:
        if not self._rows or not 0 <= self.current < len(self.matches):
            return
        row = self._match_row(self.matches[self.current])
        height = self.scrollable_content_region.height or 1
        if not self.top_row <= row < self.top_row + height:
            self.scroll_to(y=max(0, row - CONTEXT_ROWS), animate=False, immediate=True)

    # -- keys --------------------------------------------------------------------

    def action_find(self) -> None:
        """``/``: the prompt opens at once, in this key's turn, so the words
        typed right after it go there (not to the list's keys)."""
        if self.key is None:
            return
        from paperqueue.ui.screens.find_prompt import FindPrompt

        key = self.key

        def found(query: str | None) -> None:
            if query is None or not query.strip() or self.key != key:
                return
            if not self.find(query):
                self.notify(f"Not in the text: {clean_text(query)}", timeout=3, markup=False)
            self.post_message(self.Moved())  # the pane's title says which match

        self.app.push_screen(FindPrompt(self.query), found)

    def action_next_match(self, step: int) -> None:
        if self.key is None:
            return
        if not self.query:
            self.notify("Nothing to find yet: / finds words in the text", timeout=3)
        elif not self.matches:
            self.notify(f"Not in the text: {self.query}", timeout=3, markup=False)
        elif not self.next_match(step):
            self.notify("Search wrapped around the text", timeout=2)

    def action_abstract(self) -> None:
        self.post_message(self.Closed())

    def action_scroll_rows(self, rows: int) -> None:
        self.scroll_to(y=self.top_row + rows, animate=False, immediate=True)

    def action_scroll_pages(self, pages: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.top_row + pages * height, animate=False, immediate=True)

    def action_scroll_half(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height // 2)
        self.scroll_to(y=self.top_row + direction * height, animate=False, immediate=True)

    def action_text_end(self, end: int) -> None:
        self.scroll_to(y=self.max_scroll_y if end else 0, animate=False, immediate=True)

    # -- drawing -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        pane = self.scrollable_content_region.width
        width, margin = text_width(pane)
        base = self.rich_style
        index = y + self.top_row
        if index >= len(self._rows):
            return Strip.blank(pane, base)
        line, start, end = self._rows[index]
        left = [Segment(" " * margin, base)] if margin else []
        if line < 0:
            text = self._note[-1 - line][start:end]
            style = base + self.get_component_rich_style("fulltext--note", partial=True)
            return Strip([*left, Segment(text, style)]).crop_extend(0, pane, base)
        text = self._lines[line][start:end]
        if start:  # a wrapped row, under the item's text
            left.append(Segment(" " * hanging(self._lines[line], width), base))
        spans = [(max(s, start), min(e, end), i == self.current) for i, (n, s, e) in self._matches_on(line) if s < end and e > start]
        if not spans:
            return Strip([*left, Segment(text, base)]).crop_extend(0, pane, base)
        found = base + self.get_component_rich_style("fulltext--match", partial=True)
        current = base + self.get_component_rich_style("fulltext--current", partial=True)
        segments: list[Segment] = left
        at = start
        for s, e, is_current in spans:
            if s > at:
                segments.append(Segment(self._lines[line][at:s], base))
            segments.append(Segment(self._lines[line][s:e], current if is_current else found))
            at = e
        if at < end:
            segments.append(Segment(self._lines[line][at:end], base))
        return Strip(segments).crop_extend(0, pane, base)

    def _matches_on(self, line: int) -> list[tuple[int, tuple[int, int, int]]]:
        """The matches on ``line`` with their index (a binary search: the
        matches are in text order)."""
        matches = self.matches
        if not matches:
            return []
        low, high = 0, len(matches)
        while low < high:
            middle = (low + high) // 2
            if matches[middle][0] < line:
                low = middle + 1
            else:
                high = middle
        found = []
        while low < len(matches) and matches[low][0] == line:
            found.append((low, matches[low]))
            low += 1
        return found
