"""The sidebar: the views, the subscriptions (issue 11: the papers its
fetches brought), the tags and the import batches (newest first),
each with the same count: unread papers, and the total when it differs
(``3/12``: 3 unread of 12; ``79``: 79, all unread). The border says so.

When the tags and batches do not fit, each section shows a window of its
rows with ``↑ N more`` / ``↓ N more`` lines; the window follows the view
chosen with T, b and B, and a click on a "more" line (or the mouse wheel
over the section) moves it. Long tag and batch names are cut in the
middle, keeping what tells them apart: the import date of a batch (the
year too unless every batch shares it) and the part of the name that
differs from its nearest neighbour. Click a line to switch. What each row says (labels, counts) is worked
out in :mod:`~paperqueue.ui.widgets.sidebar_rows`."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from paperqueue.core.views import FOR_YOU, VIEW_TITLES, VIEWS, batch_view, is_for_you, subscription_view, tag_view
from paperqueue.ui.widgets.sidebar_rows import DATED, Totals, batch_label, count_text, cut_middle, span_apart

LEGEND = "unread/total"
TOP_ROWS = len(VIEWS) + 1  # the four views and For you
# -- the widget -------------------------------------------------------------------


@dataclass
class _Section:
    name: str  # "subs", "tags" or "batches"
    title: str
    views: list[str]  # one per row, in order
    offset: int = 0  # the first row shown when not all fit


class Sidebar(Widget, can_focus=False):
    DEFAULT_CLASSES = "pane"

    class ViewChosen(Message):
        def __init__(self, view: str) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = LEGEND
        self.view = "all"
        self.counts: dict[str, int] = dict.fromkeys(VIEWS, 0)
        self.batches: list[tuple[int, str, int]] = []  # (number, name, unread), newest first
        self.tags: dict[str, int] = {}  # tag -> unread
        self.subscriptions: dict[str, tuple[int, int]] = {}  # name -> (unread, total), in name order
        self.totals = Totals()
        self._source: object = None  # the queue's tag counts the totals were counted with
        self._offsets: dict[str, int] = {"subs": 0, "tags": 0, "batches": 0}
        self._follow = True  # show the current view's row at the next paint
        # What each drawn line does on a click: ("view", view), ("more", section, step) or None.
        self._lines: list[tuple | None] = []
        self._sections: dict[str, tuple[int, int]] = {}  # section -> drawn lines (first, end)
        self._labels: dict[tuple, str] = {}  # (kind, name, cells, year) -> label, for these names
        self._names: tuple = ()

    def update_views(
        self,
        view: str,
        counts: dict[str, int],
        batches: list[tuple[int, str, int]],
        tags: dict[str, int] | None = None,
        queue=None,
        papers_by_key=None,
        subscriptions: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        """Show these counts. The totals are counted here from ``queue`` and
        ``papers_by_key`` (default: the screen's queue and store), only when
        something changed (a move of the cursor changes nothing)."""
        if queue is None:
            queue = getattr(self.screen, "queue", None) if self.is_attached else None
        if papers_by_key is None:
            store = getattr(self.screen, "store", None) if self.is_attached else None
            papers_by_key = store.papers if store is not None else {}
        source = (queue.tag_unread, queue.papers) if queue is not None else None
        tags = dict(tags or {})
        subscriptions = dict(subscriptions or {})
        if (
            view == self.view and counts == self.counts and batches == self.batches and tags == self.tags
            and subscriptions == self.subscriptions
            and (source is None or self._source is not None and all(a is b for a, b in zip(source, self._source)))
        ):
            return  # a move of the cursor: nothing here changed, nothing to repaint
        if queue is not None:
            self.totals.count(queue, papers_by_key)
            self._source = source
        if view != self.view:
            self._follow = True
        self.view = view
        self.counts = dict(counts)
        self.batches = batches
        self.tags = tags
        self.subscriptions = subscriptions
        self.refresh()

    # -- what a row says ----------------------------------------------------------

    def _view_count(self, view: str) -> tuple[int, int]:
        counts = self.counts
        unread = counts.get("inbox", 0)
        if view == "inbox":
            return unread, unread
        if view == "starred":
            return min(self.totals.starred_unread, counts.get("starred", 0)), counts.get("starred", 0)
        if view == "read":
            return 0, counts.get("read", 0)
        if view == FOR_YOU:  # the unread papers it ranks
            ranked = counts.get(FOR_YOU, 0)
            return ranked, ranked
        return unread, counts.get("all", 0)

    def _line(self, label: str, unread: int, current: bool, width: int, total: int | None = None) -> Text:
        # Measured in cells, as the terminal draws them (CJK and emoji are two).
        total = unread if total is None else max(total, unread)
        number = count_text(unread, total)
        room = max(1, width - len(number) - 2)
        if cell_len(label) > room:
            label = set_cell_size(label, room - 1) + "…"
        line = Text(set_cell_size(label, room + 1), style="bold" if current else "")
        shown = f"{unread:,}"
        line.append(shown, style="" if current else ("dim" if unread == 0 else ""))
        line.append(number[len(shown):] + " ", style="" if current else "dim")
        if current:
            line.stylize("reverse")
        return line

    def _room(self, width: int, number: str) -> int:
        """Cells for a row's name: the width less the count and the spaces."""
        return max(1, width - len(number) - 4)

    def _label(self, kind: str, name: str, cells: int, year: bool) -> str:
        key = (kind, name, cells, year)
        label = self._labels.get(key)
        if label is None:
            if kind == "sub":
                label = cut_middle(name, cells, span_apart(name, [n for n in self.subscriptions if n != name]))
            elif kind == "batch":
                others = [n for _b, n, _u in self.batches]
                others.remove(name)  # its own row; a batch of the same name stays
                label = batch_label(name, cells, others, year)
            else:
                label = cut_middle(name, cells, span_apart(name, [t for t in self.tags if t != name]))
            self._labels[key] = label
        return label

    # -- the sections -------------------------------------------------------------

    def _windows(self, height: int, sections: list[_Section], fixed: int) -> dict[str, int]:
        """Rows each section may use (its items and "more" lines), so that
        every section keeps some in sight."""
        room = max(len(sections), height - fixed)
        wanted = {s.name: len(s.views) for s in sections}
        if sum(wanted.values()) <= room:
            return wanted
        given = dict.fromkeys(wanted, 0)
        left = room
        # Fair shares, smallest first: a short section takes what it needs,
        # the longer ones split the rest.
        for n, section in enumerate(sorted(sections, key=lambda s: wanted[s.name])):
            share = left // (len(sections) - n)
            given[section.name] = min(wanted[section.name], max(1, share))
            left -= given[section.name]
        return given

    def _window(self, section: _Section, rows: int, current: int | None) -> tuple[int, int, bool, bool]:
        """The first item shown, how many, and whether a "more" line goes
        above and below them, in ``rows`` lines; the current item kept in
        sight when the view just changed."""
        count = len(section.views)
        if count <= rows:
            self._offsets[section.name] = 0
            return 0, count, False, False

        def layout(offset: int) -> tuple[int, bool, bool]:  # items shown, more above, more below
            if rows >= 3:
                above = offset > 0
                shown = rows - above
                below = offset + shown < count
                return shown - below, above, below
            if rows == 2:  # one "more" line: below while there is more below
                return 1, offset > 0 and offset + 1 >= count, offset + 1 < count
            return 1, False, False

        offset = max(0, min(self._offsets[section.name], count - 1))
        if self._follow and current is not None:
            if current < offset:
                offset = current
            while current >= offset + layout(offset)[0]:
                offset += 1
        while offset > 0 and offset - 1 + layout(offset - 1)[0] >= count:
            offset -= 1  # no empty space at the end when scrolled back
        self._offsets[section.name] = offset
        return (offset, *layout(offset))

    def render(self) -> Text:
        width = max(self.size.width, 12)
        height = max(self.size.height, TOP_ROWS + 1)
        names = (tuple(n for _b, n, _u in self.batches), tuple(self.tags), tuple(self.subscriptions))
        if names != self._names:
            self._names, self._labels = names, {}
        text = Text()
        lines: list[tuple | None] = []
        self._sections = {}

        def add(line: Text, action: tuple | None) -> None:
            text.append_text(line)
            text.append("\n")
            lines.append(action)

        for number, view in enumerate(VIEWS, start=1):
            unread, total = self._view_count(view)
            add(self._line(f" {number} {VIEW_TITLES[view]}", unread, view == self.view, width, total), ("view", view))
        unread, total = self._view_count(FOR_YOU)
        add(self._line(f" {len(VIEWS) + 1} For you", unread, is_for_you(self.view), width, total), ("view", FOR_YOU))
        sections = []
        if self.subscriptions:
            sections.append(_Section("subs", " Subscriptions", [subscription_view(n) for n in self.subscriptions]))
        if self.tags:
            sections.append(_Section("tags", " Tags (T)", [tag_view(t) for t in self.tags]))
        if self.batches:
            sections.append(_Section("batches", " Batches (b)", [batch_view(b) for b, _n, _u in self.batches]))
        # A blank line before each section, unless the height is short.
        spaced = height >= TOP_ROWS + 4 * len(sections)
        rows = self._windows(height, sections, TOP_ROWS + (1 + spaced) * len(sections))
        year = self._with_year(width)
        tag_names = list(self.tags)
        sub_names = list(self.subscriptions)
        for section in sections:
            if spaced:
                add(Text(""), None)
            add(Text(section.title, style="dim"), None)
            current = section.views.index(self.view) if self.view in section.views else None
            offset, count, above, below = self._window(section, rows[section.name], current)
            first = len(lines)
            if above:
                add(Text(f"   ↑ {offset:,} more", style="dim italic"), ("more", section.name, -1))
            for index in range(offset, offset + count):
                view = section.views[index]
                if section.name == "subs":
                    name = sub_names[index]
                    unread, total = self.subscriptions[name]
                    label = self._label("sub", name, self._room(width, count_text(unread, total)) + 1, True)
                    add(self._line(f" {label}", unread, view == self.view, width, total), ("view", view))
                elif section.name == "tags":
                    tag = tag_names[index]
                    unread, total = self.tags[tag], self.totals.tags.get(tag, 0)
                    label = self._label("tag", tag, self._room(width, count_text(unread, total)), True)
                    add(self._line(f" #{label}", unread, view == self.view, width, total), ("view", view))
                else:
                    batch, name, unread = self.batches[index]
                    total = self.totals.batches.get(batch, unread)
                    room = self._room(width, count_text(unread, total)) + 1
                    add(self._line(f" {self._label('batch', name, room, year)}", unread, view == self.view, width, total),
                        ("view", view))
            hidden = len(section.views) - offset - count
            if below:
                add(Text(f"   ↓ {hidden:,} more", style="dim italic"), ("more", section.name, 1))
            self._sections[section.name] = (first, len(lines))
        self._follow = False
        self._lines = lines
        text.right_crop(1)  # the last line's newline (its spaces stay: a current row is reversed to the edge)
        return text

    def _with_year(self, width: int) -> bool:
        """Whether batch labels show their dates' year: when every name fits
        whole with it, or the batches' dates are not all of one year."""
        years = {m.group(2) for _b, n, _u in self.batches if (m := DATED.match(n))}
        if len(years) > 1:
            return True
        return all(
            cell_len(name) <= self._room(width, count_text(unread, self.totals.batches.get(batch, unread))) + 1
            for batch, name, unread in self.batches
        )

    # -- the mouse ------------------------------------------------------------------

    def _scroll(self, section: str, step: int) -> None:
        first, end = self._sections.get(section, (0, 0))
        page = max(1, end - first - 2)
        self._offsets[section] = max(0, self._offsets[section] + step * page)
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(self._lines):
            return
        action = self._lines[offset.y]
        if action is None:
            return
        if action[0] == "view":
            self.post_message(self.ViewChosen(action[1]))
        else:
            self._scroll(action[1], action[2])

    def _section_at(self, y: int) -> str | None:
        for name, (first, end) in self._sections.items():
            if first <= y < end:
                return name
        return None

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        offset = event.get_content_offset(self)
        section = self._section_at(offset.y) if offset is not None else None
        if section is not None:
            self._offsets[section] += 1
            self.refresh()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        offset = event.get_content_offset(self)
        section = self._section_at(offset.y) if offset is not None else None
        if section is not None:
            self._offsets[section] = max(0, self._offsets[section] - 1)
            self.refresh()
