"""Reading the store at open: meta.json (or what an unfinished import's
journal says it was), the list index (only the newest shards before the
first paint; :meth:`Loading.load_rest` reads the others), the state shards
and the settings. A mixin of :class:`Store`."""

from __future__ import annotations

import time

from paperqueue.core.collector import paused
from paperqueue.core.models import Paper, PaperState
from paperqueue.core.store import journal, layout
from paperqueue.core.store.fold import settled
from paperqueue.core.store.shape import _paper, paper_of


class Loading:
    """Loading what the store holds into memory."""


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
        with paused():  # 100,000 papers read, all kept: the collector's full passes would find nothing
            self._load_all(head)

    def _load_all(self, head: int | None) -> None:
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
                    "an import is under way or did not finish; showing the queue as it was before it"
                    if self.read_only
                    else "an import that did not finish was undone: the queue is as it was before it; import its file again"
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
        """Read one index shard (committed papers only); returns how many.
        Each record is checked as it is read (:func:`.shape.paper_of`); a
        shard with a damaged record is read again the checked way, which
        sets it aside and says so (:meth:`_table`), as any damaged file."""
        path = layout.shard_path(self.home, layout.INDEX, shard)
        table = self._tables.pop(path, None)
        if table is None:
            found = self._index_papers(shard, self._table(path, "papers", records=False), paper_of)
            if found is not None:
                self.papers.update(found)
                return len(found)
            table = self._table(path, "papers")  # a record is damaged: set aside, and what can be saved
        found = self._index_papers(shard, table, Paper.from_record)
        self.papers.update(found)
        return len(found)

    def _index_papers(self, shard: int, table, read) -> dict[str, Paper] | None:  # noqa: ANN001
        """The committed papers of an index shard's table, by key (closed
        after: read again only when an import changes it); ``None`` when
        ``read`` finds a record damaged."""
        docs = self._overlaid(layout.INDEX, shard, table.docs())
        table.close()
        self._tables.pop(table.path, None)
        found: dict[str, Paper] = {}
        max_id = self.max_id
        aliases = self.aliases
        for doc_id, record in docs.items():
            number = int(doc_id)
            if number <= max_id:
                if type(record) is dict and ("fold" in record or (aliases and record.get("key") in aliases)):
                    if read is paper_of and _paper(record) is not None:
                        return None
                    record = settled(record, aliases)  # see fold.py
                    if record is None:
                        continue
                paper = read(record, number)
                if paper is None:
                    return None
                found[paper.key] = paper
        return found

    @property
    def complete(self) -> bool:
        """Whether every paper of the index is loaded."""
        return not self._pending_shards

    def load_rest(self) -> None:
        """Read the index shards that :meth:`open` left out (call from a worker)."""
        with self._lock, paused():
            while self._pending_shards:
                self._load_index_shard(self._pending_shards.pop())
