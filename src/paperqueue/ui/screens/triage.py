"""The triage keys: star, read, read-and-next, unread navigation, copying
and opening links. A base class of the queue screen, so these keys live
with the state they change; the layout and views live in :mod:`queue`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

from paperqueue.core.formats import markdown_link
from paperqueue.core.models import Paper, PaperState
from paperqueue.core.queue import QueueView
from paperqueue.core.store import ReadOnlyStoreError, Store
from paperqueue.ui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    from paperqueue.ui.app import PaperQueueApp


class TriageScreen(Screen[None]):
    BINDINGS = [
        Binding("s", "toggle_star", "Star", tooltip="Toggle star"),
        Binding("r", "toggle_read", "Read", tooltip="Toggle read"),
        Binding("space", "read_and_next", "Read+next", tooltip="Mark read and go to the next unread paper"),
        Binding("n", "unread(1)", "Next unread", show=False, tooltip="Next unread paper"),
        Binding("p", "unread(-1)", "Prev unread", show=False, tooltip="Previous unread paper"),
        Binding("y", "copy_link", "Copy", tooltip="Copy the primary link"),
        Binding("Y", "copy_markdown", "Copy Markdown", show=False, tooltip="Copy a Markdown link [Title](url)"),
        Binding("o", "open_link", "Open", tooltip="Open the primary link in the browser"),
    ]

    app: PaperQueueApp
    store: Store | None
    queue: QueueView | None

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    def refresh_views(self) -> None:  # the queue screen redraws counts and status
        raise NotImplementedError

    def show_in_reader(self, paper: Paper | None) -> None:
        raise NotImplementedError

    def view_title(self, view: str) -> str:
        raise NotImplementedError

    # -- changing state ------------------------------------------------------

    def _change(self, paper: Paper, new: PaperState) -> bool:
        assert self.store is not None and self.queue is not None
        old = self.queue.state(paper)
        try:
            self.store.set_state(paper.key, new)
        except ReadOnlyStoreError as error:
            self.notify(str(error), severity="warning", markup=False)
            return False
        self.queue.state_changed(old, new, paper)
        self.paper_list.refresh_row()
        self.show_in_reader(paper)
        self.refresh_views()
        self.app.flush_store()
        return True

    def _current(self) -> tuple[Paper, PaperState] | None:
        paper = self.paper_list.paper
        if paper is None or self.queue is None or self.store is None:
            return None
        return paper, self.queue.state(paper)

    def action_toggle_star(self) -> None:
        if current := self._current():
            paper, state = current
            self._change(paper, state.with_star(not state.starred, self.store.clock()))

    def action_toggle_read(self) -> None:
        if current := self._current():
            paper, state = current
            self._change(paper, state.with_read(not state.read, self.store.clock()))

    def action_read_and_next(self) -> None:
        if current := self._current():
            paper, state = current
            if not state.read and not self._change(paper, state.with_read(True, self.store.clock())):
                return
            self.action_unread(1)

    def action_unread(self, step: int) -> None:
        if self.queue is None:
            return
        row = self.queue.next_unread(self.paper_list.cursor, step)
        if row is None:
            where = "below" if step > 0 else "above"
            self.notify(f"No unread papers {where} in {self.view_title(self.queue.view)}", timeout=3, markup=False)
            return
        self.paper_list.move_to(row)

    # -- links -----------------------------------------------------------------

    def action_copy_link(self) -> None:
        if paper := self.paper_list.paper:
            self.app.copy_text(paper.primary_link, "link")

    def action_copy_markdown(self) -> None:
        if paper := self.paper_list.paper:
            self.app.copy_text(markdown_link(paper.title, paper.primary_link), "Markdown link")

    def action_open_link(self) -> None:
        if paper := self.paper_list.paper:
            self.app.open_link(paper.primary_link)
