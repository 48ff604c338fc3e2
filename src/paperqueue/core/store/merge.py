"""One import's worth of changes: which papers are new, which gain what.

Identity, in order: the exporting store's key (paperqueue JSON), the arXiv
id (versionless), a real DOI (arXiv's own ``10.48550/arXiv.*`` DOIs say
nothing a journal would), the normalised title. Two papers whose arXiv ids
or DOIs differ are never merged by title.

A merge fills what the known paper lacks (id, DOI, title, abstract,
authors, dates, links) and never touches the person's state or the key:
keys are permanent, a new id becomes an alias. For title and abstract, a
source that carries an arXiv id (``authoritative``: HF JSON, arXiv feeds)
wins over pasted page text. A paper met again joins the import's batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from paperqueue.core.identity import normalise_title, paper_key
from paperqueue.core.importers.record import ParsedPaper, arxiv_id_from_doi
from paperqueue.core.models import ImportResult, Paper, PaperDetails, PaperState

if TYPE_CHECKING:
    from paperqueue.core.store.store import Store

Progress = Callable[[str, int, int], None]
_DETAIL_FIELDS = ("authors", "published", "updated", "categories", "pdf_url", "entry_type", "venue")


def real_doi(doi: str | None) -> str | None:
    """A DOI worth matching on: not one of arXiv's own."""
    return doi if doi and not arxiv_id_from_doi(doi) else None


class Merge:
    def __init__(
        self,
        store: Store,
        source: str,
        now: str,
        progress: Progress | None,
        on_new: Callable[[int, str, str], None] | None = None,
        restore: bool = False,
    ) -> None:
        self.store = store
        self.restore = restore  # bring back removed papers met again
        self.on_new = on_new
        self.now = now
        self.progress = progress
        self.result = ImportResult(source=source)
        self.new: dict[str, Paper] = {}
        self.changed: dict[str, Paper] = {}
        self.details: dict[int, dict] = {}  # doc id -> details record to write
        self.states: dict[str, PaperState] = {}  # states carried by paperqueue JSON
        self.merged: set[str] = set()
        self.normalised: dict[str, str] = {}  # key -> normalised title, for the store's index
        store.load_rest()
        papers = store.papers.values()
        # Ids above the committed max_id belong to an import that never
        # committed: they are reused (and their records overwritten).
        self.next_id = max([store.max_id, *(p.id for p in papers)]) + 1
        self.next_seq = max((p.seq for p in papers), default=0) + 1
        self.batch = max([0, *store.batch_info, *(p.batch for p in papers)]) + 1
        self.result.batch = self.batch
        self._by_arxiv, self._by_doi, self._by_title = store.identity()
        # What this import learnt; the store's own indexes change only on commit.
        self._new_arxiv: dict[str, str] = {}
        self._new_dois: dict[str, str] = {}
        self._new_titles: dict[str, str] = {}
        self._count = 0

    # -- finding ---------------------------------------------------------------

    def _paper(self, key: str) -> Paper:
        return self.new.get(key) or self.changed.get(key) or self.store.papers[key]

    def _find(self, item: ParsedPaper, normalised: str) -> str | None:
        if item.key and (item.key in self.new or item.key in self.store.papers):
            return item.key
        if item.arxiv_id:
            key = self._new_arxiv.get(item.arxiv_id) or self._by_arxiv.get(item.arxiv_id)
            if key:
                return key
        doi = real_doi(item.doi)
        if doi:
            key = self._new_dois.get(doi) or self._by_doi.get(doi)
            if key:
                return key
        if not normalised:
            return None
        key = self._new_titles.get(normalised) or self._by_title.get(normalised)
        if key is None:
            return None
        known = self._paper(key)
        if item.arxiv_id and known.arxiv_id and item.arxiv_id != known.arxiv_id:
            return None  # same title, different papers
        if doi and known.doi and doi != known.doi:
            return None
        return key

    # -- adding ----------------------------------------------------------------

    def add(self, item: ParsedPaper) -> None:
        self._count += 1
        if self.progress and self._count % 2000 == 0:
            self.progress("reading", self._count, 0)
        normalised = normalise_title(item.title) if item.title else ""
        key = self._find(item, normalised)
        if key is None:
            self._add_new(item, normalised)
        else:
            self._merge(self._paper(key), item)

    def _add_new(self, item: ParsedPaper, normalised: str) -> None:
        doi = real_doi(item.doi)
        if item.key and item.key not in self.store.papers:
            key = item.key
        elif item.arxiv_id or doi or not normalised:
            key = paper_key(item.arxiv_id, item.title, doi)
        else:  # paper_key's title form, without normalising the title again
            key = "title:" + normalised.replace(" ", "-")
        if key in self.new or key in self.store.papers:  # a key taken by a different paper
            key = f"{key}~{self.next_id}"
        paper = Paper(
            key=key,
            title=item.title,
            arxiv_id=item.arxiv_id,
            links=tuple(item.links),
            added_at=_added_at(item) or self.now,
            seq=self.next_seq,
            batch=self.batch,
            id=self.next_id,
            doi=doi,
            batches=(self.batch,),
            auth=item.authoritative,
        )
        self.next_seq += 1
        self.next_id += 1
        self.new[key] = paper
        self.details[paper.id] = _details_of(item).to_record(key)
        if item.state:
            self.states[key] = PaperState.from_record(item.state)
        self._remember(paper, normalised)
        self.result.new += 1
        self.normalised[key] = normalised
        if self.on_new is not None:
            self.on_new(paper.id, paper.title, item.abstract)
        else:
            self.result.indexed[paper.id] = (paper.title, item.abstract)

    def _remember(self, paper: Paper, normalised: str) -> None:
        if paper.arxiv_id:
            self._new_arxiv.setdefault(paper.arxiv_id, paper.key)
        if paper.doi:
            self._new_dois.setdefault(paper.doi, paper.key)
        if normalised:
            self._new_titles.setdefault(normalised, paper.key)

    def _merge(self, paper: Paper, item: ParsedPaper) -> None:
        self.result.existing += 1
        state = self.store.state(paper.key)
        if state.removed and self.restore and paper.key not in self.states:
            self.states[paper.key] = replace(state, removed=False)
            self.result.restored += 1
        old = self._old_details(paper)
        wins = item.authoritative and not paper.auth
        title = item.title if item.title and (not paper.title or (wins and item.title != paper.title)) else paper.title
        abstract = old.abstract
        if item.abstract and (not abstract or (wins and item.abstract != abstract)):
            abstract = item.abstract
        updated = replace(
            paper,
            title=title,
            arxiv_id=paper.arxiv_id or item.arxiv_id,
            doi=paper.doi or real_doi(item.doi),
            links=tuple(dict.fromkeys((*paper.links, *item.links))),
            auth=paper.auth or (item.authoritative and bool(item.title or item.abstract)),
            batches=paper.batches if self.batch in paper.batches else (*paper.batches, self.batch),
        )
        details = _filled(old, item, abstract)
        content_changed = details != old or _content(updated) != _content(paper)
        if content_changed and paper.key not in self.new and paper.key not in self.merged:
            self.merged.add(paper.key)
            self.result.merged += 1
        if updated != paper:
            (self.new if paper.key in self.new else self.changed)[paper.key] = updated
            normalised = normalise_title(updated.title) if updated.title else ""
            self.normalised[paper.key] = normalised
            self._remember(updated, normalised)
        if details != old:
            self.details[paper.id] = details.to_record(paper.key)
        if (title, abstract) != (paper.title, old.abstract):
            self._reindex(paper, old.abstract, title, abstract)

    def _old_details(self, paper: Paper) -> PaperDetails:
        pending = self.details.get(paper.id)
        if pending is not None:
            return PaperDetails.from_record(pending)
        return self.store.details(paper.key)

    def _reindex(self, paper: Paper, old_abstract: str, title: str, abstract: str) -> None:
        if paper.id in self.result.indexed:
            self.result.indexed[paper.id] = (title, abstract)
        else:
            self.result.reindexed.append((paper.id, paper.title, old_abstract, title, abstract))


def _content(paper: Paper) -> tuple:
    return (paper.title, paper.arxiv_id, paper.doi, paper.links)


def _added_at(item: ParsedPaper) -> str | None:
    value = item.state.get("added_at") if item.state else None
    return value if isinstance(value, str) and value else None


def _details_of(item: ParsedPaper) -> PaperDetails:
    return PaperDetails(
        abstract=item.abstract,
        authors=tuple(item.authors),
        published=item.published,
        updated=item.updated,
        categories=tuple(item.categories),
        upvotes=item.upvotes,
        comments=item.comments,
        pdf_url=item.pdf_url,
        entry_type=item.entry_type,
        venue=item.venue,
    )


def _filled(old: PaperDetails, item: ParsedPaper, abstract: str) -> PaperDetails:
    """``old`` with its gaps filled from ``item``; counts take the newer value."""
    values = {name: getattr(old, name) or getattr(item, name) for name in _DETAIL_FIELDS}
    values["authors"] = tuple(values["authors"] or ())
    values["categories"] = tuple(values["categories"] or ())
    return PaperDetails(
        abstract=abstract,
        upvotes=item.upvotes if item.upvotes is not None else old.upvotes,
        comments=item.comments if item.comments is not None else old.comments,
        **values,
    )
