"""The store of record: TinyDB files in the data folder.

``papers.json``   the papers (large, written on import)
``state.json``    the person's stars and read marks (small, written often)
``settings.json`` where the person left the app (view, highlighted paper)
``queue.lock``    held by the one process allowed to write

Every write is one atomic file replacement (see :mod:`atomic`). A file
that is not valid JSON is moved aside to a timestamped ``.corrupt`` copy and
the store starts that part empty; the move is reported in ``warnings``.
All methods are thread-safe, so the UI can call them from workers.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from collections.abc import Iterable
from pathlib import Path

from tinydb import TinyDB

from paperqueue.core.atomic import AtomicJSONStorage, CorruptFileError
from paperqueue.core.clock import Clock, compact_stamp, utc_now
from paperqueue.core.identity import normalise_title, paper_key
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.lock import StoreLock, StoreLockedError
from paperqueue.core.models import ImportResult, Paper, PaperState
from paperqueue.core.paths import data_home

PAPERS, STATE, SETTINGS = "papers", "state", "settings"


class ReadOnlyStoreError(PermissionError):
    pass


class Store:
    def __init__(self, home: Path, *, clock: Clock = utc_now) -> None:
        self.home = home
        self.clock = clock
        self.read_only = False
        self.warnings: list[str] = []
        self.papers: dict[str, Paper] = {}
        self.states: dict[str, PaperState] = {}
        self.settings: dict = {}
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._dirty: set[str] = set()
        self._settings_dirty = False
        self._next_state_id = 1
        self._borrowed_lock = False
        self._file_lock = StoreLock(home / "queue.lock")
        self._doc_ids: dict[str, int] = {}
        self._state_ids: dict[str, int] = {}
        self._by_arxiv: dict[str, str] = {}
        self._by_title: dict[str, str] = {}
        self._dbs: dict[str, TinyDB] = {}

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(
        cls,
        home: Path | None = None,
        *,
        clock: Clock = utc_now,
        lock: bool = True,
        read_only_if_locked: bool = False,
    ) -> Store:
        """Open (creating if needed) the store in ``home``.

        With ``lock`` the store takes the writer lock; if another process
        holds it, either raise :class:`StoreLockedError` or, with
        ``read_only_if_locked``, open read-only.
        """
        store = cls(home or data_home(), clock=clock)
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
        store._load()
        return store

    def _open_db(self, name: str) -> TinyDB:
        path = self.home / f"{name}.json"
        try:
            db = TinyDB(path, storage=AtomicJSONStorage, read_only=self.read_only)
            db.storage.read()
        except CorruptFileError:
            db = TinyDB(path, storage=AtomicJSONStorage, read_only=self.read_only)
            if self._may_set_aside():
                aside = self._set_aside(path)
                self.warnings.append(f"{path.name} was not valid JSON; moved it to {aside.name} and started it empty")
            else:
                db.storage.empty = True
                self.warnings.append(f"{path.name} is not valid JSON; showing it as empty until paperqueue can set it aside")
        self._dbs[name] = db
        return db

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

    def _load(self) -> None:
        for doc in self._open_db(PAPERS).table(PAPERS).all():
            paper = Paper.from_record(doc)
            self.papers[paper.key] = paper
            self._doc_ids[paper.key] = doc.doc_id
            self._index(paper)
        for doc in self._open_db(STATE).table(STATE).all():
            key = doc.get("key")
            if key in self.papers:
                self.states[key] = PaperState.from_record(doc)
                self._state_ids[key] = doc.doc_id
        self._next_state_id = max(self._state_ids.values(), default=0) + 1
        settings = self._open_db(SETTINGS).table(SETTINGS).get(doc_id=1)
        self.settings = dict(settings) if settings else {}
        if self._borrowed_lock:
            self._file_lock.release()
            self._borrowed_lock = False

    def _index(self, paper: Paper) -> None:
        if paper.arxiv_id:
            self._by_arxiv.setdefault(paper.arxiv_id, paper.key)
        normalised = normalise_title(paper.title)
        if normalised:
            self._by_title.setdefault(normalised, paper.key)

    def close(self) -> None:
        with self._lock:
            for db in self._dbs.values():
                db.close()
            self._file_lock.release()

    # -- reading -----------------------------------------------------------

    def ordered_papers(self) -> list[Paper]:
        """Papers newest import first; within one import, in page order."""
        return sorted(self.papers.values(), key=lambda p: (-p.batch, p.seq))

    def state(self, key: str) -> PaperState:
        return self.states.get(key, PaperState())

    def find(self, arxiv_id: str | None, title: str) -> str | None:
        """The key of the paper these identify, if it is in the queue."""
        if arxiv_id and arxiv_id in self._by_arxiv:
            return self._by_arxiv[arxiv_id]
        return self._by_title.get(normalise_title(title))

    # -- writing -----------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError("the queue is open read-only (another paperqueue holds the lock)")

    def _write_docs(self, name: str, docs: dict[int, dict]) -> None:
        """Put ``docs`` (doc id -> record) into table ``name`` in one atomic write."""
        storage = self._dbs[name].storage
        tables = storage.read() or {}
        table = dict(tables.get(name, {}))
        for doc_id, record in docs.items():
            table[str(doc_id)] = record
        storage.write({**tables, name: table})
        self._dbs[name].table(name).clear_cache()

    def set_state(self, key: str, state: PaperState) -> None:
        """Change a paper's state in memory; :meth:`flush` makes it durable."""
        with self._lock:
            self._check_writable()
            self.states[key] = state
            self._dirty.add(key)

    def set_settings(self, **values: object) -> None:
        with self._lock:
            self._check_writable()
            self.settings.update(values)
            self._settings_dirty = True

    @property
    def unsaved(self) -> int:
        """How many changes are not on disk yet."""
        return len(self._dirty)

    def flush(self) -> None:
        """Write pending state and settings, each file in one atomic write.

        Safe to call from any thread, any number of times: the snapshot is
        taken inside the write lock, so writes land in the order of changes.
        On failure the changes stay pending and the error propagates.
        """
        with self._write_lock:
            with self._lock:
                dirty, self._dirty = self._dirty, set()
                docs = {}
                for key in dirty:
                    doc_id = self._state_ids.get(key)
                    if doc_id is None:
                        doc_id = self._state_ids[key] = self._next_state_id
                        self._next_state_id += 1
                    docs[doc_id] = {"key": key, **self.states[key].to_record()}
                settings = dict(self.settings) if self._settings_dirty else None
                self._settings_dirty = False
            try:
                if docs:
                    self._write_docs(STATE, docs)
                if settings is not None:
                    self._write_docs(SETTINGS, {1: settings})
            except BaseException:
                with self._lock:
                    self._dirty |= dirty
                    self._settings_dirty = self._settings_dirty or settings is not None
                raise

    def add_papers(self, parsed: Iterable[ParsedPaper], source: str) -> ImportResult:
        """Add what is new, fill gaps in what is known; one atomic write."""
        with self._write_lock, self._lock:
            self._check_writable()
            result = ImportResult(source=source)
            now = self.clock()
            next_id = max(self._doc_ids.values(), default=0) + 1
            next_seq = max((p.seq for p in self.papers.values()), default=0) + 1
            batch = max((p.batch for p in self.papers.values()), default=0) + 1
            pending: dict[str, Paper] = {}
            changed: dict[str, Paper] = {}
            seen_ids: dict[str, str] = {}
            seen_titles: dict[str, str] = {}
            for item in parsed:
                normalised = normalise_title(item.title)
                key = self.find(item.arxiv_id, item.title)
                if key is None:
                    key = (item.arxiv_id and seen_ids.get(item.arxiv_id)) or seen_titles.get(normalised)
                if key is None:
                    key = paper_key(item.arxiv_id, item.title)
                    paper = Paper(key, item.title, item.abstract, item.arxiv_id, tuple(item.links), now, next_seq, batch)
                    next_seq += 1
                    pending[key] = paper
                    if item.arxiv_id:
                        seen_ids[item.arxiv_id] = key
                    seen_titles[normalised] = key
                    result.new += 1
                    result.new_keys.append(key)
                    continue
                result.existing += 1
                known = pending.get(key) or changed.get(key) or self.papers[key]
                merged = _fill_gaps(known, item)
                if merged is not known:
                    (pending if key in pending else changed)[key] = merged
            docs: dict[int, dict] = {}
            for key, paper in changed.items():
                docs[self._doc_ids[key]] = paper.to_record()
            new_ids = {}
            for key, paper in pending.items():
                new_ids[key] = next_id
                docs[next_id] = paper.to_record()
                next_id += 1
            if docs:
                self._write_docs(PAPERS, docs)
            for key, paper in {**changed, **pending}.items():
                self.papers[key] = paper
                self._index(paper)
            self._doc_ids.update(new_ids)
            return result


def _fill_gaps(paper: Paper, item: ParsedPaper) -> Paper:
    """Fill what ``paper`` lacks from ``item``; never change the key."""
    arxiv_id = paper.arxiv_id or item.arxiv_id
    abstract = paper.abstract or item.abstract
    links = tuple(dict.fromkeys((*paper.links, *item.links)))
    if (arxiv_id, abstract, links) == (paper.arxiv_id, paper.abstract, paper.links):
        return paper
    return replace(paper, abstract=abstract, arxiv_id=arxiv_id, links=links)
