"""The store of record: TinyDB files in the data folder (see :mod:`layout`).

The person's state is loaded at open, and the list index either whole or,
for the app, only its newest shards (``head``): the rest follows with
:meth:`Store.load_rest` in the background. Abstracts are read on demand, a
shard at a time. Changes to state land in memory at once
and reach the disk through :meth:`Store.flush` (call it from a worker): one
atomic write per touched state shard. An import writes a rollback journal,
then the abstract, state and index shards, and ``meta.json`` last: that
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
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from paperqueue.core.atomic import CorruptFileError
from paperqueue.core.clock import Clock, compact_stamp, utc_now
from paperqueue.core.identity import TitleIndex
from paperqueue.core.lock import StoreLock, StoreLockedError
from paperqueue.core.store.lookup import Lookups
from paperqueue.core.models import ImportResult, Paper, PaperDetails, PaperState
from paperqueue.core.paths import data_home
from paperqueue.core.queue import newest_first
from paperqueue.core.store import journal, layout, salvage
from paperqueue.core.store.fold import settled
from paperqueue.core.store.migrate import migrate_v1
from paperqueue.core.store.shape import ShapeError, check
from paperqueue.core.store.tables import TableFile

if TYPE_CHECKING:  # imports kept off the app's start-up path
    from paperqueue.core.importers.record import ParsedPaper
    from paperqueue.core.store.merge import Progress

_CACHED_SHARDS = 8
_NO_STATE = PaperState()


class ReadOnlyStoreError(PermissionError):
    pass


class Store(Lookups):
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
        # import batch -> {"name", "added_at", "start": its first new paper id}
        self.batch_info: dict[int, dict] = {}
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

    def _table(self, path: Path, name: str) -> TableFile:
        table = self._tables.get(path)
        if table is not None:
            return table
        table = TableFile(path, name, read_only=self.read_only)
        try:
            check(path, name, table.all_tables())
        except CorruptFileError as error:
            what = f"did not hold what paperqueue expects ({error.reason})" if isinstance(error, ShapeError) else "was not valid JSON"
            shown = self._shown(path)
            if self._may_set_aside():
                aside = self._set_aside(path)
                note = f"{shown} {what}; moved it to {aside.name}"
                table = TableFile(path, name, read_only=self.read_only)
            else:
                table.show({})
                note = f"{shown} {what}; showing it as empty until paperqueue can set it aside"
            self._tables[path] = table
            self.warnings.append(self._after_loss(path, name, note, table))
            return table
        self._tables[path] = table
        return table

    def _shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.home))
        except ValueError:
            return path.name

    def _may_set_aside(self) -> bool:
        """Moving a file needs the writer lock; a reader borrows it if free."""
        if self._file_lock.held:
            return True
        try:
            self._file_lock.acquire()
        except (StoreLockedError, OSError):
            return False
        self._borrowed_lock = True
        return True

    def _set_aside(self, path: Path) -> Path:
        aside = path.with_name(f"{path.name}.{compact_stamp()}.corrupt")
        path.replace(aside)
        return aside

    # -- what a set-aside file leaves (salvage.py) ---------------------------------

    def _after_loss(self, path: Path, name: str, note: str, table: TableFile) -> str:
        """The warning for a file set aside (or shown empty), after saving
        what can be saved from the rest of the store."""
        if name == "meta":
            self._meta_lost = True
            return note
        if name == "state" and path.stem.isdigit():
            return self._rebuild_states(int(path.stem), note, table)
        if name in ("abstracts", "papers") and path.stem.isdigit():
            shard = int(path.stem)
            papers = self._shard_papers(shard, skip=path)
            batches = salvage.names(self.batch_name(batch) for batch in papers.values() if batch is not None)
            again = f"; import again the files of {batches} to get them back" if batches else ""
            if name == "abstracts":
                return f"{note}; the abstracts of {len(papers)} papers are gone{again}"
            self.count = max(0, self.count - len(papers))
            self._meta_dirty = bool(papers)
            return f"{note}; {len(papers)} papers are no longer listed{again}"
        return f"{note} and started it empty"

    def _shard_papers(self, shard: int, skip: Path) -> dict[int, int | None]:
        """Committed papers of one shard: doc id -> the batch that added it,
        from the index shard, or from the abstracts when that is the one lost."""
        folder = layout.ABSTRACTS if skip.parent.name == layout.INDEX else layout.INDEX
        path = layout.shard_path(self.home, folder, shard)
        if path == skip or not path.exists():
            return {}
        docs = self._table(path, "abstracts" if folder == layout.ABSTRACTS else "papers").docs()
        papers: dict[int, int | None] = {}
        for doc_id, record in docs.items():
            number = int(doc_id)
            if number > self.max_id:
                continue
            if folder == layout.INDEX:
                record = settled(record, self.aliases) if "fold" in record or self.aliases else record
                if record is not None:
                    papers[number] = record.get("batch")
            elif record.get("key") not in self.aliases:
                papers[number] = salvage.batch_of(self.batch_info, number)
        return papers

    def _rebuild_states(self, shard: int, note: str, table: TableFile) -> str:
        """Put back the states of a lost state shard from the action log."""
        from paperqueue.core.history import FILE

        path = layout.shard_path(self.home, layout.INDEX, shard)
        keys: dict[int, str] = {}
        if path.exists():
            for doc_id, record in self._table(path, "papers").docs().items():
                record = settled(record, self.aliases) if "fold" in record or self.aliases else record
                if record is not None and int(doc_id) <= self.max_id:
                    keys[int(doc_id)] = record["key"]
        try:
            with (self.home / FILE).open("rb") as log:
                known = salvage.log_states(log)
        except OSError:
            known = {}
        docs: dict[int, dict | None] = {}
        rebuilt = 0
        for doc_id, key in keys.items():
            if key in known:
                rebuilt += 1
                state = PaperState.from_record(known[key])
                if state != _NO_STATE:
                    docs[doc_id] = {"key": key, **state.to_record()}
        if self.read_only:
            table.show({str(doc_id): record for doc_id, record in docs.items()})
        elif docs:
            try:
                table.put(docs)
            except OSError:
                table.show({str(doc_id): record for doc_id, record in docs.items()})
        unknown = len(keys) - rebuilt
        return (
            f"{note}; rebuilt the stars, read marks, tags and notes of {rebuilt} of its {len(keys)} papers "
            f"from the action log ({FILE})"
            + (f"; {unknown} papers are not in the log and start with none" if unknown else "")
        )

    # -- loading ---------------------------------------------------------------------

    def _read_meta(self) -> tuple[dict, bool]:
        """meta.json's record, and whether it was readable (missing counts as readable)."""
        self._meta_lost = False
        path = self.home / layout.META
        docs = self._table(path, "meta").docs()
        if not docs and not self._meta_lost and not path.exists():
            # Set aside by an earlier open that could not write it again.
            self._meta_lost = any(self.home.glob(f"{layout.META}.*.corrupt"))
        return dict(docs.get("1") or {}), not self._meta_lost

    def _load(self, head: int | None) -> None:
        meta, readable = self._read_meta()
        found = journal.read(self)
        if found is not None:
            if readable and meta.get("generation") == found["generation"]:
                if not self.read_only:
                    journal.finish(self)  # the import landed; only the journal was left
            else:
                if not self.read_only:
                    journal.roll_back(self, found, readable)
                else:
                    self._overlay = journal.overlay(found)
                if not readable:
                    meta = dict(found["meta"] or {})
                self.warnings.append(
                    "an import that did not finish was undone: the queue is as it was before it; import its file again"
                )
        elif not readable:
            meta = self._recover_meta(layout.shards(self.home, layout.INDEX))
        pending = layout.shards(self.home, layout.INDEX)
        self._meta = meta or None
        self.generation = int(meta.get("generation", 0))
        self.count = int(meta.get("count", 0))
        self.max_id = int(meta.get("max_id", 0))
        self.batch_info = layout.batch_info(meta.get("batches"))
        aliases = meta.get("aliases")
        if isinstance(aliases, dict):
            self.aliases = {k: v for k, v in aliases.items() if isinstance(k, str) and isinstance(v, str)}
        first = layout.head_shards(self.batch_info, self.max_id, head, pending) if head is not None else set(pending)
        for shard in sorted(first):
            self._load_index_shard(shard)
        self._pending_shards = [shard for shard in pending if shard not in first]
        for shard in layout.shards(self.home, layout.STATE):
            path = layout.shard_path(self.home, layout.STATE, shard)
            docs = self._overlaid(layout.STATE, shard, self._table(path, "state").docs())
            for doc_id, record in docs.items():
                if "fold" in record or self.aliases:
                    record = settled(record, self.aliases) or {}
                key = record.get("key")
                if isinstance(key, str) and int(doc_id) <= self.max_id:
                    self.states[key] = PaperState.from_record(record)
        settings = self._table(self.home / layout.SETTINGS, "settings").docs().get("1")
        self.settings = dict(settings) if settings else {}
        if self._meta_dirty and not self.read_only:
            self._write_meta()

    def _overlaid(self, folder: str, shard: int, docs: dict[str, dict]) -> dict[str, dict]:
        """``docs`` as they were before an import that has not landed (read-only opens)."""
        if not self._overlay:
            return docs
        changes = {i: r for i, r in self._overlay.get(folder, {}).items() if layout.shard_of(i) == shard}
        if not changes:
            return docs
        docs = dict(docs)
        for doc_id, record in changes.items():
            if record is None:
                docs.pop(str(doc_id), None)
            else:
                docs[str(doc_id)] = record
        return docs

    def _write_meta(self) -> None:
        """Write meta.json again with the count of what is listed (after an
        index shard was lost); best effort: the next import writes it anyway."""
        meta = dict(self._meta or {"layout": layout.LAYOUT, "generation": self.generation, "max_id": self.max_id})
        meta["count"] = self.count
        try:
            self._table(self.home / layout.META, "meta").put({1: meta})
        except OSError:
            return
        self._meta = meta
        self._meta_dirty = False

    def _recover_meta(self, shards: list[int]) -> dict:
        """``meta.json`` was set aside as damaged and no import was under way
        (no journal): every record in the index is committed, so count what
        it holds, so that no paper is hidden (or later overwritten). Batch
        names are lost; the generation is new, so derived indexes are rebuilt."""
        batches: dict[str, dict] = {}
        ids = []
        for shard in shards:
            path = layout.shard_path(self.home, layout.INDEX, shard)
            for doc_id, record in self._table(path, "papers").docs().items():
                ids.append(int(doc_id))
                info = batches.setdefault(str(record.get("batch", 0)), {"start": int(doc_id)})
                info["start"] = min(info["start"], int(doc_id))
        meta = {
            "layout": layout.LAYOUT,
            "generation": int(time.time()),
            "count": len(ids),
            "max_id": max(ids, default=0),
            "batches": batches,
        }
        self.warnings.append(f"rebuilt meta.json from the index ({len(ids)} papers; the names of their imports are lost)")
        if not self.read_only:
            try:
                self._table(self.home / layout.META, "meta").put({1: meta})
            except OSError:
                pass
        return meta

    def _load_index_shard(self, shard: int) -> int:
        """Read one index shard (committed papers only); returns how many."""
        path = layout.shard_path(self.home, layout.INDEX, shard)
        table = self._tables.pop(path, None) or self._table(path, "papers")
        docs = self._overlaid(layout.INDEX, shard, table.docs())
        table.close()  # read again only when an import changes it
        self._tables.pop(path, None)
        papers = self.papers
        max_id = self.max_id
        aliases = self.aliases
        count = 0
        for doc_id, record in docs.items():
            number = int(doc_id)
            if number <= max_id:
                if "fold" in record or (aliases and record["key"] in aliases):
                    record = settled(record, aliases)  # see fold.py
                    if record is None:
                        continue
                paper = Paper.from_record(record, number)
                papers[paper.key] = paper
                count += 1
        return count

    @property
    def complete(self) -> bool:
        """Whether every paper of the index is loaded."""
        return not self._pending_shards

    def load_rest(self) -> None:
        """Read the index shards that :meth:`open` left out (call from a worker)."""
        with self._lock:
            while self._pending_shards:
                self._load_index_shard(self._pending_shards.pop())

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
        """Papers newest import first; within one import, in page order."""
        return newest_first(list(self.papers.values()))

    def state(self, key: str) -> PaperState:
        return self.states.get(key, PaperState())

    def batch_name(self, batch: int) -> str:
        return str(self.batch_info.get(batch, {}).get("name") or f"import {batch}")

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

    def set_state(self, key: str, state: PaperState) -> None:
        """Change a paper's state in memory; :meth:`flush` makes it durable."""
        with self._lock:
            self._check_writable()
            if key in self.aliases:
                return  # folded into another paper (an old logged action): nothing to show
            self.states[key] = state
            self._dirty.add(key)

    def set_settings(self, **values: object) -> None:
        with self._lock:
            self._check_writable()
            self.settings.update(values)
            self._settings_dirty = True

    @property
    def unsaved(self) -> int:
        """How many paper states are not on disk yet."""
        return len(self._dirty)

    def flush(self) -> None:
        """Write pending state and settings: one atomic write per touched file.

        Safe from any thread, any number of times: the snapshot is taken
        inside the write lock, so writes land in the order of the changes.
        On failure the changes stay pending and the error propagates.
        """
        with self._write_lock:
            with self._lock:
                dirty, self._dirty = self._dirty, set()
                by_shard: dict[int, dict[int, dict | None]] = {}
                keys_in: dict[int, set[str]] = {}
                for key in dirty:
                    paper = self.papers[key]
                    state = self.states[key]
                    # A state back to nothing (after an undo) is dropped, so the
                    # state files, and the next start, stay small.
                    record = None if state == _NO_STATE else {"key": key, **state.to_record()}
                    by_shard.setdefault(layout.shard_of(paper.id), {})[paper.id] = record
                    keys_in.setdefault(layout.shard_of(paper.id), set()).add(key)
                settings = dict(self.settings) if self._settings_dirty else None
                self._settings_dirty = False
            done: set[int] = set()
            try:
                for shard, docs in by_shard.items():
                    self._table(layout.shard_path(self.home, layout.STATE, shard), "state").put(docs)
                    done.add(shard)
                if settings is not None:
                    self._table(self.home / layout.SETTINGS, "settings").put({1: settings})
                if self._meta_dirty:
                    self._write_meta()
            except BaseException:
                with self._lock:
                    for shard, keys in keys_in.items():
                        if shard not in done:
                            self._dirty |= keys
                    self._settings_dirty = self._settings_dirty or settings is not None
                raise

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
    ) -> ImportResult:
        """Add what is new and fill gaps in what is known, then commit, as a
        batch called ``name`` (default: the source and the date).

        ``on_new(id, title, abstract)`` sees each new paper as it is read
        (the search index uses it to index while the file streams in). With
        ``dry_run`` nothing is written: the result says what would happen.
        """
        from paperqueue.core.store.commit import commit
        from paperqueue.core.store.merge import Merge

        with self._write_lock:
            if not dry_run:
                self._check_writable()
            now = self.clock()
            merge = Merge(self, source, now, progress, on_new, restore)
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
            if not dry_run:
                commit(self, merge, progress, name or f"{source} {now[:10]}", now)
            return merge.result
