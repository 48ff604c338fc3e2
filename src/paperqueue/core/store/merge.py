"""One import's worth of changes: which papers are new, which gain what.

Identity: a paper is the one already in the queue with the same arXiv id
(versionless), else the same normalised title. Keys are permanent: a paper
first seen by title keeps its ``title:`` key when its arXiv id turns up.
A merge fills gaps (id, abstract, links) and never touches state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from paperqueue.core.identity import normalise_title, paper_key
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.models import ImportResult, Paper

if TYPE_CHECKING:
    from paperqueue.core.store.store import Store

Progress = Callable[[str, int, int], None]


class Merge:
    def __init__(
        self,
        store: Store,
        source: str,
        now: str,
        progress: Progress | None,
        on_new: Callable[[int, str, str], None] | None = None,
    ) -> None:
        self.store = store
        self.on_new = on_new
        self.now = now
        self.progress = progress
        self.result = ImportResult(source=source)
        self.new: dict[str, Paper] = {}
        self.changed: dict[str, Paper] = {}
        self.details: dict[int, dict] = {}  # doc id -> abstract record to write
        store.load_rest()
        papers = store.papers.values()
        # Ids above the committed max_id belong to an import that never
        # committed: they are reused (and their records overwritten).
        self.next_id = max([store.max_id, *(p.id for p in papers)]) + 1
        self.next_seq = max((p.seq for p in papers), default=0) + 1
        self.batch = max((p.batch for p in papers), default=0) + 1
        self._seen_ids: dict[str, str] = {}
        self._seen_titles: dict[str, str] = {}
        self._count = 0

    def _find(self, item: ParsedPaper, normalised: str) -> str | None:
        key = self.store.find(item.arxiv_id, item.title)
        if key is None and item.arxiv_id:
            key = self._seen_ids.get(item.arxiv_id)
        if key is None and normalised:
            key = self._seen_titles.get(normalised)
        return key

    def add(self, item: ParsedPaper) -> None:
        self._count += 1
        if self.progress and self._count % 2000 == 0:
            self.progress("reading", self._count, 0)
        normalised = normalise_title(item.title)
        key = self._find(item, normalised)
        if key is None:
            self._add_new(item, normalised)
            return
        self.result.existing += 1
        known = self.new.get(key) or self.changed.get(key) or self.store.papers[key]
        self._fill_gaps(known, item)

    def _add_new(self, item: ParsedPaper, normalised: str) -> None:
        key = paper_key(item.arxiv_id, item.title)
        paper = Paper(
            key=key,
            title=item.title,
            arxiv_id=item.arxiv_id,
            links=tuple(item.links),
            added_at=self.now,
            seq=self.next_seq,
            batch=self.batch,
            id=self.next_id,
        )
        self.next_seq += 1
        self.next_id += 1
        self.new[key] = paper
        self.details[paper.id] = {"key": key, "abstract": item.abstract}
        if item.arxiv_id:
            self._seen_ids[item.arxiv_id] = key
        self._seen_titles[normalised] = key
        self.result.new += 1
        self.result.new_keys.append(key)
        if self.on_new is not None:
            self.on_new(paper.id, paper.title, item.abstract)
        else:
            self.result.indexed[paper.id] = (paper.title, item.abstract)

    def _fill_gaps(self, paper: Paper, item: ParsedPaper) -> None:
        arxiv_id = paper.arxiv_id or item.arxiv_id
        links = tuple(dict.fromkeys((*paper.links, *item.links)))
        if (arxiv_id, links) != (paper.arxiv_id, paper.links):
            updated = replace(paper, arxiv_id=arxiv_id, links=links)
            (self.new if paper.key in self.new else self.changed)[paper.key] = updated
            if arxiv_id and not paper.arxiv_id:
                self._seen_ids[arxiv_id] = paper.key
        if item.abstract:
            self._fill_abstract(paper, item.abstract)

    def _fill_abstract(self, paper: Paper, abstract: str) -> None:
        pending = self.details.get(paper.id)
        if pending is not None:  # new in this import, or already filled
            if not pending["abstract"]:
                pending["abstract"] = abstract
                if paper.id in self.result.indexed:
                    self.result.indexed[paper.id] = (paper.title, abstract)
                elif paper.key in self.new:  # already streamed to the index without it
                    self.result.reindexed.append((paper.id, paper.title, "", paper.title, abstract))
            return
        old = self.store.details(paper.key).abstract
        if not old:
            self.details[paper.id] = {"key": paper.key, "abstract": abstract}
            self.result.reindexed.append((paper.id, paper.title, old, paper.title, abstract))
