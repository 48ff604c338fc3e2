"""Finding a known paper by arXiv id, DOI or title: the indexes an import
matches against, built once when an import first needs them (opening the
app does not pay for them). A base class of :class:`~paperqueue.core.store.store.Store`,
which owns the attributes used here."""

from __future__ import annotations

import threading
from collections.abc import Callable

from paperqueue.core.identity import TitleIndex, doi_key, normalise_title
from paperqueue.core.models import Paper


class Lookups:
    papers: dict[str, Paper]
    _lock: threading.RLock
    _by_arxiv: dict[str, str] | None
    _by_doi: dict[str, str] | None
    _by_title: TitleIndex | None

    load_rest: Callable[[], None]

    def identity(self) -> tuple[dict[str, str], dict[str, str], TitleIndex]:
        """arXiv id -> key, DOI (:func:`doi_key` form) -> key, and normalised
        title -> every key with that title (built once, when an import first
        needs them: opening the app does not pay for them). Callers must not
        change them."""
        with self._lock:
            self.load_rest()
            if self._by_arxiv is None or self._by_title is None or self._by_doi is None:
                self._by_arxiv, self._by_doi, self._by_title = {}, {}, TitleIndex()
                for paper in self.papers.values():
                    self._index(paper)
            return self._by_arxiv, self._by_doi, self._by_title

    def _index(self, paper: Paper, normalised: str | None = None) -> None:
        assert self._by_arxiv is not None and self._by_title is not None and self._by_doi is not None
        if paper.arxiv_id:
            self._by_arxiv.setdefault(paper.arxiv_id, paper.key)
        if paper.doi:
            self._by_doi.setdefault(doi_key(paper.doi), paper.key)
        if normalised is None:
            normalised = normalise_title(paper.title) if paper.title else ""
        if normalised:
            self._by_title.add(normalised, paper.key)

    def find(self, arxiv_id: str | None, title: str, doi: str | None = None) -> str | None:
        """The key of the paper these identify, if it is in the queue."""
        by_arxiv, by_doi, by_title = self.identity()
        if arxiv_id and arxiv_id in by_arxiv:
            return by_arxiv[arxiv_id]
        if doi and doi_key(doi) in by_doi:
            return by_doi[doi_key(doi)]
        return by_title.get(normalise_title(title)) if title else None
