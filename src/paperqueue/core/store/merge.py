"""One import's worth of changes: which papers are new, which gain what.

Identity, in order: the exporting store's key (paperqueue JSON), the arXiv
id (versionless), a real DOI (arXiv's own ``10.48550/arXiv.*`` DOIs say
nothing a journal would; DOIs match in any case), the normalised title.
A title is shared by different works ("Editorial", "Calendar", a book and
a later article): two records of one title are the same paper only when
nothing contradicts it, that is no differing arXiv id, DOI, first-author
surname, or year more than one apart (what either side lacks does not
contradict). Of several papers of that title, the one agreeing on most wins.
Only a title already in the queue costs a read of that paper's details.

A merge fills what the known paper lacks (id, DOI, title, abstract,
authors, dates, links) and never touches the person's state or the key:
keys are permanent, a new id becomes an alias. A new paper whose key is
taken by another (a different work of the same title) gets a suffix made
from its own data (:func:`~paperqueue.core.identity.suffix_for`), so two
devices reading the same record give it the same key. For title and
abstract, a source that carries an arXiv id (``authoritative``: HF JSON,
arXiv feeds) wins over pasted page text. A paper met again joins the
import's batch (that alone is not "merged"); a paper met twice in one file
counts once, the rest are "repeated in the file".

An entry that names one paper by id or DOI and, by title, another that has
no id or DOI of its own folds the two into one (see :mod:`fold`).

New papers' records are written shard by shard as the file is read
(:mod:`chunks`), their state records (a paperqueue JSON export's stars,
read marks, tags, notes) too; the merge keeps of them only what finding
needs (key -> id, and the identity indexes), and reads a written one back
when the file names it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from paperqueue.core.identity import TitleIndex, doi_key, first_surname, normalise_title, paper_key, suffix_for, year_of
from paperqueue.core.importers.record import ParsedPaper
from paperqueue.core.models import ImportResult, Paper, PaperDetails, PaperState
from paperqueue.core.store.chunks import NewShards
from paperqueue.core.store.entry import (
    added_at_of, content, details_of, facts_of, filled, joined, real_doi,
)
from paperqueue.core.store.merge_states import NO_STATE, States
from paperqueue.core.store.fold import fold, resolve, twin

if TYPE_CHECKING:
    from paperqueue.core.store.store import Store

Progress = Callable[[str, int, int], None]


@dataclass
class ImportLog:
    """What an import did that its action in the log needs (undo and redo):
    known papers' states it changed ``[key, before, after]`` (``--restore``),
    the batches it made ``[batch, info deleted, info]`` (undo deletes them),
    the batch number (0: it brought nothing new and made no batch) and how
    many papers of deleted batches it showed again. A dry run fills only
    ``unhidden``."""

    state_changes: list[tuple[str, dict, dict]] = field(default_factory=list)
    batch_changes: list[tuple[int, dict, dict]] = field(default_factory=list)
    batch: int = 0
    unhidden: int = 0
    # New papers' states a paperqueue JSON carried (key, record), not default
    # ones: not undone (undoing the import hides the papers), but synced.
    new_states: list[tuple[str, dict]] = field(default_factory=list)


class Merge:
    def __init__(
        self,
        store: Store,
        source: str,
        now: str,
        progress: Progress | None,
        on_new: Callable[[int, str, str], None] | None = None,
        restore: bool = False,
        write: bool = True,
        winner: Callable[[str, str], str] | None = None,
        join: int | None = None,
        make_batch: bool = False,
        mark_changed: bool = True,
        log_new_states: bool = False,
    ) -> None:
        self.store = store
        # A sync's landing (one key everywhere): when an entry's key names a
        # paper known here under another key, ``winner(entry's key, key
        # here)`` says which key the paper keeps; the other becomes an alias.
        self.winner = winner
        self.aliases = dict(store.aliases)  # the store's, and those this import adds
        self.restore = restore  # bring back removed papers met again
        self.on_new = on_new
        self.now = now
        self.progress = progress
        self.result = ImportResult(source=source)
        self.logged = ImportLog()
        self.new: dict[str, int] = {}  # key -> id of each new paper (records: self.chunks)
        self.changed: dict[str, Paper] = {}  # committed papers changed
        self.details: dict[int, dict] = {}  # committed doc id -> details record to write
        self.states = States(self)  # states carried by paperqueue JSON
        self.merged: set[str] = set()
        # New papers' shards are written as they fill (a dry run: into a temporary folder).
        self.chunks = NewShards(store, store.generation + 1, write)
        self.landed = False  # meta.json holds this import (set by the commit)
        store.load_rest()
        papers = store.papers.values()
        # Ids above the committed max_id belong to an import that never
        # committed: they are reused (and their records overwritten).
        self.next_id = max([store.max_id, *(p.id for p in papers)]) + 1
        self.next_seq = max((p.seq for p in papers), default=0) + 1
        self.batch = max([0, *store.batch_info, *(p.batch for p in papers)]) + 1
        self._next_batch = self.batch + 1
        # A sync's landing: into the batch landed before under the same sync
        # id (``join``), else a batch of its own even when every paper is known.
        self.join = join if join in store.batch_info else None
        self.make_batch = make_batch
        self.mark_changed = mark_changed  # known papers changed get ``gen`` (not by a sync's landing)
        self.log_new_states = log_new_states  # keep new papers' carried states for the log (a synced store)
        if self.join is not None:
            self.batch = self.join
        self.result.batch = self.batch
        self._by_arxiv, self._by_doi, self._by_title = store.identity()
        # What this import learnt; the store's own indexes change only on commit.
        self._new_arxiv: dict[str, str] = {}
        self._new_dois: dict[str, str] = {}
        self._new_titles = TitleIndex()
        self._facts: dict[str, tuple[int | None, str | None]] = {}  # key -> year, first surname
        self._last_read: tuple[str, PaperDetails] | None = None
        self._met: set[str] = set()  # known papers met so far in this file
        # Batches named in a paperqueue JSON export: name -> number, and the
        # ones this import creates (number -> batch info) for the commit.
        self._batch_numbers: dict[str, int] | None = None
        self.named_batches: dict[int, dict] = {}
        self._count = 0
        # Papers folded into another (see :mod:`fold`): key -> kept key; the
        # committed ones each kept key absorbs; ids of new ones folded away.
        self.folded: dict[str, str] = {}
        self.folds: dict[str, list[str]] = {}
        self.spent_ids: list[int] = []
        self.gone_ids: dict[str, int] = {}  # folded committed key -> its doc id (set by the commit)

    # -- finding ---------------------------------------------------------------

    def _paper(self, key: str) -> Paper:
        doc_id = self.new.get(key)
        if doc_id is not None:
            return self.chunks.paper(doc_id)
        return self.changed.get(key) or self.store.papers[key]

    def put(self, paper: Paper) -> None:
        """Keep a changed paper for the commit."""
        if paper.key in self.new:
            self.chunks.put(paper)
        else:
            self.changed[paper.key] = paper

    def put_details(self, paper: Paper, details: PaperDetails) -> None:
        if paper.key in self.new:
            self.chunks.put_details(paper.id, details.to_record(paper.key))
        else:
            self.details[paper.id] = details.to_record(paper.key)

    def live(self, key: str) -> str:
        """``key``, or the key of the paper it was folded into."""
        return resolve(key, self.folded, self.aliases) if self.folded or self.aliases else key

    def _taken(self, key: str) -> bool:
        return key in self.new or key in self.store.papers or key in self.aliases or key in self.folded

    def _find(self, item: ParsedPaper, normalised: str) -> str | None:
        named = self.live(item.key) if item.key else None
        if named and (named in self.new or named in self.store.papers):
            if self._agreement(item, real_doi(item.doi), facts_of(item), named) is not None:
                return named
        if item.arxiv_id:
            key = self._new_arxiv.get(item.arxiv_id) or self._by_arxiv.get(item.arxiv_id)
            if key:
                return self.live(key)
        doi = real_doi(item.doi)
        if doi:
            lowered = doi_key(doi)
            key = self._new_dois.get(lowered) or self._by_doi.get(lowered)
            if key:
                return self.live(key)
        if not normalised:
            return None
        known = self._by_title.keys(normalised)
        mine = self._new_titles.keys(normalised)
        if not known and not mine:
            return None
        facts = facts_of(item)
        best, best_score = None, -1
        for key in dict.fromkeys(self.live(key) for key in (*known, *mine)):
            score = self._agreement(item, doi, facts, key)
            if score is not None and score > best_score:
                best, best_score = key, score
        return best

    def _agreement(
        self, item: ParsedPaper, doi: str | None, facts: tuple[int | None, str | None], key: str
    ) -> int | None:
        """None when something says ``item`` is not the paper ``key``; else how
        many of year and first author agree."""
        known = self._paper(key)
        if item.arxiv_id and known.arxiv_id and item.arxiv_id != known.arxiv_id:
            return None
        if doi and known.doi and doi_key(doi) != doi_key(known.doi):
            return None
        year, surname = facts
        if year is None and surname is None:
            return 0  # nothing more to compare: no need to read the known paper
        known_year, known_surname = self._known_facts(known)
        score = 0
        if year is not None and known_year is not None:
            if abs(year - known_year) > 1:
                return None
            score += 1
        if surname and known_surname:
            if surname != known_surname:
                return None
            score += 1
        return score

    def _known_facts(self, paper: Paper) -> tuple[int | None, str | None]:
        facts = self._facts.get(paper.key)
        if facts is None:
            details = self._old_details(paper)
            facts = self._facts[paper.key] = (year_of(details.published), first_surname(details.authors))
        return facts

    # -- adding ----------------------------------------------------------------

    def add(self, item: ParsedPaper) -> None:
        self._count += 1
        if self.progress and self._count % 2000 == 0:
            self.progress("reading", self._count, 0)
        normalised = normalise_title(item.title) if item.title else ""
        key = self._find(item, normalised)
        if key is None:
            self._add_new(item, normalised)
            return
        if self.winner is not None and item.key and key != item.key and item.key not in self.new \
                and item.key not in self.store.papers and item.key not in self.folded:
            if self.winner(item.key, key) == item.key:
                self._rekey(item, normalised, key)
                return
            self.aliases[item.key] = key
        pair = twin(self, item, normalised, key)
        if pair is not None:
            key = fold(self, *pair)
        self._merge(self._paper(key), item)

    def _rekey(self, item: ParsedPaper, normalised: str, known: str) -> None:
        """The known paper takes the entry's key (sync: that key came first
        elsewhere): the entry lands as a new paper that the known one is
        folded into, keeping its place, batches and state; its old key
        becomes an alias. Counted as a known paper filled in."""
        self.aliases.pop(item.key, None)  # an alias of the known paper until now
        self._add_new(item, normalised, key=item.key)
        fold(self, item.key, known, keep=item.key)
        self.result.new -= 1
        self.result.existing += 1
        self.result.rekeyed += 1
        self._met.add(item.key)
        if item.key not in self.merged:
            self.merged.add(item.key)
            self.result.merged += 1

    def _add_new(self, item: ParsedPaper, normalised: str, key: str | None = None) -> None:
        doi = real_doi(item.doi)
        if key is not None:
            pass  # given (a rekey)
        elif item.key and not self._taken(item.key):
            key = item.key
        elif item.arxiv_id or doi or not normalised:
            try:
                key = paper_key(item.arxiv_id, item.title, doi)
            except ValueError:  # no id, no DOI, no letter or digit in the title
                self.result.unusable += 1
                return
        else:  # paper_key's title form, without normalising the title again
            key = "title:" + normalised.replace(" ", "-")
        if self._taken(key):  # a key taken by a different paper (or an alias)
            key += suffix_for(
                key, self._taken, item.title, item.authors, item.published, item.arxiv_id, doi, item.abstract
            )
        paper = Paper(
            key=key,
            title=item.title,
            arxiv_id=item.arxiv_id,
            links=tuple(item.links),
            added_at=added_at_of(item) or self.now,
            seq=self.next_seq,
            batch=self.batch,
            id=self.next_id,
            doi=doi,
            batches=(self.batch, *self._named(item.batches)) if item.batches else (self.batch,),
            auth=item.authoritative,
        )
        self.next_seq += 1
        self.next_id += 1
        self.new[key] = paper.id
        self.chunks.put(paper)
        self.chunks.put_details(paper.id, details_of(item).to_record(key))
        if item.state:
            state = PaperState.from_record(item.state)
            self.states[key] = state  # into the chunks
            if self.log_new_states and state != NO_STATE:
                self.logged.new_states.append((key, state.to_record()))
        self._remember(paper, normalised)
        self.result.new += 1
        if self.on_new is not None:
            self.on_new(paper.id, paper.title, item.abstract)
        self.chunks.filled(self.next_id)

    def _remember(self, paper: Paper, normalised: str) -> None:
        if paper.arxiv_id:
            self._new_arxiv.setdefault(paper.arxiv_id, paper.key)
        if paper.doi:
            self._new_dois.setdefault(doi_key(paper.doi), paper.key)
        if normalised:
            self._new_titles.add(normalised, paper.key)

    def _named(self, names: tuple[str, ...]) -> tuple[int, ...]:
        """Batch numbers for the batch names of an exported paper: a batch of
        that name if the queue has one, else a new one made by this import."""
        if self._batch_numbers is None:
            deleted = self.store.deleted_batches  # a deleted batch's name makes a new batch
            self._batch_numbers = {self.store.batch_name(b): b for b in sorted(self.store.batch_info) if b not in deleted}
        numbers = []
        for name in names:
            number = self._batch_numbers.get(name)
            if number is None:
                number = self._batch_numbers[name] = self._next_batch
                self._next_batch += 1
                self.named_batches[number] = {"name": name, "added_at": self.now, "start": None}
            numbers.append(number)
        return tuple(numbers)

    def _merge(self, paper: Paper, item: ParsedPaper) -> None:
        if paper.key in self.new or paper.key in self._met:
            self.result.repeated += 1
        else:
            self._met.add(paper.key)
            self.result.existing += 1
            if self.store.deleted_batches and self.store.hidden(paper):
                self.logged.unhidden += 1  # its batch was deleted: it joins this one
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
            batches=joined(paper.batches, (self.batch, *self._named(item.batches))),
        )
        details = filled(old, item, abstract)
        content_changed = details != old or content(updated) != content(paper)
        if content_changed and paper.key not in self.new and paper.key not in self.merged:
            self.merged.add(paper.key)
            self.result.merged += 1
        if updated != paper:
            self.put(updated)
            self._remember(updated, normalise_title(updated.title) if updated.title else "")
        if details != old:
            self.put_details(paper, details)
            self._facts.pop(paper.key, None)
        if (title, abstract) != (paper.title, old.abstract):
            self._reindex(paper, old.abstract, title, abstract)

    def _old_details(self, paper: Paper) -> PaperDetails:
        if paper.key in self.new:
            record = self.chunks.details_record(paper.id)
            return PaperDetails.from_record(record) if record is not None else PaperDetails()
        pending = self.details.get(paper.id)
        if pending is not None:
            return PaperDetails.from_record(pending)
        last = self._last_read
        if last is not None and last[0] == paper.key:
            return last[1]  # read just before, to compare year and authors
        details = self.store.details(paper.key)
        self._last_read = (paper.key, details)
        return details

    def _reindex(self, paper: Paper, old_abstract: str, title: str, abstract: str) -> None:
        self.result.reindexed.append((paper.id, paper.title, old_abstract, title, abstract))
