"""Search over the papers' full texts: ``<data home>/fulltext/search.sqlite``.

A separate SQLite FTS5 database beside the cached texts, not
``search.sqlite`` of the data home: that one is rebuilt from the store,
this one from the cached texts (:meth:`FullTextIndex.rebuild`), and any
process may add to it (SQLite's own locking, WAL, a busy timeout).

Two tables: ``docs`` maps a paper's key to a row id (never reused, so a
body left behind is never taken for a later paper's), ``bodies`` is a
contentless FTS5 table of the texts (no second copy of them; folded like
the list's index: case and accents ignored). Removing a text needs the
text itself (a contentless table's rule); when it cannot be had the row
stays in ``bodies`` but its ``docs`` row goes, so it is never found again.

Queries are read the way the list's search reads them
(:func:`paperqueue.core.search.query_words`): every word must occur, the
last one as a prefix.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from paperqueue.core.atomic import set_aside
from paperqueue.core.search import fts_query, query_words
from paperqueue.core.search_tables import open_index

__all__ = ["FullTextIndex"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE NOT NULL)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS bodies USING fts5("
    "body, content='', detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2')",
)
BUSY_MS = 10_000  # another process adding a text: wait this long for it


class FullTextIndex:
    """The full-text index at ``path``; thread-safe (one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._con is None:
            con = open_index(self.path)
            try:
                con.execute(f"PRAGMA busy_timeout={BUSY_MS}")
                for statement in _SCHEMA:
                    con.execute(statement)
            except sqlite3.DatabaseError:
                con.close()
                raise
            self._con = con
        return self._con

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def add(self, key: str, text: str) -> None:
        """Index ``text`` as ``key``'s body (replacing what ``key`` had)."""
        with self._writing() as con:
            row = con.execute("SELECT id FROM docs WHERE key = ?", (key,)).fetchone()
            if row is not None:
                con.execute("DELETE FROM docs WHERE id = ?", (row[0],))  # its old body stays unreachable
            cursor = con.execute("INSERT INTO docs(key) VALUES (?)", (key,))
            con.execute("INSERT INTO bodies(rowid, body) VALUES (?, ?)", (cursor.lastrowid, text))

    def remove(self, key: str, text: str | None = None) -> None:
        """Forget ``key``; with its indexed ``text``, its words go too."""
        with self._writing() as con:
            row = con.execute("SELECT id FROM docs WHERE key = ?", (key,)).fetchone()
            if row is not None:
                if text is not None:
                    con.execute("INSERT INTO bodies(bodies, rowid, body) VALUES ('delete', ?, ?)", (row[0], text))
                con.execute("DELETE FROM docs WHERE id = ?", (row[0],))

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken at once: two processes add in turn), rolled back on any failure."""
        with self._lock:
            con = self._connect()
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def search(self, query: str) -> set[str]:
        """Keys of the papers whose text holds every word of ``query`` (the
        last as a prefix); empty for a query without words."""
        words = query_words(query)
        if not words:
            return set()
        with self._lock:
            con = self._connect()
            rows = con.execute(
                "SELECT docs.key FROM bodies JOIN docs ON docs.id = bodies.rowid WHERE bodies MATCH ?",
                (fts_query(words),),
            ).fetchall()
        return {row[0] for row in rows}

    def keys(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._connect().execute("SELECT key FROM docs")}

    def interrupt(self) -> None:
        """Stop a running search (a newer keystroke made it stale)."""
        con = self._con
        if con is not None:
            con.interrupt()

    def rebuild(self, texts: Iterable[tuple[str, str]]) -> int:
        """Start over from ``(key, text)`` pairs (the cached texts): the
        old file is set aside when it is damaged, else emptied. Returns how
        many texts were indexed."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
            try:
                con = self._connect()
                con.execute("DROP TABLE IF EXISTS bodies")
                con.execute("DROP TABLE IF EXISTS docs")
                con.execute("DELETE FROM sqlite_sequence") if _has_sequence(con) else None
                for statement in _SCHEMA:
                    con.execute(statement)
            except sqlite3.DatabaseError:
                if self._con is not None:
                    self._con.close()
                    self._con = None
                for suffix in ("", "-wal", "-shm"):
                    damaged = Path(f"{self.path}{suffix}")
                    if damaged.exists():
                        set_aside(damaged) if suffix == "" else damaged.unlink()
                con = self._connect()
        count = 0
        for key, text in texts:
            self.add(key, text)
            count += 1
        return count


def _has_sequence(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone() is not None
