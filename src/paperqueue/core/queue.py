"""Views over the queue: which papers a view shows, counts, and moving
between unread papers. Plain Python, shared by the app and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from paperqueue.core.models import Paper, PaperState

VIEWS: tuple[str, ...] = ("inbox", "starred", "read", "all")
VIEW_TITLES = {"inbox": "Inbox", "starred": "Starred", "read": "Read", "all": "All"}
_NO_STATE = PaperState()


def matches(view: str, state: PaperState) -> bool:
    if view == "inbox":
        return not state.read
    if view == "starred":
        return state.starred
    if view == "read":
        return state.read
    if view == "all":
        return True
    raise ValueError(f"unknown view: {view}")


def select(papers: Sequence[Paper], states: Mapping[str, PaperState], view: str) -> list[Paper]:
    return [p for p in papers if matches(view, states.get(p.key, _NO_STATE))]


class QueueView:
    """The rows of one view, in order, over a shared ``states`` mapping.

    A paper that stops matching the view (read in Inbox, unstarred in
    Starred) keeps its row until the view is entered again, so the cursor
    never jumps; :meth:`is_stale` tells the list to mark it.
    """

    def __init__(
        self,
        papers: Sequence[Paper],
        states: Mapping[str, PaperState],
        view: str = "all",
    ) -> None:
        self.papers = list(papers)
        self.states = states
        self.view = view
        self.rows: list[Paper] = []
        self._row_of: dict[str, int] | None = None
        self.counts: dict[str, int] = {}
        self.recount()
        self.set_view(view)

    # -- views and counts --------------------------------------------------

    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown view: {view}")
        self.view = view
        self.rows = self.papers if view == "all" else select(self.papers, self.states, view)
        self._row_of = None

    def recount(self) -> None:
        counts = dict.fromkeys(VIEWS, 0)
        counts["all"] = len(self.papers)
        for paper in self.papers:
            state = self.states.get(paper.key, _NO_STATE)
            counts["starred"] += state.starred
            counts["read"] += state.read
        counts["inbox"] = counts["all"] - counts["read"]
        self.counts = counts

    def state_changed(self, old: PaperState, new: PaperState) -> None:
        """Keep the counts right after one paper's state changed."""
        self.counts["starred"] += int(new.starred) - int(old.starred)
        self.counts["read"] += int(new.read) - int(old.read)
        self.counts["inbox"] = self.counts["all"] - self.counts["read"]

    # -- rows ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.rows)

    def state(self, paper: Paper) -> PaperState:
        return self.states.get(paper.key, _NO_STATE)

    def is_stale(self, row: int) -> bool:
        return not matches(self.view, self.state(self.rows[row]))

    def row_of(self, key: str) -> int | None:
        if self._row_of is None:
            self._row_of = {paper.key: row for row, paper in enumerate(self.rows)}
        return self._row_of.get(key)

    def find(self, start: int, step: int, wanted: Callable[[PaperState], bool]) -> int | None:
        """The first row after ``start`` (in direction ``step``) whose state is wanted."""
        row = start + step
        while 0 <= row < len(self.rows):
            if wanted(self.state(self.rows[row])):
                return row
            row += step
        return None

    def next_unread(self, start: int, step: int = 1) -> int | None:
        return self.find(start, step, lambda state: not state.read)
