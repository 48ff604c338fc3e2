"""Search over titles and abstracts: a derived SQLite FTS5 index.

``search.sqlite`` is a cache, not a record: it is rebuilt from the store
when missing, unreadable or stale (its generation differs from the
store's). Two contentless ``detail=none`` tables hold it:

* ``papers`` has 1- to 3-character prefix indexes, so that the last-word
  prefix stays fast however short (a typed ``a`` at 100k papers);
* ``fresh`` has none: an import indexes its new papers there, which costs
  about half as much as indexing them with prefixes. Every paper with an id
  at or above ``fresh_from`` (in ``meta``) is in ``fresh``; every other
  paper is in ``papers``. :meth:`SearchIndex.settle` moves fresh papers
  into ``papers`` later, in the background, a chunk per transaction (rows
  it moved stay behind in ``fresh`` and are ignored by id until the last
  chunk empties it).

A search asks both tables, so its answer is the same before and after
settling; only its speed differs. Query semantics: case- and
accent-insensitive; every word must occur, the last one as a prefix. While
the index is being built, :func:`title_matches` answers from the titles in
memory.
"""

from __future__ import annotations

import queue
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from paperqueue.core.models import ImportResult, Paper

if TYPE_CHECKING:
    from paperqueue.core.store import Store

_WORD_RE = re.compile(r"\w+")
_SCHEMA_VERSION = 3  # bump when the table definitions change: old caches are rebuilt
_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5("
    "title, abstract, content='', detail=none, columnsize=0{prefix}, "
    "tokenize='unicode61 remove_diacritics 2')"
)
_SCHEMA = (
    _TABLE.format(name="papers", prefix=", prefix='1 2 3'"),
    _TABLE.format(name="fresh", prefix=""),
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER)",
)
SETTLE_CHUNK = 2000  # papers moved per transaction: an import waits at most one chunk


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


def _open(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")  # a cache: a torn one is rebuilt
    # Readers never wait for a writer (a search while the index settles).
    con.execute("PRAGMA journal_mode=WAL")
    return con


def _meta(con: sqlite3.Connection, name: str) -> int | None:
    row = con.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _set_meta(con: sqlite3.Connection, name: str, value: int | None) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))


class SearchIndex:
    """The FTS5 index; thread-safe (one connection, one lock; settling
    uses a connection of its own)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: sqlite3.Connection | None = None

    # -- opening -------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._con is None:
            con = _open(self.path)
            fresh = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None
            for statement in _SCHEMA:
                con.execute(statement)
            if fresh:  # a new, empty index is current for an empty store
                # ``fresh`` is emptied by settling, so its segments need not be
                # merged while an import fills it (a third of its cost).
                con.execute("INSERT INTO fresh(fresh, rank) VALUES ('automerge', 0)")
                con.execute("INSERT INTO fresh(fresh, rank) VALUES ('crisismerge', 64)")
                con.execute("INSERT OR IGNORE INTO meta VALUES ('generation', 0)")
                con.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            self._con = con
        return self._con

    def generation(self) -> int | None:
        """The store generation this index reflects (``None``: unusable)."""
        try:
            with self._lock:
                con = self._connect()
                schema = _meta(con, "schema")
                generation = _meta(con, "generation")
        except sqlite3.DatabaseError:
            return None
        if schema != _SCHEMA_VERSION:
            return None  # built by an older paperqueue: rebuild
        return generation

    def unsettled(self) -> bool:
        """Whether some papers are only in ``fresh`` (short prefixes are slower
        until :meth:`settle` has moved them)."""
        with self._lock:
            return _meta(self._connect(), "fresh_from") is not None

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
        """Index ``(id, title, abstract)`` from scratch (straight into the
        prefix table: a rebuild runs in the background anyway)."""
        self.discard()
        with self._lock:
            con = self._connect()
            con.execute("BEGIN")
            count = 0
            batch: list[tuple[int, str, str]] = []
            for doc in docs:
                batch.append(doc)
                if len(batch) == 500:
                    _insert_many(con, "papers", batch)
                    count += len(batch)
                    batch.clear()
                    if progress:
                        progress(count)
            _insert_many(con, "papers", batch)
            _set_meta(con, "generation", generation)
            _set_meta(con, "schema", _SCHEMA_VERSION)
            con.execute("COMMIT")

    def writer(self) -> IndexWriter:
        """Index an import as it streams in, on a thread of its own (SQLite
        tokenises without the GIL, so this overlaps with parsing)."""
        return IndexWriter(self)

    def settle(
        self,
        store: Store,
        chunk: int = SETTLE_CHUNK,
        limit: int | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> bool:
        """Move the fresh papers into the prefix table, ``chunk`` papers per
        transaction (texts come from ``store``), at most ``limit`` chunks,
        and none once ``stop()`` says so (the app is quitting). Call from a
        worker thread: searches go on meanwhile, and give the same answers
        throughout.

        Each chunk holds the store's write lock, so no import changes a text
        between reading it and indexing it. Returns True when nothing is
        left to move; False when the index is not current for ``store`` or
        another writer holds it (try again after the next import).
        """
        store.load_rest()
        con = _open(self.path)
        chunks = 0
        try:
            con.execute("PRAGMA busy_timeout = 200")  # an import has it: give way
            while (limit is None or chunks < limit) and not (stop and stop()):
                chunks += 1
                with store._write_lock:  # noqa: SLF001 - see the docstring
                    try:
                        con.execute("BEGIN IMMEDIATE")
                    except sqlite3.OperationalError:
                        return False  # busy: another writer has it
                    try:
                        done = _settle_chunk(con, store, chunk)
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                    if done is None:
                        con.execute("ROLLBACK")
                        return False
                    con.execute("COMMIT")
                if done:
                    return True
            return False
        except sqlite3.DatabaseError:
            return False
        finally:
            con.close()

    # -- reading -------------------------------------------------------------

    def search(self, words: list[str]) -> set[int]:
        """Ids of papers holding every word (the last as a prefix)."""
        if not words:
            return set()
        with self._lock:
            con = self._connect()
            fresh_from = _meta(con, "fresh_from")
            # One string instead of 100,000 row tuples: half the time, and no
            # garbage for the collector.
            if fresh_from is None:
                (joined,) = con.execute(
                    "SELECT group_concat(rowid) FROM papers WHERE papers MATCH ?", (fts_query(words),)
                ).fetchone()
            else:
                (joined,) = con.execute(
                    "SELECT group_concat(rowid) FROM (SELECT rowid FROM papers WHERE papers MATCH ?1 "
                    "UNION ALL SELECT rowid FROM fresh WHERE fresh MATCH ?1 AND rowid >= ?2)",
                    (fts_query(words), fresh_from),
                ).fetchone()
        return set(map(int, joined.split(","))) if joined else set()

    def interrupt(self) -> None:
        """Stop a running query (a newer keystroke made it stale)."""
        con = self._con
        if con is not None:
            con.interrupt()


def _settle_chunk(con: sqlite3.Connection, store: Store, chunk: int) -> bool | None:
    """Move up to ``chunk`` fresh papers; True when none is left, None when
    the index does not reflect the store's generation."""
    if _meta(con, "schema") != _SCHEMA_VERSION or _meta(con, "generation") != store.generation:
        return None
    fresh_from = _meta(con, "fresh_from")
    if fresh_from is None:
        return True
    with store._lock:  # noqa: SLF001 - the papers dict may grow in a loader thread
        papers = sorted((p for p in store.papers.values() if p.id >= fresh_from), key=lambda p: p.id)
    moving = papers[:chunk]
    docs = [(p.id, p.title, store.details(p.key).abstract) for p in moving]
    _insert_many(con, "papers", docs)
    if len(papers) > len(moving):
        _set_meta(con, "fresh_from", papers[len(moving)].id)
        return False
    con.execute("INSERT INTO fresh(fresh) VALUES ('delete-all')")
    con.execute("DELETE FROM meta WHERE name = 'fresh_from'")
    return True


_STOP = object()
_INSERT = "INSERT INTO {table}(rowid, title, abstract) VALUES (?, ?, ?)"
_INSERT_JSON = (
    "INSERT INTO {table}(rowid, title, abstract) "
    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') "
    "FROM json_each(?)"
)


def _insert_many(con: sqlite3.Connection, table: str, docs: list[tuple[int, str, str]]) -> None:
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
        self._queue: queue.Queue = queue.Queue(maxsize=64)
        self._error: BaseException | None = None
        self._batch: list[tuple[int, str, str]] = []
        self._first: int | None = None  # the lowest new id
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with self.index._lock:
            con = self.index._connect()
            con.execute("PRAGMA busy_timeout = 5000")  # a settling chunk holds it briefly
            con.execute("BEGIN IMMEDIATE")
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
        if self._first is None or doc_id < self._first:
            self._first = doc_id
        self._batch.append((doc_id, title, abstract))
        if len(self._batch) >= 500:
            self._send_batch()

    def _send_batch(self) -> None:
        batch, self._batch = self._batch, []
        if batch:
            self._queue.put(lambda con: _insert_many(con, "fresh", batch))

    def commit(self, result: ImportResult) -> None:
        """Apply the changed texts and the generation, then commit."""
        self._send_batch()
        changed = list(result.reindexed)
        first = self._first

        def finish(con: sqlite3.Connection) -> None:
            fresh_from = _meta(con, "fresh_from")
            if first is not None and (fresh_from is None or first < fresh_from):
                # New ids are above every id the index holds, so this keeps
                # "fresh_from and above are in fresh" true.
                fresh_from = first
                _set_meta(con, "fresh_from", fresh_from)
            for doc_id, old_title, old_abstract, title, abstract in changed:
                table = "fresh" if fresh_from is not None and doc_id >= fresh_from else "papers"
                con.execute(
                    f"INSERT INTO {table}({table}, rowid, title, abstract) VALUES ('delete', ?, ?, ?)",
                    (doc_id, old_title, old_abstract),
                )
                con.execute(_INSERT.format(table=table), (doc_id, title, abstract))
            _set_meta(con, "generation", result.generation)

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
