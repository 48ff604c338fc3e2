"""Running searches off the UI thread and dropping stale ones.

Each keystroke starts an exclusive thread worker (the previous one is
cancelled, and a query still running in SQLite is interrupted); a result
is applied only if it answers the newest search. Until the search index is
ready, or while the queue is still being read, titles of the papers read
so far are searched in memory instead: such an answer is *partial*, the
status line says so, and the query runs again by itself once the rest of
the queue is read (:meth:`Searcher.rerun`) and once the index is ready
(:meth:`Searcher.index_ready`).

Papers whose full text was fetched (``F``, ``paperqueue read``) are found
by the words of their body too (the full-text index beside the cache,
:class:`~paperqueue.core.fulltext.FullTextIndex`); those found only there
are passed on apart, so the list and the reader can say so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from paperqueue.core.search import SearchIndex, query_words, title_matches

if TYPE_CHECKING:
    from paperqueue.core.fulltext import FullTextIndex
    from paperqueue.core.store import Store
    from paperqueue.ui.screens.queue import QueueScreen

#: ``apply(query, ids, partial, in_body)``: ids None means no filter;
#: ``in_body`` are those of ``ids`` found in full texts only.
Apply = Callable[[str, "set[int] | None", bool, "frozenset[int]"], None]


class Searcher:
    def __init__(self, screen: QueueScreen, apply: Apply) -> None:
        self.screen = screen
        self.apply = apply
        self.index: SearchIndex | None = None  # set once the index is current
        self.query = ""
        self.partial = False  # the answer shown covers titles (read so far) only
        self._store: Store | None = None
        self._generation = 0  # bumped by every search; older answers are dropped
        self._bodies: FullTextIndex | None = None  # the full texts' index, opened by the first search

    def search(self, store: Store, query: str) -> None:
        self.query = query
        self._store = store
        self._generation += 1
        if self.index is not None:
            self.index.interrupt()
        if self._bodies is not None:
            self._bodies.interrupt()
        words = query_words(query)
        if not words:
            self.partial = False
            self.apply(query, None, False, frozenset())
            return
        generation = self._generation
        self.screen.run_worker(
            lambda: self._run(store, query, words, generation),
            thread=True,
            exclusive=True,
            group="search",
            exit_on_error=False,
        )

    def rerun(self) -> None:
        """Ask the current question again if the answer shown is partial."""
        if self.partial and self._store is not None and query_words(self.query):
            self.search(self._store, self.query)

    def index_ready(self, index: SearchIndex) -> None:
        """The full index can answer from now on (called on the UI thread)."""
        self.index = index
        self.rerun()

    def _run(self, store: Store, query: str, words: list[str], generation: int) -> None:
        worker = get_current_worker()
        index = self.index
        partial = index is None
        try:
            ids = index.search(words) if index is not None else title_matches(list(store.papers.values()), words)
        except sqlite3.DatabaseError:  # interrupted by a newer keystroke, or a broken cache
            if worker.is_cancelled or generation != self._generation:
                return
            ids, partial = title_matches(list(store.papers.values()), words), True
        if worker.is_cancelled or generation != self._generation:
            return
        in_body = frozenset(self._body_hits(store, query, generation) - ids)
        if not worker.is_cancelled and generation == self._generation:
            self.screen.app.call_from_thread(self._apply_if_current, query, ids | in_body, partial, in_body, generation)

    def _body_hits(self, store: Store, query: str, generation: int) -> set[int]:
        """Ids of the papers whose fetched full text holds the query's words."""
        bodies = self._bodies
        if bodies is None:
            from paperqueue.core.fulltext import FullTextCache, FullTextIndex  # not before the first search

            path = FullTextCache(store.home).index_path
            if not path.exists():
                return set()  # nothing fetched yet (a later search looks again)
            bodies = self._bodies = FullTextIndex(path)
        try:
            keys = bodies.search(query)
        except (sqlite3.Error, OSError):  # interrupted by a newer keystroke, or a broken index: titles and abstracts still answer
            return set()
        papers = store.papers
        return {papers[key].id for key in keys if key in papers}

    def close(self) -> None:
        bodies, self._bodies = self._bodies, None
        if bodies is not None:
            bodies.close()

    def _apply_if_current(self, query: str, ids: set[int], partial: bool, in_body: frozenset[int], generation: int) -> None:
        if generation == self._generation:
            self.partial = partial
            self.apply(query, ids, partial, in_body)
