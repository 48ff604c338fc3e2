"""The main screen: sidebar of views, the paper list, the reader pane.

It owns the triage keys (star, read, copy, open, views) and the view state;
the list widget owns the cursor keys. Changes go to the store in memory at
once and reach the disk through the app's flush worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from paperqueue.core.models import Paper, PaperState
from paperqueue.core.queue import VIEW_TITLES, VIEWS, QueueView
from paperqueue.core.store import ReadOnlyStoreError, Store
from paperqueue.core.formats import markdown_link
from paperqueue.ui.widgets.paper_list import PaperList
from paperqueue.ui.widgets.reader import Reader
from paperqueue.ui.widgets.sidebar import Sidebar
from paperqueue.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from paperqueue.ui.app import PaperQueueApp

SAVE_POSITION_AFTER = 0.5  # seconds of stillness before the position is saved


class QueueScreen(Screen[None]):
    BINDINGS = [
        Binding("s", "toggle_star", "Star", tooltip="Toggle star"),
        Binding("r", "toggle_read", "Read", tooltip="Toggle read"),
        Binding("space", "read_and_next", "Read+next", tooltip="Mark read and go to the next unread paper"),
        Binding("n", "unread(1)", "Next unread", show=False, tooltip="Next unread paper"),
        Binding("p", "unread(-1)", "Prev unread", show=False, tooltip="Previous unread paper"),
        Binding("y", "copy_link", "Copy", tooltip="Copy the primary link"),
        Binding("Y", "copy_markdown", "Copy Markdown", show=False, tooltip="Copy a Markdown link [Title](url)"),
        Binding("o", "open_link", "Open", tooltip="Open the primary link in the browser"),
        Binding("J", "scroll_reader(1)", "Reader down", show=False, tooltip="Scroll the reader pane down"),
        Binding("K", "scroll_reader(-1)", "Reader up", show=False, tooltip="Scroll the reader pane up"),
        Binding("1", "view('inbox')", "Inbox", show=False, tooltip="View: Inbox (unread papers)"),
        Binding("2", "view('starred')", "Starred", show=False, tooltip="View: Starred papers"),
        Binding("3", "view('read')", "Read view", show=False, tooltip="View: Read papers"),
        Binding("4", "view('all')", "All", show=False, tooltip="View: All papers"),
    ]

    app: PaperQueueApp

    def __init__(self) -> None:
        super().__init__()
        self.store: Store | None = None
        self.queue: QueueView | None = None
        self._save_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="panes"):
            yield Sidebar(id="sidebar")
            yield PaperList(id="papers")
            yield Reader(id="reader")
        yield Footer()

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    # -- loading -------------------------------------------------------------

    def load(self, store: Store) -> None:
        """Show ``store``'s queue where the person left it (All on first run)."""
        self.store = store
        settings = store.settings
        view = settings.get("view") if settings.get("view") in VIEWS else "all"
        self.queue = QueueView(store.ordered_papers(), store.states, view)
        row = self.queue.row_of(settings.get("key", "")) or 0
        self.paper_list.show(self.queue, row)
        self.paper_list.focus()
        self.refresh_views()

    def refresh_views(self) -> None:
        if self.queue is None or self.store is None:
            return
        self.query_one(Sidebar).update_views(self.queue.view, self.queue.counts)
        self.query_one(StatusLine).update_status(
            self.queue.view,
            self.paper_list.cursor,
            len(self.queue),
            self.queue.counts,
            unsaved=self.store.unsaved,
            read_only=self.store.read_only,
        )
        self.paper_list.border_title = f"{VIEW_TITLES[self.queue.view]} ({len(self.queue)})"

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self._show_in_reader(event.paper)
        self.refresh_views()
        self._save_position_soon()

    def _show_in_reader(self, paper: Paper | None) -> None:
        state = self.queue.state(paper) if (paper and self.queue) else None
        self.query_one(Reader).show(paper, state)

    @on(Sidebar.ViewChosen)
    def _view_chosen(self, event: Sidebar.ViewChosen) -> None:
        self.action_view(event.view)

    # -- position ------------------------------------------------------------

    def _save_position_soon(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_POSITION_AFTER, self.save_position)

    def save_position(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.store is None or self.queue is None or self.store.read_only:
            return
        paper = self.paper_list.paper
        self.store.set_settings(view=self.queue.view, key=paper.key if paper else None)
        self.app.flush_store()

    # -- changing state ------------------------------------------------------

    def _change(self, paper: Paper, new: PaperState) -> bool:
        assert self.store is not None and self.queue is not None
        old = self.queue.state(paper)
        try:
            self.store.set_state(paper.key, new)
        except ReadOnlyStoreError as error:
            self.notify(str(error), severity="warning", markup=False)
            return False
        self.queue.state_changed(old, new)
        self.paper_list.refresh_row()
        self._show_in_reader(paper)
        self.refresh_views()
        self.app.flush_store()
        return True

    def action_toggle_star(self) -> None:
        paper = self.paper_list.paper
        if paper is not None and self.queue is not None:
            state = self.queue.state(paper)
            self._change(paper, state.with_star(not state.starred, self.store.clock()))

    def action_toggle_read(self) -> None:
        paper = self.paper_list.paper
        if paper is not None and self.queue is not None:
            state = self.queue.state(paper)
            self._change(paper, state.with_read(not state.read, self.store.clock()))

    def action_read_and_next(self) -> None:
        paper = self.paper_list.paper
        if paper is None or self.queue is None:
            return
        state = self.queue.state(paper)
        if not state.read and not self._change(paper, state.with_read(True, self.store.clock())):
            return
        self.action_unread(1)

    def action_unread(self, step: int) -> None:
        if self.queue is None:
            return
        row = self.queue.next_unread(self.paper_list.cursor, step)
        if row is None:
            where = "below" if step > 0 else "above"
            self.notify(f"No unread papers {where} in {VIEW_TITLES[self.queue.view]}", timeout=3)
            return
        self.paper_list.move_to(row)

    # -- views and scrolling ---------------------------------------------------

    def action_view(self, view: str) -> None:
        if self.queue is None:
            return
        current = self.paper_list.paper
        self.queue.set_view(view)
        row = self.queue.row_of(current.key) if current else None
        self.paper_list.show(self.queue, row or 0)
        self.refresh_views()

    def action_scroll_reader(self, direction: int) -> None:
        self.query_one(Reader).page(direction)

    # -- links -----------------------------------------------------------------

    def action_copy_link(self) -> None:
        paper = self.paper_list.paper
        if paper is not None:
            self.app.copy_text(paper.primary_link, "link")

    def action_copy_markdown(self) -> None:
        paper = self.paper_list.paper
        if paper is not None:
            self.app.copy_text(markdown_link(paper.title, paper.primary_link), "Markdown link")

    def action_open_link(self) -> None:
        paper = self.paper_list.paper
        if paper is not None:
            self.app.open_link(paper.primary_link)
