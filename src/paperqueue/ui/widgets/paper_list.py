"""The paper list: a line-based ScrollView that draws only the visible rows,
so it costs the same at 79 papers and at 100,000."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperqueue.core.models import Paper
from paperqueue.core.queue import QueueView

STAR, NO_STAR = "★", " "
UNREAD, READ = "●", "✓"


class PaperList(ScrollView, can_focus=True):
    """Rows of a :class:`QueueView`; owns the cursor and the keys that move it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Next", show=False, tooltip="Next paper"),
        Binding("k,up", "move(-1)", "Prev", show=False, tooltip="Previous paper"),
        Binding("g,home", "first", "First", show=False, tooltip="First paper"),
        Binding("G,end", "last", "Last", show=False, tooltip="Last paper"),
        Binding("pagedown", "page(1)", "Page down", show=False, tooltip="Page the list down"),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="Page the list up"),
        Binding("v", "toggle_selected", "Select", show=False, tooltip="Select or unselect the paper"),
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

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        if self.queue is not None and self.queue.partial:
            self._to_last = True  # the end is not loaded yet: go there when it is
        self.move_to(len(self.queue) - 1 if self.queue else 0)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.move_to(self.cursor + direction * height)

    # -- selection -------------------------------------------------------------

    class SelectionChanged(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unselect_all":
            return bool(self.selected)  # otherwise escape goes on to clear a search
        return True

    def action_toggle_selected(self) -> None:
        paper = self.paper
        if paper is not None:
            self.selected.symmetric_difference_update({paper.key})
            self.refresh_line(self.cursor)
            self.selection_version += 1
            self.post_message(self.SelectionChanged(len(self.selected)))

    def action_select_all(self) -> None:
        if self.queue is not None:
            self.selected.update(p.key for p in self.queue.rows)
            self.refresh()
            self.selection_version += 1
            self.post_message(self.SelectionChanged(len(self.selected)))

    def unselect(self, keys) -> None:
        """Drop ``keys`` from the selection (papers that left the queue)."""
        if self.selected & set(keys):
            self.selected.difference_update(keys)
            self.selection_version += 1
            self.refresh()
            self.post_message(self.SelectionChanged(len(self.selected)))

    def action_unselect_all(self) -> None:
        self.selected.clear()
        self.selection_version += 1
        self.refresh()
        self.post_message(self.SelectionChanged(0))

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

    # -- drawing -------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = y + round(self.scroll_offset.y)
        base = self.rich_style
        if self.queue is None or row >= len(self.queue):
            return Strip.blank(width, base)
        paper = self.queue.rows[row]
        state = self.queue.state(paper)
        style = self.get_component_rich_style("paper-list--read" if state.read else "paper-list--unread")
        if self.queue.is_stale(row):
            style += self.get_component_rich_style("paper-list--stale")
        star_style = self.get_component_rich_style("paper-list--star")
        selected = paper.key in self.selected
        why = self.queue.why.get(paper.key, "") if self.queue.view == "similar" else ""
        why = _fit(f"  ~ {why}", width // 3) if why and width > 30 else ""
        segments = [
            Segment("▌" if selected else " ", self.get_component_rich_style("paper-list--selected")),
            Segment(STAR if state.starred else NO_STAR, star_style),
            Segment(" "),
            Segment(READ if state.read else UNREAD, style),
            Segment(" "),
            Segment(_title(paper.display_title, width - 6 - _tags_width(state.tags, width) - len(why), bool(why)), style),
            *_tag_segments(state.tags, width, self.get_component_rich_style("paper-list--tags")),
            Segment(why, self.get_component_rich_style("paper-list--tags")),
        ]
        strip = Strip(segments).crop_extend(0, width, None)
        line_style: Style = base
        if selected:
            line_style = base + self.get_component_rich_style("paper-list--selected")
        if row == self.cursor:
            line_style = base + self.get_component_rich_style("paper-list--cursor")
        return strip.apply_style(line_style) if line_style else strip


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, with an ellipsis when it was longer."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def _title(title: str, width: int, pad: bool) -> str:
    """The title cut to ``width``; padded to it when a column follows (the
    Similar view's words line up)."""
    fitted = _fit(title, width)
    return set_cell_size(fitted, max(0, width)) if pad else fitted


def _tags_text(tags: tuple[str, ...]) -> str:
    return "  " + " ".join(f"#{tag}" for tag in tags) if tags else ""


def _tags_width(tags: tuple[str, ...], width: int) -> int:
    return min(cell_len(_tags_text(tags)), max(0, width // 3))


def _tag_segments(tags: tuple[str, ...], width: int, style: Style) -> list[Segment]:
    text = _tags_text(tags)
    return [Segment(_fit(text, _tags_width(tags, width)), style)] if text else []
