"""Running searches off the UI thread and dropping stale ones.

Each keystroke starts an exclusive thread worker (the previous one is
cancelled, and a query still running in SQLite is interrupted); a result
is applied only if its query is still the current one. Until the search
index is ready, titles are searched in memory instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING


from textual.worker import get_current_worker

from paperqueue.core.search import SearchIndex, query_words, title_matches

if TYPE_CHECKING:
    from paperqueue.core.store import Store
    from paperqueue.ui.screens.queue import QueueScreen


class Searcher:
    def __init__(self, screen: QueueScreen, apply: Callable[[str, set[int] | None], None]) -> None:
        self.screen = screen
        self.apply = apply
        self.index: SearchIndex | None = None  # set once the index is current
        self.query = ""

    def search(self, store: Store, query: str) -> None:
        self.query = query
        if self.index is not None:
            self.index.interrupt()
        words = query_words(query)
        if not words:
            self.apply(query, None)
            return
        self.screen.run_worker(
            lambda: self._run(store, query, words),
            thread=True,
            exclusive=True,
            group="search",
            exit_on_error=False,
        )

    def _run(self, store: Store, query: str, words: list[str]) -> None:
        worker = get_current_worker()
        index = self.index
        try:
            ids = index.search(words) if index is not None else title_matches(store.papers.values(), words)
        except sqlite3.DatabaseError:  # interrupted by a newer keystroke, or a broken cache
            if worker.is_cancelled or query != self.query:
                return
            ids = title_matches(store.papers.values(), words)
        if not worker.is_cancelled and query == self.query:
            self.screen.app.call_from_thread(self._apply_if_current, query, ids)

    def _apply_if_current(self, query: str, ids: set[int]) -> None:
        if query == self.query:
            self.apply(query, ids)



