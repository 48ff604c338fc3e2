"""The store of record: TinyDB files in the data folder (see :mod:`layout`).

The person's state is loaded at open, and the list index either whole or,
for the app, only its newest shards (``head``): the rest follows with
:meth:`Store.load_rest` in the background. Abstracts are read on demand, a
shard at a time. Changes to state land in memory at once
and reach the disk through :meth:`Store.flush` (call it from a worker): one
atomic write per touched state shard. An import writes a rollback journal,
then the abstract, state and index shards (its new papers' shards as they
fill, while the file is read: :mod:`chunks`), and ``meta.json`` last: that
write is the commit point. Papers with ids above the committed ``max_id``
are ignored and the journal puts back the committed papers an unfinished
import changed, so a crash mid-import leaves the queue exactly as it was
(:mod:`journal`). A file that is not valid JSON, or not of the shape the
store writes (:mod:`shape`), is moved aside to a timestamped ``.corrupt``
copy; what can be saved is saved and the warning says what was lost
(:mod:`salvage`). The writer's open removes temp files of killed writes.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from paperqueue.core.clock import Clock, utc_now
from paperqueue.core.identity import TitleIndex
from paperqueue.core.lock import StoreLock, StoreLockedError
from paperqueue.core.store.batches import Batches
from paperqueue.core.store.damage import Damage
from paperqueue.core.store.loading import Loading
from paperqueue.core.store.lookup import Lookups
from paperqueue.core.store.state_writes import NO_STATE as _NO_STATE, StateWrites
from paperqueue.core.models import ImportResult, Paper, PaperDetails, PaperState
from paperqueue.core.paths import data_home
from paperqueue.core.views import newest_first
from paperqueue.core.store import journal, layout
from paperqueue.core.store.migrate import migrate_v1
from paperqueue.core.store.tables import TableFile

if TYPE_CHECKING:  # imports kept off the app's start-up path
    from paperqueue.core.importers.record import ParsedPaper
    from paperqueue.core.store.merge import ImportLog, Progress

_CACHED_SHARDS = 8


class ReadOnlyStoreError(PermissionError):
    pass


class Store(Loading, Damage, Lookups, StateWrites, Batches):
    def __init__(self, home: Path, *, clock: Clock = utc_now) -> None:
        self.home = home
        self.clock = clock
        self.read_only = False
        self.warnings: list[str] = []
        self.papers: dict[str, Paper] = {}
        self.states: dict[str, PaperState] = {}
        self.settings: dict = {}
        self.generation = 0
        self.count = 0  # papers in the queue, known before the index is loaded
        self.max_id = 0  # highest committed paper id
        # import batch -> {"name", "added_at", "start": its first new paper id,
        # and "deleted": true once deleted (its papers no live batch holds are hidden)}
        self._batch_info: dict[int, dict] = {}
        self.deleted_batches: frozenset[int] = frozenset()
        self.aliases: dict[str, str] = {}  # key of a folded paper -> the key it lives under
        self._pending_shards: list[int] = []
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._file_lock = StoreLock(home / layout.LOCK)
        self._borrowed_lock = False
        self._tables: dict[Path, TableFile] = {}
        self._by_arxiv: dict[str, str] | None = None  # identity indexes, built
        self._by_doi: dict[str, str] | None = None  # on first use (imports); DOIs in doi_key form
        self._by_title: TitleIndex | None = None
        self._dirty: set[str] = set()
        self._settings_dirty = False
        self._shards: OrderedDict[int, dict[str, dict]] = OrderedDict()
        self.fresh = False  # see open()
        self._meta: dict | None = None  # meta.json's record as last read or written
        self._meta_lost = False
        self._meta_dirty = False  # the count changed (an index shard was lost)
        self._overlay: dict[str, dict[int, dict | None]] | None = None  # read-only view of a rollback
        self.last_import: ImportLog | None = None  # what the last add_papers did, for the action log

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(
        cls,
        home: Path | None = None,
        *,
        clock: Clock = utc_now,
        lock: bool = True,
        read_only_if_locked: bool = False,
        head: int | None = None,
    ) -> Store:
        """Open (creating if needed) the store in ``home``.

        With ``lock`` the store takes the writer lock; if another process
        holds it, raise :class:`StoreLockedError`, or with
        ``read_only_if_locked`` open read-only. Without ``lock`` it is
        read-only. With ``head``, only the newest index shards holding at
        least that many papers are read; :meth:`load_rest` reads the others.

        ``fresh`` says the folder held no store file at all, not even one set
        aside as damaged or the journal of an unfinished import: a first run.
        """
        store = cls(home or data_home(), clock=clock)
        store.fresh = not layout.holds_store(store.home)
        if lock:
            try:
                store._file_lock.acquire()
            except StoreLockedError as error:
                if not read_only_if_locked:
                    raise
                store.read_only = True
                store.warnings.append(f"{error}; opened read-only")
        else:
            store.read_only = True
        try:
            if not store.read_only:
                journal.remove_temp_files(store)
                store.warnings.extend(migrate_v1(store.home, store._set_aside))
            store._load(head)
        finally:
            if store._borrowed_lock:
                store._file_lock.release()
                store._borrowed_lock = False
        return store

    def close(self) -> None:
        with self._lock:
            for table in self._tables.values():
                table.close()
            self._file_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------

    def ordered_papers(self) -> list[Paper]:
        """Papers newest import first; within one import, in page order
        (papers of deleted batches left out: see :meth:`hidden`)."""
        if self.deleted_batches:
            return newest_first([p for p in self.papers.values() if not self.hidden(p)])
        return newest_first(list(self.papers.values()))

    def state(self, key: str) -> PaperState:
        return self.states.get(key, _NO_STATE)  # frozen: one shared default

    def details(self, key: str) -> PaperDetails:
        """The paper's abstract (reads one shard; call from a worker)."""
        paper = self.papers.get(key)
        if paper is None:
            return PaperDetails()
        record = self._shard_docs(layout.shard_of(paper.id)).get(str(paper.id))
        if record is None or record.get("key") != key:
            return PaperDetails()
        return PaperDetails.from_record(record)

    def cached_details(self, key: str) -> PaperDetails | None:
        """The abstract if its shard is in memory (no disk access), else ``None``."""
        paper = self.papers.get(key)
        if paper is None:
            return PaperDetails()
        with self._lock:
            docs = self._shards.get(layout.shard_of(paper.id))
        if docs is None:
            return None
        record = docs.get(str(paper.id))
        if record is None or record.get("key") != key:
            return PaperDetails()
        return PaperDetails.from_record(record)

    def iter_details(self) -> Iterator[tuple[Paper, PaperDetails]]:
        """Every paper with its abstract, shard by shard (for exports and indexing)."""
        self.load_rest()
        by_shard: dict[int, list[Paper]] = {}
        for paper in self.papers.values():
            by_shard.setdefault(layout.shard_of(paper.id), []).append(paper)
        for shard in sorted(by_shard):
            docs = self._shard_docs(shard)
            for paper in by_shard[shard]:
                record = docs.get(str(paper.id))
                ok = record is not None and record.get("key") == paper.key
                yield paper, PaperDetails.from_record(record) if ok else PaperDetails()

    def write_shard(self, path: Path, name: str, docs: dict[int, dict]) -> None:
        """Put ``docs`` into a shard file that is not kept open (an import's
        abstracts and index), and forget any cached copy of it."""
        table = self._tables.pop(path, None) or self._table(path, name)
        table.put(docs)
        table.close()
        if path.parent.name == layout.ABSTRACTS:
            with self._lock:
                self._shards.pop(int(path.stem), None)

    def _shard_docs(self, shard: int) -> dict[str, dict]:
        with self._lock:
            docs = self._shards.get(shard)
            if docs is not None:
                self._shards.move_to_end(shard)
                return docs
            path = layout.shard_path(self.home, layout.ABSTRACTS, shard)
            table = self._tables.pop(path, None) or self._table(path, "abstracts")
            docs = table.docs()
            table.close()  # the shard cache holds the docs; don't keep a second copy
            self._shards[shard] = docs
            if len(self._shards) > _CACHED_SHARDS:
                self._shards.popitem(last=False)
            return docs

    # -- changing state --------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError("the queue is open read-only (another paperqueue holds the lock)")

    def set_settings(self, **values: object) -> None:
        with self._lock:
            self._check_writable()
            self.settings.update(values)
            self._settings_dirty = True

    def write_settings(self) -> None:
        """Write the settings if they changed (and meta.json's count, if a
        lost index shard changed it)."""
        with self._lock:
            settings = dict(self.settings) if self._settings_dirty else None
            self._settings_dirty = False
        try:
            with self._write_lock:
                if settings is not None:
                    self._table(self.home / layout.SETTINGS, "settings").put({1: settings})
                if self._meta_dirty:
                    self._write_meta()
        except BaseException:
            with self._lock:
                self._settings_dirty = self._settings_dirty or settings is not None
            raise

    @property
    def unsaved(self) -> int:
        """How many states changed in memory since the last write of them."""
        return len(self._dirty)

    def flush(self) -> None:
        """Write every state changed in memory since the last write, and the
        settings. On failure the changes stay pending and the error propagates."""
        with self._lock:
            states = {key: self.states[key] for key in self._dirty}
        self.write_states(states)
        self.write_settings()

    # -- importing -------------------------------------------------------------

    def add_papers(
        self,
        parsed: Iterable[ParsedPaper],
        source: str,
        progress: Progress | None = None,
        on_new: Callable[[int, str, str], None] | None = None,
        *,
        name: str | None = None,
        dry_run: bool = False,
        restore: bool = False,
        refresh: bool = True,
        batch_extra: dict | None = None,
        winner: Callable[[str, str], str] | None = None,
        join: int | None = None,
        make_batch: bool = False,
        synced: bool = False,
        log_new_states: bool = False,
    ) -> ImportResult:
        """Add what is new and fill gaps in what is known, then commit, as a
        batch called ``name`` (default: the source and the date).

        ``on_new(id, title, abstract)`` sees each new paper as it is read
        (the search index uses it to index while the file streams in). With
        ``dry_run`` nothing is written: the result says what would happen.
        New papers' shards are written as the file is read (invisible until
        the commit; a failure or an exception from ``parsed`` deletes them
        again). ``batch_extra`` goes into the new batch's info (a fetch's
        ``{"subscription": NAME}``). ``winner``, ``join`` and ``make_batch``
        and ``synced`` are a sync's landing (one key everywhere; into the
        batch landed before under the same sync id, else a batch even when
        every paper is known; the papers it changes are not marked to be
        sent again): see :class:`~paperqueue.core.store.merge.Merge`. With
        ``log_new_states`` (a store set up for sync) the states a paperqueue
        JSON carries for new papers are kept in ``last_import`` for the log
        (memory grows with them: a restore of 60,000 starred papers).

        Without ``refresh`` the new papers are read into memory
        only when next needed (for a command that closes the store after).
        """
        from paperqueue.core.store.commit import commit, undo
        from paperqueue.core.store.merge import Merge

        with self._write_lock:
            if not dry_run:
                self._check_writable()
            now = self.clock()
            merge = Merge(self, source, now, progress, on_new, restore, write=not dry_run, winner=winner,
                          join=join, make_batch=make_batch, mark_changed=not synced,
                          log_new_states=log_new_states)
            try:
                # The loop makes a few objects per paper and frees none: the cyclic
                # collector's passes over them cost ~0.5 s at 100,000 and find nothing.
                collecting = gc.isenabled()
                gc.disable()
                try:
                    for item in parsed:
                        merge.add(item)
                finally:
                    if collecting:
                        gc.enable()
                self.last_import = None
                if not dry_run:
                    commit(self, merge, progress, name or f"{source} {now[:10]}", now, refresh, batch_extra)
                self.last_import = merge.logged
            except BaseException:
                if merge.chunks.started and not merge.landed:
                    undo(self)  # the shards written while reading
                raise
            finally:
                merge.chunks.close()
            return merge.result

    def add_new_shards(self, shards: Iterable[int], above: int) -> None:
        """After an import committed: read its new papers (ids above
        ``above``, in these index shards) into memory and the identity indexes."""
        indexed = self._by_arxiv is not None and self._by_doi is not None and self._by_title is not None
        for shard in shards:
            path = layout.shard_path(self.home, layout.INDEX, shard)
            table = self._tables.pop(path, None) or self._table(path, "papers")
            docs = table.docs()
            table.close()
            for doc_id, record in docs.items():
                number = int(doc_id)
                if above < number <= self.max_id:
                    paper = Paper.from_record(record, number)
                    self.papers[paper.key] = paper
                    if indexed:
                        self._index(paper)

    def forget_index(self) -> None:
        """Drop the list index from memory, to be read again as an open
        reads it (in order: matching by title prefers the oldest paper) when
        next needed (:meth:`load_rest`; the identity indexes are built again
        then). For a command that closes the store after an import: it never
        holds the new papers."""
        with self._lock:
            self.papers = {}
            self._pending_shards = layout.shards(self.home, layout.INDEX)[::-1]  # popped from the end
            self._by_arxiv = self._by_doi = self._by_title = None
