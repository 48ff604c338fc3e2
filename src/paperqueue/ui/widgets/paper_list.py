"""The paper list: a line-based ScrollView that draws only the visible rows,
so it costs the same at 79 papers and at 100,000."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.color import Color, ColorSystem
from rich.console import COLOR_SYSTEMS
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color as TextualColor
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperqueue.core.models import Paper
from paperqueue.core.queue import SIMILAR, QueueView

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
        self._look: _Look | None = None  # row styles, worked out again when styles change
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

    def _current_look(self) -> _Look:
        system = COLOR_SYSTEMS.get(self.app.console.color_system or "")  # None: no colour at all
        look = self._look
        if look is None or look.system is not system:
            look = self._look = _make_look(self, system)
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
        tags_width = _tags_width(state.tags, width - why_width)
        segments = [
            Segment("▌" if selected else " ", look.mark),
            Segment(STAR if state.starred else NO_STAR, look.star),
            Segment(NOTE if state.note else " ", look.note),
            Segment(READ if state.read else UNREAD, style),
            Segment(" ", look.base),
            Segment(_title(paper.display_title, width - TITLE_AT - tags_width - why_width, bool(why_width)), style),
            *_tag_segments(state.tags, width - why_width, look.tags),
        ]
        why_width -= mark_width
        if why_width and score is not None:
            segments.append(Segment(why, look.tags))
        elif why_width:
            segments.append(Segment(set_cell_size(_fit_words(f"{WHY} ", why, why_width), why_width), look.tags))
        if mark:
            segments.append(Segment(" " + mark, look.tags))
        strip = Strip(segments).crop_extend(0, width, look.base)
        if row == self.cursor:
            return Strip(Segment.apply_style(strip, post_style=look.cursor), width)
        if selected:
            return Strip(Segment.apply_style(strip, post_style=look.selected), width)
        return strip


TITLE_AT = 6  # cells before the title: selection mark, star, note mark, read mark, space (and one spare)


class _Look(NamedTuple):
    """The row styles for one theme, focus and colour depth (worked out once,
    not per row): ``cursor`` and ``selected`` are laid over every cell of
    their rows, so their background wins over each part's own."""

    system: object
    base: Style
    unread: Style
    read: Style
    stale: Style
    star: Style
    note: Style
    mark: Style
    tags: Style
    cursor: Style
    selected: Style


def _seen(color: Color | None, system: ColorSystem | None) -> tuple:
    """What a terminal of ``system`` shows for ``color``; truecolor is
    compared on the 256-colour scale (a smaller difference is not seen)."""
    if color is None or color.is_default:
        return ("default",)
    if system is None or system is ColorSystem.TRUECOLOR:
        system = ColorSystem.EIGHT_BIT
    down = color.downgrade(system)
    return (down.type, down.number, down.triplet)


def _theme_color(widget: ScrollView, name: str) -> Color | None:
    value = widget.app.theme_variables.get(name)
    if not value:
        return None
    try:
        return TextualColor.parse(value.split()[0]).rich_color
    except Exception:  # noqa: BLE001 - a theme's odd value: try the next colour
        return None


def _contrast(background: Color) -> Color:
    """Text colour for a row drawn on ``background``."""
    if background.triplet is None:  # an ANSI colour: its look is the terminal's choice
        return Color.parse("black") if background.number in (3, 6, 7, 10, 11, 14, 15) else Color.parse("bright_white")
    return TextualColor.from_rich_color(background).get_contrast_text(1.0).rich_color


def _make_look(widget: ScrollView, system: ColorSystem | None) -> _Look:
    base = widget.rich_style

    def part(name: str) -> Style:
        """A component's colour (worked out against the list's background,
        as Textual does) and text style, without its background."""
        color = widget.get_component_rich_style(name).color
        return Style(color=color) + widget.get_component_rich_style(name, partial=True).without_color

    unread = base + part("paper-list--unread")
    read = base + part("paper-list--read")
    stale = part("paper-list--stale")
    star = base + part("paper-list--star")
    tags = base + part("paper-list--tags")
    note = base + part("paper-list--note")
    mark = base + part("paper-list--selected-mark")
    plain = _seen(base.bgcolor, system)
    texts = [s.color for s in (unread, read, base + stale, star, tags, note, mark)]

    # The cursor: the theme's own cursor colours (as Textual's lists use),
    # or, where this terminal cannot tell them from the plain rows, the
    # theme's focused cursor, then its primary colour, then reversed rows.
    full = widget.get_component_rich_style("paper-list--cursor")
    attributes = widget.get_component_rich_style("paper-list--cursor", partial=True).without_color
    candidates: list[tuple[Color | None, Color | None]] = [(full.color, full.bgcolor)]
    for name in ("block-cursor-background", "primary", "accent"):
        color = _theme_color(widget, name)
        if color is not None:
            candidates.append((None, color))
    cursor = Style(reverse=True) + attributes
    for fg, bg in candidates:
        if bg is None or _seen(bg, system) == plain:
            continue
        fg = fg if fg is not None and _seen(fg, system) != _seen(bg, system) else _contrast(bg)
        cursor = Style(color=fg, bgcolor=bg) + attributes
        break

    # Selected rows: their own background, unlike the plain rows' and the
    # cursor's; the parts keep their colours where they stay readable on it.
    avoid = {plain, _seen(cursor.bgcolor, system)}
    chosen = widget.get_component_rich_style("paper-list--selected").bgcolor
    if chosen is None or _seen(chosen, system) in avoid:
        chosen = None
        for name in ("secondary", "primary", "accent", "success", "warning", "error"):
            color = _theme_color(widget, name)
            if color is not None and _seen(color, system) not in avoid:
                chosen = color
                break
    if chosen is None:
        selected = Style(underline=True)
    elif all(_seen(color, system) != _seen(chosen, system) for color in texts):
        selected = Style(bgcolor=chosen)
    else:
        selected = Style(color=_contrast(chosen), bgcolor=chosen)
    return _Look(system, base, unread, read, stale, star, note, mark, tags, cursor, selected)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, with an ellipsis when it was longer."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def _fit_words(lead: str, words: str, width: int) -> str:
    """``lead`` then as many whole ``words`` as fit in ``width`` cells, with
    an ellipsis when some were left out; nothing when not one fits."""
    text = lead + words
    if cell_len(text) <= width:
        return text
    shown = lead
    for word in words.split():
        if cell_len(shown) + cell_len(word) + 1 > width:  # the word and the ellipsis
            break
        shown += word + " "
    shown = shown.rstrip()
    return shown + "…" if shown != lead.rstrip() else ""


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
