"""The reader pane of the queue screen: the highlighted paper's details
(from memory when cached, else read in a worker), whether they are still
pending (papers ``add`` landed by id alone, offline), and the keys that
scroll the reader or show it full screen. A base class of the queue
screen, which routes the list's highlight here (:meth:`show_in_reader`)."""

from __future__ import annotations

from textual import work
from textual.worker import get_current_worker

from paperqueue.core.models import Paper, PaperDetails
from paperqueue.ui.screens.for_you import ForYouScreen
from paperqueue.ui.widgets.reader import Reader


class QueueReaderScreen(ForYouScreen):
    def __init__(self) -> None:
        super().__init__()
        # Keys of papers ``add`` landed by id alone (offline): the reader says
        # their details are pending. Read off the UI thread (read_pending).
        self.pending_keys: frozenset[str] = frozenset()

    def show_in_reader(self, paper: Paper | None) -> None:
        reader = self.query_one(Reader)
        if paper is None or self.queue is None or self.store is None:
            reader.show(None, None, None)
            return
        details = self.store.cached_details(paper.key)
        reader.show(paper, self.queue.state(paper), details, pending=self._pending(paper), why=self.for_you_why(paper),
                    in_body=paper.id in self.paper_list.in_body)
        if details is None:
            self._load_details(paper)

    @work(thread=True, exclusive=True, group="details", exit_on_error=False)
    def _load_details(self, paper: Paper) -> None:
        assert self.store is not None
        details = self.store.details(paper.key)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._details_loaded, paper, details)

    def _details_loaded(self, paper: Paper, details: PaperDetails) -> None:
        if self.paper_list.paper is paper and self.queue is not None:
            self.query_one(Reader).show(paper, self.queue.state(paper), details, pending=self._pending(paper),
                                        why=self.for_you_why(paper), in_body=paper.id in self.paper_list.in_body)

    def _pending(self, paper: Paper) -> bool:
        keys = self.pending_keys
        if not keys:
            return False
        return paper.key in keys or (paper.arxiv_id and f"arxiv:{paper.arxiv_id}" in keys) \
            or bool(paper.doi and f"doi:{paper.doi.lower()}" in keys)

    @work(thread=True, exclusive=True, group="pending", exit_on_error=False)
    def read_pending(self) -> None:
        """Read which papers are still waiting for their details (after the
        queue opens and after each fetch or add)."""
        from paperqueue.core.subscriptions import Subscriptions

        store = self.store
        if store is None:
            return
        try:
            keys = frozenset(item.key for item in Subscriptions(store.home).pending())
        except OSError:
            return
        self.app.call_from_thread(self._pending_read, keys)

    def _pending_read(self, keys: frozenset[str]) -> None:
        if keys != self.pending_keys:
            self.pending_keys = keys
            self.show_in_reader(self.paper_list.paper)

    # -- keys ------------------------------------------------------------------

    def action_scroll_reader(self, direction: int) -> None:
        self.query_one(Reader).page(direction)

    def action_toggle_reader(self) -> None:
        self.toggle_class("-reader-only")
        if not self.has_class("-reader-only"):
            self.set_focus(self.paper_list)

    def action_list_move(self, step: int) -> None:
        self.paper_list.action_move(step)

    def action_half_page(self, direction: int) -> None:
        if self.has_class("-reader-only"):
            reader = self.query_one(Reader)
            reader.scroll_relative(y=direction * max(1, reader.scrollable_content_region.height // 2), animate=False, immediate=True)
        else:
            self.paper_list.action_half_page(direction)
