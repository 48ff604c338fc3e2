"""The status line at the top: where you are and how much is left."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from paperqueue.core.text import one_line


class StatusLine(Widget, can_focus=False):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text("paperqueue  ·  loading…")

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
        text = Text()
        text.append(" paperqueue ", style="bold reverse")
        text.append(f"  {view} {row + 1 if rows else 0:,}/{rows:,}", style="bold")
        # What actions will touch comes first, so an 80-column line still shows it.
        if selected:
            text.append(f"  ·  {selected:,} selected", style="bold reverse")
            if hidden:
                text.append(f" ({hidden:,} hidden)", style="bold")
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
        if activity:
            text.append(f"  ·  {activity}", style="italic")
        if read_only:
            text.append("  ·  READ-ONLY", style="bold red")
        if unsaved:
            text.append(f"  ·  {unsaved} unsaved", style="bold red")
        self._text = text
        self.refresh()

    def show_activity(self, activity: str) -> None:
        """Before the queue is loaded: only what is happening."""
        self._text = Text(" paperqueue ", style="bold reverse")
        self._text.append(f"  {activity}", style="italic")
        self.refresh()

    def render(self) -> Text:
        return self._text
