"""One TinyDB file holding one table, read whole and written atomically.

The store keeps several of these (the index, abstract shards, state
shards, settings). Each is a normal TinyDB database that TinyDB itself can
open; writes go through :class:`AtomicJSONStorage`.
"""

from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB

from paperqueue.core.atomic import AtomicJSONStorage


class TableFile:
    def __init__(self, path: Path, table: str, *, read_only: bool = False) -> None:
        self.path = path
        self.table = table
        self._db = TinyDB(path, storage=AtomicJSONStorage, read_only=read_only)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]

    def all_tables(self) -> dict:
        """The whole file (may raise :class:`CorruptFileError`)."""
        return self._storage.read() or {}

    def docs(self) -> dict[str, dict]:
        """Raw documents of the table: doc id (a string) -> record."""
        return self.all_tables().get(self.table, {})

    def put(self, docs: dict[int, dict | None], **other_tables: dict) -> None:
        """Set (or with ``None`` delete) documents, in one atomic write.

        ``other_tables`` replace whole tables in the same write (the index
        keeps its ``meta`` table beside ``papers`` this way).
        """
        self._storage.write(self.with_docs(docs, **other_tables))

    def with_docs(self, docs: dict[int, dict | None], **other_tables: dict) -> dict:
        """The whole file as :meth:`put` would write it (nothing written)."""
        tables = self.all_tables()
        table = dict(tables.get(self.table, {}))
        for doc_id, record in docs.items():
            if record is None:
                table.pop(str(doc_id), None)
            else:
                table[str(doc_id)] = record
        return {**tables, **other_tables, self.table: table}

    def written(self, data: dict | None) -> None:
        """The file now holds ``data`` (written by :func:`.shard_writes.replace_many`);
        ``None``: not known (a failed write), read it again when next needed."""
        self._storage._cache = data

    @property
    def writable(self) -> bool:
        return not self._storage.read_only

    def show_empty(self) -> None:
        """Serve an unreadable file as empty (when it cannot be set aside)."""
        self.show({})

    def show(self, docs: dict[str, dict]) -> None:
        """Serve ``docs`` from memory instead of the file (an unreadable file
        that cannot be set aside, or a rebuilt one that cannot be written)."""
        self._storage.empty = True
        self._storage._cache = {self.table: docs}

    def close(self) -> None:
        self._db.close()
