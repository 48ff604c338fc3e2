"""Search over titles and abstracts: a derived SQLite FTS5 index.

``search.sqlite`` is a cache, not a record: it is rebuilt from the store
when missing, unreadable or stale (its generation differs from the
store's). The table is contentless with ``detail=none`` and 1- to
3-character prefix indexes, which keeps it small (about a sixth of the
abstracts' size) while every word query and the last-word prefix stay fast.

Query semantics: case- and accent-insensitive; every word must occur, the
last one as a prefix. While the index is being built, :func:`title_matches`
answers from the titles in memory.
"""

from __future__ import annotations

import queue
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson

from paperqueue.core.models import ImportResult, Paper

_WORD_RE = re.compile(r"\w+")
_SCHEMA_VERSION = 2  # bump when the table definition changes: old caches are rebuilt
_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS papers USING fts5("
    "title, abstract, content='', detail=none, columnsize=0, prefix='1 2 3', "
    "tokenize='unicode61 remove_diacritics 2')"
)


def query_words(query: str) -> list[str]:
    """The words of a query, folded the way the index folds them."""
    folded = unicodedata.normalize("NFKD", query.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD_RE.findall(folded)


def fts_query(words: list[str]) -> str:
    """Every word required, the last one as a prefix."""
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def title_matches(papers: Iterable[Paper], words: list[str]) -> set[int]:
    """Ids of papers whose title holds every word (the last as a prefix).

    A fallback while the full index is built: a substring test per word, so
    it may find a little more than the index would, never less.
    """
    if not words:
        return set()
    found = set()
    for paper in papers:
        title = unicodedata.normalize("NFKD", paper.title.casefold())
        if all(word in title for word in words):
            found.add(paper.id)
    return found


class SearchIndex:
    """The FTS5 index; thread-safe (one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: sqlite3.Connection | None = None

    # -- opening -------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._con is None:
            con = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            con.execute("PRAGMA synchronous=OFF")  # a cache: a torn one is rebuilt
            fresh = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None
            con.execute(_SCHEMA)
            con.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER)")
            if fresh:  # a new, empty index is current for an empty store
                con.execute("INSERT OR IGNORE INTO meta VALUES ('generation', 0)")
                con.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            self._con = con
        return self._con

    def generation(self) -> int | None:
        """The store generation this index reflects (``None``: unusable)."""
        try:
            with self._lock:
                con = self._connect()
                schema = con.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
                row = con.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        except sqlite3.DatabaseError:
            return None
        if not schema or schema[0] != _SCHEMA_VERSION:
            return None  # built by an older paperqueue: rebuild
        return int(row[0]) if row else None

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def discard(self) -> None:
        """Throw the cache away (it is rebuilt on next use)."""
        self.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    # -- writing -------------------------------------------------------------

    def rebuild(
        self,
        docs: Iterator[tuple[int, str, str]],
        generation: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Index ``(id, title, abstract)`` from scratch."""
        self.discard()
        with self._lock:
            con = self._connect()
            con.execute("BEGIN")
            count = 0
            batch: list[tuple[int, str, str]] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) == 500:
                    _insert_many(con, batch)
                    count += len(batch)
                    batch.clear()
                    if progress:
                        progress(count)
            _insert_many(con, batch)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (generation,))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            con.execute("COMMIT")

    def writer(self) -> IndexWriter:
        """Index an import as it streams in, on a thread of its own (SQLite
        tokenises without the GIL, so this overlaps with parsing)."""
        return IndexWriter(self)

    # -- reading -------------------------------------------------------------

    def search(self, words: list[str]) -> set[int]:
        """Ids of papers holding every word (the last as a prefix)."""
        if not words:
            return set()
        with self._lock:
            # One string instead of 100,000 row tuples: half the time, and no
            # garbage for the collector.
            (joined,) = self._connect().execute(
                "SELECT group_concat(rowid) FROM papers WHERE papers MATCH ?", (fts_query(words),)
            ).fetchone()
        return set(map(int, joined.split(","))) if joined else set()

    def interrupt(self) -> None:
        """Stop a running query (a newer keystroke made it stale)."""
        con = self._con
        if con is not None:
            con.interrupt()


_STOP = object()
_INSERT = "INSERT INTO papers(rowid, title, abstract) VALUES (?, ?, ?)"
_INSERT_JSON = (
    "INSERT INTO papers(rowid, title, abstract) "
    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') "
    "FROM json_each(?)"
)


def _insert_many(con: sqlite3.Connection, docs: list[tuple[int, str, str]]) -> None:
    """Insert a batch in one statement step, so SQLite tokenises the whole
    batch without taking the GIL back per row (which would stall the
    parser thread); plain ``executemany`` where JSON1 is missing."""
    try:
        con.execute(_INSERT_JSON, (orjson.dumps(docs).decode("utf-8"),))
    except sqlite3.OperationalError:
        con.executemany(_INSERT, docs)


class IndexWriter:
    """Feeds one import into the index in a transaction; :meth:`commit` after
    the store committed, :meth:`abort` if it did not."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._queue: queue.Queue = queue.Queue(maxsize=64)
        self._error: BaseException | None = None
        self._batch: list[tuple[int, str, str]] = []
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with self.index._lock:
            con = self.index._connect()
            con.execute("BEGIN")
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                if self._error is None:
                    try:
                        item(con)
                    except BaseException as error:  # noqa: BLE001 - reported by commit
                        self._error = error
            outcome = self._outcome
            try:
                con.execute("COMMIT" if outcome and self._error is None else "ROLLBACK")
            except BaseException as error:  # noqa: BLE001
                self._error = self._error or error

    def add(self, doc_id: int, title: str, abstract: str) -> None:
        self._batch.append((doc_id, title, abstract))
        if len(self._batch) >= 500:
            self._send_batch()

    def _send_batch(self) -> None:
        batch, self._batch = self._batch, []
        if batch:
            self._queue.put(lambda con: _insert_many(con, batch))

    def commit(self, result: ImportResult) -> None:
        """Apply the changed texts and the generation, then commit."""
        self._send_batch()
        changed = list(result.reindexed)

        def finish(con: sqlite3.Connection) -> None:
            for doc_id, old_title, old_abstract, title, abstract in changed:
                con.execute(
                    "INSERT INTO papers(papers, rowid, title, abstract) VALUES ('delete', ?, ?, ?)",
                    (doc_id, old_title, old_abstract),
                )
                con.execute(_INSERT, (doc_id, title, abstract))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (result.generation,))

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
