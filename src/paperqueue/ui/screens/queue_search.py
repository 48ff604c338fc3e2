"""The search box of the queue screen: ``/`` opens it, each change searches
(off the UI thread, :class:`~paperqueue.ui.searching.Searcher`) and the
answer filters the list; ``enter`` keeps the filter, ``escape`` clears it
(or leaves the Similar view). The search index is opened, or rebuilt with
progress in the status line, in a worker (:meth:`prepare_search`). A base
class of the queue screen."""

from __future__ import annotations

from textual import on, work
from textual.widgets import Input
from textual.worker import get_current_worker

from paperqueue.core.models import Paper
from paperqueue.core.views import SIMILAR
from paperqueue.core.search import SearchIndex
from paperqueue.core.store import Store, layout
from paperqueue.ui.screens.queue_reader import QueueReaderScreen
from paperqueue.ui.searching import Searcher
from paperqueue.ui.widgets.search_bar import SearchBar


class QueueSearchScreen(QueueReaderScreen):
    def __init__(self) -> None:
        super().__init__()
        self._before_search: Paper | None = None  # highlighted when the search began
        self.searcher = Searcher(self, self._apply_search)

    @work(thread=True, exclusive=True, group="search-index", exit_on_error=False)
    def prepare_search(self, store: Store) -> None:
        """Open the search index, rebuilding it (with progress) when stale."""
        index = SearchIndex(store.home / layout.SEARCH)
        try:
            if index.generation() != store.generation:
                if store.read_only:
                    return  # the process holding the lock maintains it
                total = max(1, len(store.papers))
                report = lambda done: self.app.call_from_thread(  # noqa: E731
                    self.set_activity, "search", f"indexing for search {done / total:.0%}"
                )
                docs = ((p.id, p.title, d.abstract) for p, d in store.iter_details())
                index.rebuild(docs, store.generation, report)
        except Exception as error:  # noqa: BLE001 - search falls back to titles
            index.discard()
            self.app.call_from_thread(self.notify, f"Search covers titles only: {error}", markup=False)
            return
        finally:
            self.app.call_from_thread(self.set_activity, "search", None)
        worker = get_current_worker()
        if not worker.is_cancelled:
            self.app.call_from_thread(self.searcher.index_ready, index)
            if not store.read_only:  # an import's papers into the prefix table (fast short prefixes)
                index.settle(store, stop=lambda: worker.is_cancelled)

    def on_unmount(self) -> None:
        self.searcher.close()  # the full texts' index (the list's own is the store's)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search":
            return not isinstance(self.focused, SearchBar)  # "/" in the box is text
        return True

    def action_search(self) -> None:
        # Also before the queue is open: what is typed must not fall through
        # to the list as triage keys; the search runs once the queue is here.
        self.query_one(SearchBar).open()

    def action_keep_search(self) -> None:
        box = self.query_one(SearchBar)
        if not box.value.strip():
            self.action_clear_search()
            return
        self.set_focus(self.paper_list)

    def action_clear_search(self) -> None:
        if self.queue is not None and self.queue.view == SIMILAR and not isinstance(self.focused, SearchBar):
            self.leave_similar()  # escape leaves the Similar view
            return
        box = self.query_one(SearchBar)
        searched = bool(box.value) or (self.queue is not None and self.queue.filter is not None)
        box.value = ""
        box.display = False
        if self.store is not None:
            self.searcher.search(self.store, "")
        self.set_focus(self.paper_list)
        if searched:
            self.notify("Search cleared", timeout=2)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self.store is not None:
            self.searcher.search(self.store, event.value)

    def _apply_search(self, query: str, ids: set[int] | None, partial: bool = False,
                      in_body: frozenset[int] = frozenset()) -> None:
        """Show a search's results from the top, unless the person moved to a
        paper that is among them (finding a row among 100,000 costs more than
        the search, so it is done only then, and when the search is cleared).
        ``in_body``: those found in their full text only (marked ¶)."""
        if self.queue is None:
            return
        self.paper_list.set_in_body(in_body)
        current = self.paper_list.paper
        if ids is not None and self.queue.filter is None:
            self._before_search = current  # a search begins: where to come back to
        elif ids is None and current is None:
            current = self._before_search  # nothing found: back to where it began
        keep = current is not None and (ids is None or (self.paper_list.cursor != 0 and current.id in ids))
        self.queue.set_filter(ids)
        row = (self.queue.row_of(current.key) or 0) if keep and current is not None else 0
        self.paper_list.show(self.queue, row)
        self.refresh_views()
