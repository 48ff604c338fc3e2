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

import bisect
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from paperqueue.core.models import Paper
from paperqueue.core.search_tables import (
    BATCH,
    SCHEMA,
    SCHEMA_VERSION,
    SETTLE_CHUNK,
    IndexWriter,
    insert_many,
    meta_value,
    open_index,
    set_meta,
)

if TYPE_CHECKING:
    from paperqueue.core.store import Store

_WORD_RE = re.compile(r"\w+")


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


# ``fresh`` is emptied by settling, so its segments need not be merged while
# an import fills it, and a bigger in-memory hash means fewer, larger
# segments: together they halve what indexing an import costs (100k papers:
# 3.3 s of CPU instead of 5.4 s here). ``papers`` keeps merging (it is
# searched for good) but flushes less often during a rebuild.
_CONFIG = (
    ("fresh", "automerge", 0),
    ("fresh", "crisismerge", 64),
    ("fresh", "hashsize", 64 << 20),
    ("papers", "hashsize", 16 << 20),
)


def _configure(con: sqlite3.Connection) -> None:
    for table, name, value in _CONFIG:
        try:
            con.execute(f"INSERT INTO {table}({table}, rank) VALUES (?, ?)", (name, value))
        except sqlite3.OperationalError:  # an SQLite without this option: defaults
            pass


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
            con = open_index(self.path)
            new = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None
            for statement in SCHEMA:
                con.execute(statement)
            if new:  # a new, empty index is current for an empty store
                _configure(con)
                con.execute("INSERT OR IGNORE INTO meta VALUES ('generation', 0)")
                con.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            self._con = con
        return self._con

    def generation(self) -> int | None:
        """The store generation this index reflects (``None``: unusable)."""
        try:
            with self._lock:
                con = self._connect()
                schema = meta_value(con, "schema")
                generation = meta_value(con, "generation")
        except sqlite3.DatabaseError:
            return None
        if schema != SCHEMA_VERSION:
            return None  # built by an older paperqueue: rebuild
        return generation

    def unsettled(self) -> bool:
        """Whether some papers are only in ``fresh`` (short prefixes are slower
        until :meth:`settle` has moved them)."""
        with self._lock:
            return meta_value(self._connect(), "fresh_from") is not None

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
                if len(batch) == BATCH:
                    insert_many(con, "papers", batch)
                    count += len(batch)
                    batch.clear()
                    if progress:
                        progress(count)
            insert_many(con, "papers", batch)
            set_meta(con, "generation", generation)
            set_meta(con, "schema", SCHEMA_VERSION)
            con.execute("COMMIT")

    def writer(self) -> IndexWriter:
        """Index an import as it streams in, on a thread of its own (SQLite
        tokenises without the GIL, so this overlaps with parsing)."""
        return IndexWriter(self)

    def settle(
        self,
        store: Store,
        chunk: int | None = None,
        limit: int | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> bool:
        """Move the fresh papers into the prefix table, ``chunk`` papers per
        transaction (default :data:`SETTLE_CHUNK`; texts come from ``store``), at most ``limit`` chunks,
        and none once ``stop()`` says so (the app is quitting). Call from a
        worker thread: searches go on meanwhile, and give the same answers
        throughout.

        A chunk reads its texts holding the store's write lock, so no import
        changes a text between reading and indexing it (an import's own
        index writer waits for the chunk's transaction), and indexes them
        without it, so that stars are saved meanwhile. Returns True when
        nothing is left to move; False when the index is not current for
        ``store`` or another writer holds it (try again after the next import).
        """
        try:
            if not self.unsettled():
                return True  # nothing to move: no write at all
        except sqlite3.DatabaseError:
            return False
        chunk = chunk or SETTLE_CHUNK
        store.load_rest()
        with store._lock:  # noqa: SLF001 - a loader thread may still add papers
            generation = store.generation
            ordered = sorted(store.papers.values(), key=lambda paper: paper.id)
        ids = [paper.id for paper in ordered]
        con = open_index(self.path)
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
                        moving = _chunk(con, store, generation, ordered, ids, chunk)
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                if moving is None:
                    con.execute("ROLLBACK")
                    return False
                if moving is True:
                    con.execute("ROLLBACK")
                    return True
                docs, next_from = moving
                try:
                    insert_many(con, "papers", docs)
                    if next_from is not None:
                        set_meta(con, "fresh_from", next_from)
                    else:
                        con.execute("INSERT INTO fresh(fresh) VALUES ('delete-all')")
                        con.execute("DELETE FROM meta WHERE name = 'fresh_from'")
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                if next_from is None:
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
            fresh_from = meta_value(con, "fresh_from")
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


def _chunk(
    con: sqlite3.Connection, store: Store, generation: int, ordered: list[Paper], ids: list[int], chunk: int
) -> tuple[list[tuple[int, str, str]], int | None] | bool | None:
    """The next ``chunk`` fresh papers with their texts, and the id after
    them (None: these are the last); True when nothing is fresh; None when
    the index or the store has moved on from ``generation``."""
    current = meta_value(con, "generation")
    if meta_value(con, "schema") != SCHEMA_VERSION or not current == store.generation == generation:
        return None
    fresh_from = meta_value(con, "fresh_from")
    if fresh_from is None:  # settled meanwhile (by another SearchIndex)
        return True
    start = bisect.bisect_left(ids, fresh_from)
    moving = ordered[start : start + chunk]
    docs = [(paper.id, paper.title, store.details(paper.key).abstract) for paper in moving]
    return docs, ids[start + chunk] if start + chunk < len(ids) else None


