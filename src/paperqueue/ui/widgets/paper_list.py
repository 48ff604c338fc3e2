"""The paper list: a line-based ScrollView that draws only the visible rows,
so it costs the same at 79 papers and at 100,000."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.console import COLOR_SYSTEMS
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperqueue.core.models import Paper
from paperqueue.core.queue import QueueView
from paperqueue.core.views import SIMILAR
from paperqueue.ui.widgets.paper_list_look import Look, fit_title, fit_words, make_look, tag_segments, tags_width

STAR, NO_STAR = "★", " "
UNREAD, READ = "●", "✓"
NOTE = "✎"
WHY = "  ~"  # before the Similar view's words
SCORE_WIDTH = 6  # For you's score column: "  87%", right-aligned
IN_BODY = "¶"  # the search found its words in the paper's full text
READING = ("◔", "◑", "◕")  # being read: a quarter, half, three quarters of its full text
PROGRESS_WIDTH = 6  # " ◑ 42%": only on the rows of papers being read


def progress_mark(fraction: float) -> str:
    """``◑ 42%``: how far into its full text a paper's reading is."""
    glyph = READING[min(2, int(fraction * 3))]
    return f"{glyph} {int(fraction * 100)}%"


class PaperList(ScrollView, can_focus=True):
    """Rows of a :class:`QueueView`; owns the cursor and the keys that move it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Next", show=False, tooltip="Next paper"),
        Binding("k,up", "move(-1)", "Prev", show=False, tooltip="Previous paper"),
        Binding("g,home", "first", "First", show=False, tooltip="First paper"),
        Binding("G,end", "last", "Last", show=False, tooltip="Last paper"),
        Binding("pagedown", "page(1)", "Page down", show=False, tooltip="Page the list down"),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="Page the list up"),
        Binding("ctrl+d", "half_page(1)", "Half page down", show=False, tooltip="Move half a page down"),
        Binding("ctrl+u", "half_page(-1)", "Half page up", show=False, tooltip="Move half a page up"),
        Binding("v", "toggle_selected", "Select", show=False, tooltip="Select a range (v, then j/k; v again ends it) or unselect the paper"),
        Binding("V", "select_all", "Select all", show=False, tooltip="Select every paper in the view"),
        Binding("escape", "unselect_all", "Clear selection", show=False, tooltip="Clear the selection"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--unread",
        "paper-list--read",
        "paper-list--star",
        "paper-list--stale",
        "paper-list--selected",
        "paper-list--selected-mark",
        "paper-list--note",
        "paper-list--tags",
    }

    class Highlighted(Message):
        """The cursor moved to ``paper`` (``None`` when the view is empty)."""

        def __init__(self, paper: Paper | None, row: int) -> None:
            super().__init__()
            self.paper = paper
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queue: QueueView | None = None
        self.cursor = 0
        self._to_last = False  # "G" pressed while the queue was still loading
        self.selected: set[str] = set()  # keys of the selected papers
        self.selection_version = 0  # bumped on every change of the selection
        # A range being selected (v, then moving): the paper it started on,
        # and the selection it adds to. None: no range under way.
        self._anchor: str | None = None
        self._base: set[str] = set()
        self._look: Look | None = None  # row styles, worked out again when styles change
        self._why_widths: tuple[dict | None, int, int] = (None, 0, 0)  # the Similar view's words, their widths
        self._sizes_seen: tuple | None = None  # size, rows and container size at the last layout
        self.progress: dict[str, float] = {}  # key -> how far its full text is read (0.0 to 1.0)
        self.in_body: frozenset[int] = frozenset()  # ids the search found in full texts only

    # -- data ----------------------------------------------------------------

    def show(self, queue: QueueView, row: int = 0) -> None:
        """Show ``queue``'s rows with the cursor on ``row``."""
        self.queue = queue
        self.virtual_size = Size(0, len(queue))  # rows are cut to the width: never scroll sideways
        self.refresh()
        if self._to_last and not queue.partial:
            self._to_last = False
            row = len(queue) - 1
        self.move_to(row, force=True)

    @property
    def paper(self) -> Paper | None:
        if self.queue is None or not len(self.queue):
            return None
        return self.queue.rows[self.cursor]

    def set_progress(self, fractions: dict[str, float]) -> None:
        """Papers' reading progress (their row shows a marker while it is
        past the start and short of the end)."""
        if all(self.progress.get(key) == value for key, value in fractions.items()):
            return
        self.progress.update(fractions)
        self.refresh()

    def set_in_body(self, ids: frozenset[int]) -> None:
        if ids != self.in_body:
            self.in_body = ids
            self.refresh()

    def refresh_row(self, row: int | None = None) -> None:
        self.refresh_line(self.cursor if row is None else row)

    # -- moving --------------------------------------------------------------

    def move_to(self, row: int, *, force: bool = False) -> None:
        count = len(self.queue) if self.queue else 0
        row = max(0, min(row, count - 1)) if count else 0
        if row == self.cursor and not force:
            return
        previous, self.cursor = self.cursor, row
        self.refresh_line(previous)
        self.refresh_line(row)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self.paper, row))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def motion(self, row: int) -> None:
        """Move the cursor by a key: a range under way (v) follows it."""
        self.move_to(row)
        if self._anchor is not None:
            self._extend()

    def action_move(self, step: int) -> None:
        self.motion(self.cursor + step)

    def action_first(self) -> None:
        self.motion(0)

    def action_last(self) -> None:
        if self.queue is not None and self.queue.partial:
            self._to_last = True  # the end is not loaded yet: go there when it is
        self.motion(len(self.queue) - 1 if self.queue else 0)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.motion(self.cursor + direction * height)

    def action_half_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height // 2)
        self.motion(self.cursor + direction * height)

    # -- selection -------------------------------------------------------------

    class SelectionChanged(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unselect_all":
            return bool(self.selected)  # otherwise escape goes on to clear a search
        return True

    @property
    def selecting_range(self) -> bool:
        return self._anchor is not None

    def _anchor_row(self) -> int | None:
        if self._anchor is None or self.queue is None:
            return None
        return self.queue.row_of(self._anchor)

    def _selection_changed(self) -> None:
        self.selection_version += 1
        self.refresh()
        self.post_message(self.SelectionChanged(len(self.selected)))

    def _extend(self) -> None:
        """The selection: what it was when the range started, plus every
        paper from the range's first paper to the cursor."""
        anchor = self._anchor_row()
        if anchor is None or self.queue is None:
            self._anchor = None  # its first paper left the view
            return
        low, high = sorted((anchor, self.cursor))
        self.selected = self._base | {p.key for p in self.queue.rows[low : high + 1]}
        self._selection_changed()

    def action_toggle_selected(self) -> None:
        """``v`` as in vim's visual mode: on an unselected paper it selects
        it and starts a range that moving (j/k/g/G/pages) extends or shrinks;
        ``v`` again ends the range, keeping it (``v v`` selects one paper).
        On a paper already selected (no range under way) it unselects it.
        With the cursor moved off the range another way (n, p, a click,
        a search), ``v`` starts a new range there, keeping the first."""
        paper = self.paper
        if paper is None:
            return
        if self._anchor is not None:
            ended_here = paper.key in self.selected
            self._anchor = None  # the range ends, kept
            if ended_here:
                self.post_message(self.SelectionChanged(len(self.selected)))
                return
        if paper.key in self.selected:
            self.selected.discard(paper.key)
        else:
            self._base = set(self.selected)
            self._anchor = paper.key
            self.selected.add(paper.key)
        self._selection_changed()

    def action_select_all(self) -> None:
        if self.queue is not None:
            self._anchor = None
            self.selected.update(p.key for p in self.queue.rows)
            self._selection_changed()

    def unselect(self, keys) -> None:
        """Drop ``keys`` from the selection (papers that left the queue)."""
        keys = set(keys)
        if self._anchor in keys:
            self._anchor = None
        self._base -= keys
        if self.selected & keys:
            self.selected.difference_update(keys)
            self._selection_changed()

    def action_unselect_all(self) -> None:
        count = len(self.selected)
        self._anchor = None
        self.selected.clear()
        self._selection_changed()
        if count:
            self.notify(f"Selection cleared ({count:,} {'paper' if count == 1 else 'papers'})", timeout=2)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + round(self.scroll_offset.y)
        if self.queue and 0 <= row < len(self.queue):
            self.move_to(row)

    def on_resize(self, event: events.Resize) -> None:
        if self.queue is not None:
            self._scroll_to_cursor()

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:  # noqa: ANN001
        # Textual hands a ScrollView the layout's idea of its virtual size,
        # never its rows, so it would set up (and repaint) the scrollbar on
        # every layout pass of the screen, e.g. each time the reader shows
        # the next paper. Only a new size or row count changes anything.
        seen = (size, self.virtual_size, container_size)
        if seen == self._sizes_seen:
            return False
        self._sizes_seen = seen
        return super()._size_updated(size, virtual_size, container_size, layout)

    # -- drawing -------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look = None  # the theme, the focus or the CSS changed

    def _current_look(self) -> Look:
        system = COLOR_SYSTEMS.get(self.app.console.color_system or "")  # None: no colour at all
        look = self._look
        if look is None or look.system is not system:
            look = self._look = make_look(self, system)
        return look

    def _why_width(self, why: dict[str, str], width: int) -> int:
        """The Similar view's why column: a third of the row, wider (up to
        half) where that lets every row show its first word, narrower when
        its longest words need less. Measured once per ranking (at most a
        few hundred rows), not per row drawn."""
        if self._why_widths[0] is not why:
            full = max((cell_len(f"{WHY} {words}") for words in why.values()), default=0)
            first = max((cell_len(f"{WHY} {words.split()[0]}…") for words in why.values() if words.split()), default=0)
            self._why_widths = (why, full, first)
        _, full, first = self._why_widths
        return min(full, max(width // 3, min(first, width // 2)))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = y + round(self.scroll_offset.y)
        look = self._current_look()
        if self.queue is None or row >= len(self.queue):
            return Strip.blank(width, look.base)
        paper = self.queue.rows[row]
        state = self.queue.state(paper)
        style = look.read if state.read else look.unread
        if self.queue.is_stale(row):
            style += look.stale
        selected = paper.key in self.selected
        why = self.queue.why.get(paper.key, "") if self.queue.view == SIMILAR else ""
        why_width = self._why_width(self.queue.why, width) if why and width > 30 else 0
        score = self.queue.scores.get(paper.key) if not why else None
        if score is not None and width > 30:
            why, why_width = f"{round(score * 100)}%".rjust(SCORE_WIDTH), SCORE_WIDTH
        fraction = self.progress.get(paper.key) if self.progress else None
        mark = progress_mark(fraction) if fraction is not None and 0.0 < fraction < 1.0 and width > 30 else ""
        if self.in_body and paper.id in self.in_body:
            mark = f"{IN_BODY} {mark}" if mark else IN_BODY
        mark_width = cell_len(mark) + 1 if mark else 0
        why_width += mark_width
        tag_cells = tags_width(state.tags, width - why_width)
        segments = [
            Segment("▌" if selected else " ", look.mark),
            Segment(STAR if state.starred else NO_STAR, look.star),
            Segment(NOTE if state.note else " ", look.note),
            Segment(READ if state.read else UNREAD, style),
            Segment(" ", look.base),
            Segment(fit_title(paper.display_title, width - TITLE_AT - tag_cells - why_width, bool(why_width)), style),
            *tag_segments(state.tags, width - why_width, look.tags),
        ]
        why_width -= mark_width
        if why_width and score is not None:
            segments.append(Segment(why, look.tags))
        elif why_width:
            segments.append(Segment(set_cell_size(fit_words(f"{WHY} ", why, why_width), why_width), look.tags))
        if mark:
            segments.append(Segment(" " + mark, look.tags))
        strip = Strip(segments).crop_extend(0, width, look.base)
        if row == self.cursor:
            return Strip(Segment.apply_style(strip, post_style=look.cursor), width)
        if selected:
            return Strip(Segment.apply_style(strip, post_style=look.selected), width)
        return strip


TITLE_AT = 6  # cells before the title: selection mark, star, note mark, read mark, space (and one spare)

