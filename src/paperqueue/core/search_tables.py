"""Writing the search index: its tables, and :class:`IndexWriter`, which
indexes an import's new papers while the file streams in. See
:mod:`paperqueue.core.search` for the tables' roles."""

from __future__ import annotations

import queue
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from paperqueue.core.atomic import check_regular, create_private_file
from paperqueue.core.models import ImportResult

if TYPE_CHECKING:
    from paperqueue.core.search import SearchIndex

SCHEMA_VERSION = 3  # bump when the table definitions change: old caches are rebuilt
_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5("
    "title, abstract, content='', detail=none, columnsize=0{prefix}, "
    "tokenize='unicode61 remove_diacritics 2')"
)
SCHEMA = (
    _TABLE.format(name="papers", prefix=", prefix='1 2 3'"),
    _TABLE.format(name="fresh", prefix=""),
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER)",
)
BATCH = 500  # papers per insert statement
# Batches waiting for the index thread before the parser waits. They hold the
# same strings as the import's pending records, so a long queue costs little.
QUEUED_BATCHES = 1024
WRITER_WAIT_MS = 5000  # an import's index thread waits this long for a settling chunk
SETTLE_CHUNK = 2000  # papers moved per transaction: an import waits at most one chunk


_SIDE_FILES = ("-wal", "-shm", "-journal")


def open_index(path: Path) -> sqlite3.Connection:
    """A connection to the index at ``path``. SQLite opens files by name and
    follows links, so the file and its journals are checked first (a link,
    FIFO or device there raises :class:`~paperqueue.core.atomic.UnsafePathError`)
    and a new index is created here, 0600: SQLite gives its -wal, -shm and
    -journal the database file's mode."""
    path = Path(path)
    for suffix in _SIDE_FILES:
        check_regular(Path(f"{path}{suffix}"))
    create_private_file(path)
    con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")  # a cache: a torn one is rebuilt
    # Readers never wait for a writer (a search while the index settles).
    con.execute("PRAGMA journal_mode=WAL")
    return con


def meta_value(con: sqlite3.Connection, name: str) -> int | None:
    row = con.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def set_meta(con: sqlite3.Connection, name: str, value: int | None) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))


_STOP = object()
_INSERT = "INSERT INTO {table}(rowid, title, abstract) VALUES (?, ?, ?)"
_INSERT_JSON = (
    "INSERT INTO {table}(rowid, title, abstract) "
    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') "
    "FROM json_each(?)"
)


def insert_many(con: sqlite3.Connection, table: str, docs: list[tuple[int, str, str]]) -> None:
    """Insert a batch in one statement step, so SQLite tokenises the whole
    batch without taking the GIL back per row (which would stall the
    parser thread); plain ``executemany`` where JSON1 is missing."""
    if not docs:
        return
    try:
        con.execute(_INSERT_JSON.format(table=table), (orjson.dumps(docs).decode("utf-8"),))
    except sqlite3.OperationalError:
        con.executemany(_INSERT.format(table=table), docs)


class IndexWriter:
    """Feeds one import into the index in a transaction; :meth:`commit` after
    the store committed, :meth:`abort` if it did not. New papers go to the
    ``fresh`` table (no prefix indexes: the cheap part of an import)."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUED_BATCHES)
        self._error: BaseException | None = None
        self._batch: list[tuple[int, str, str]] = []
        self._first: int | None = None  # the lowest new id
        self._parsed = False  # the import has stopped adding
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with self.index._lock:
            try:
                con = self.index._connect()
                con.execute(f"PRAGMA busy_timeout = {WRITER_WAIT_MS}")  # a settling chunk holds it briefly
                con.execute("BEGIN IMMEDIATE")
            except BaseException as error:  # noqa: BLE001 - reported by commit
                self._error = error
            began = self._error is None
            while True:  # drained even after an error, so that add() never blocks
                item = self._queue.get()
                if item is _STOP:
                    break
                if self._error is None:
                    try:
                        item(con)
                    except BaseException as error:  # noqa: BLE001 - reported by commit
                        self._error = error
            outcome = self._outcome
            if not began:
                return
            try:
                con.execute("COMMIT" if outcome and self._error is None else "ROLLBACK")
            except BaseException as error:  # noqa: BLE001
                self._error = self._error or error

    def add(self, doc_id: int, title: str, abstract: str) -> None:
        if self._first is None or doc_id < self._first:
            self._first = doc_id
        self._batch.append((doc_id, title, abstract))
        if len(self._batch) >= BATCH:
            self._send_batch()

    def _send_batch(self) -> None:
        batch, self._batch = self._batch, []
        if batch:
            self._queue.put(lambda con: self._insert(con, batch))

    def _insert(self, con: sqlite3.Connection, batch: list[tuple[int, str, str]]) -> None:
        """While the parser runs, one JSON statement per batch (the GIL stays
        free while SQLite works); once it has stopped, ``executemany``, which
        takes the GIL back per row but costs about a quarter less: on a busy
        machine the index thread falls behind, and catches up cheaply."""
        if self._parsed:
            con.executemany(_INSERT.format(table="fresh"), batch)
        else:
            insert_many(con, "fresh", batch)

    def commit(self, result: ImportResult) -> None:
        """Apply the changed texts and the generation, then commit."""
        self._parsed = True  # this thread now only waits
        self._send_batch()
        changed = list(result.reindexed)
        first = self._first

        def finish(con: sqlite3.Connection) -> None:
            fresh_from = meta_value(con, "fresh_from")
            if first is not None and (fresh_from is None or first < fresh_from):
                # New ids are above every id the index holds, so this keeps
                # "fresh_from and above are in fresh" true.
                fresh_from = first
                set_meta(con, "fresh_from", fresh_from)
            for doc_id, old_title, old_abstract, title, abstract in changed:
                table = "fresh" if fresh_from is not None and doc_id >= fresh_from else "papers"
                con.execute(
                    f"INSERT INTO {table}({table}, rowid, title, abstract) VALUES ('delete', ?, ?, ?)",
                    (doc_id, old_title, old_abstract),
                )
                con.execute(_INSERT.format(table=table), (doc_id, title, abstract))
            set_meta(con, "generation", result.generation)

        self._queue.put(finish)
        self._stop(True)
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        self._batch = []
        self._stop(False)

    def _stop(self, outcome: bool) -> None:
        self._outcome = outcome
        self._queue.put(_STOP)
        self._thread.join()
