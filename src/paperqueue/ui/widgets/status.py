"""The status line at the top: where you are and how much is left."""

from __future__ import annotations

import re

from rich.text import Text
from textual.widget import Widget

from paperqueue.core.text import one_line


class StatusLine(Widget, can_focus=False):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text("paperqueue  ·  loading…")
        self._head = Text()  # the essentials: READ-ONLY, unsaved, selection
        self._tail = Text()  # what is under way, where you are, the counts
        self._sync = ""  # "3 changes not synced  ·  synced 5 min ago" (a store set up for sync)

    def update_status(
        self,
        view: str,  # the view's title
        row: int,
        rows: int,
        counts: dict[str, int],
        *,
        sort: str = "",
        query: str = "",
        partial: bool = False,
        selected: int = 0,
        hidden: int = 0,  # of the selected, how many this view or search hides
        activity: str = "",
        unsaved: int = 0,
        read_only: bool = False,
    ) -> None:
        # What matters most comes first, so an 80-column line never loses it:
        # that nothing can be changed, that something is not saved, what an
        # action will touch, what is under way (with its percentage), then
        # where you are and the counts.
        text = Text()
        text.append(" paperqueue ", style="bold reverse")
        if read_only:
            text.append("  READ-ONLY", style="bold red")
        if unsaved:
            text.append(f"  {unsaved:,} unsaved", style="bold red")
        if selected:
            text.append(f"  {selected:,} selected", style="bold reverse")
            if hidden:
                text.append(f" ({hidden:,} hidden)", style="bold")
        head = text.copy()
        text = Text()
        if activity:
            text.append(f"  {_percent_first(activity)}", style="italic")
        text.append(f"  {view} {row + 1 if rows else 0:,}/{rows:,}", style="bold")
        if query:
            text.append("  ·  search: ")
            text.append(one_line(query), style="bold")
            if partial:
                text.append(" (titles only so far)", style="italic")
        text.append(
            f"  ·  {counts['all']:,} paper{'' if counts['all'] == 1 else 's'}  ·  {counts['inbox']:,} unread"
            f"  ·  {counts['starred']:,} starred  ·  {counts['read']:,} read",
        )
        if sort and sort != "newest added":
            text.append(f"  ·  by {sort}", style="dim")
        if head == self._head and text == self._tail and self._text is not None:
            return  # unchanged (a save, a move that kept the counts): no repaint
        self._head, self._tail, self._text = head, text, None
        self.refresh()

    def set_sync(self, text: str) -> None:
        """What sync has to say (own changes not synced, the last sync);
        shown after the essentials, and the first thing cut when narrow."""
        if text == self._sync:
            return
        self._sync = text
        if self._text is None:
            self.refresh()

    def show_activity(self, activity: str) -> None:
        """Before the queue is loaded: only what is happening."""
        self._text = Text(" paperqueue ", style="bold reverse")
        self._text.append(f"  {activity}", style="italic")
        self.refresh()

    def render(self) -> Text:
        if self._text is not None:
            return self._text
        if not self._sync:
            return self._head + self._tail
        width = self.size.width
        sync = Text(f"  {self._sync}", style="dim")
        whole = self._head + sync + self._tail
        if whole.cell_len <= width:
            return whole
        # Narrow: the sync part goes first, a whole part at a time (never "3
        # changes not" cut mid-phrase), the changes waiting kept longest.
        line = self._head + self._tail
        for part in self._sync.split("  ·  "):
            piece = Text(f"  ·  {part}", style="dim")
            if (line + piece).cell_len > width:
                break
            line += piece
        return line


_PERCENT = re.compile(r"^(.*?)\s+(\d+%)$")


def _percent_first(activity: str) -> str:
    """``indexing for search 45%`` as ``45% indexing for search``: on a
    narrow line the percentage is what must stay visible."""
    parts = []
    for part in activity.split("  ·  "):
        found = _PERCENT.match(part)
        parts.append(f"{found.group(2)} {found.group(1)}" if found else part)
    return "  ·  ".join(parts)
