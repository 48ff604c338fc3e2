"""New papers' records written while an import is still reading (issue 9
item 18): memory stays bounded however big the file.

New papers get consecutive ids above the committed ``max_id``, so once the
ids pass the end of a shard that shard's index and abstract records are
complete: they are written at once and dropped from memory, and so are
the state records (stars, read marks, tags, notes) a paperqueue JSON
export carries for them. They stay
invisible (ids above ``max_id``) until ``meta.json`` commits the import;
before the first shard is written the rollback journal is (with nothing
to put back yet, see :mod:`journal`), so a crash or a failure before the
commit point deletes them again.

A written paper that the same file names again (a repeat, a fold) is read
back from its shard; what changes is held as a *late* change and written
with the next batch of late changes or at the commit. A dry run writes
nothing to the store: its shards go to a private temporary folder, removed
when it ends.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from paperqueue.core.models import Paper
from paperqueue.core.store import journal, layout

if TYPE_CHECKING:
    from paperqueue.core.store.store import Store

Shards = dict[int, dict[int, dict | None]]  # shard -> doc id -> record (None: delete)
LATE_LIMIT = 4096  # late changes held before they are written
_CACHED = 4  # shards read back, kept for the next look


class NewShards:
    """The records of an import's new papers, by shard: those not written
    yet, and changes to written ones."""

    def __init__(self, store: Store, generation: int, write: bool) -> None:
        self.store = store
        self.generation = generation  # the generation the import commits
        self.write = write  # into the store; else (a dry run) into a temporary folder
        self._spill: Path | None = None
        self.started = False  # the journal is written: shards may be on disk
        self.papers: dict[int, dict[int, Paper | None]] = {}  # shard -> id -> index record to write (None: delete)
        self.details: dict[int, dict[int, dict | None]] = {}  # shard -> id -> abstracts record to write
        self.states: dict[int, dict[int, dict | None]] = {}  # shard -> id -> state record to write
        self.written: set[int] = set()  # shards holding this import's records on disk
        self._late = 0
        self._read: OrderedDict[tuple[str, int], dict[str, dict]] = OrderedDict()

    # -- holding ---------------------------------------------------------------

    def put(self, paper: Paper) -> None:
        shard = layout.shard_of(paper.id)
        self._count_late(shard, paper.id, self.papers)
        self.papers.setdefault(shard, {})[paper.id] = paper

    def put_details(self, doc_id: int, record: dict) -> None:
        shard = layout.shard_of(doc_id)
        self._count_late(shard, doc_id, self.details)
        self.details.setdefault(shard, {})[doc_id] = record

    def put_state(self, doc_id: int, record: dict | None) -> None:
        """A new paper's state record (``None``: it has none)."""
        shard = layout.shard_of(doc_id)
        if record is None and shard not in self.written:
            self.states.get(shard, {}).pop(doc_id, None)
            return
        self._count_late(shard, doc_id, self.states)
        self.states.setdefault(shard, {})[doc_id] = record

    def drop(self, doc_id: int) -> None:
        """Forget a new paper (folded into another): written records are deleted."""
        shard = layout.shard_of(doc_id)
        for table in (self.papers, self.details, self.states):
            if shard in self.written:
                self._count_late(shard, doc_id, table)
                table.setdefault(shard, {})[doc_id] = None
            else:
                table.get(shard, {}).pop(doc_id, None)

    def _count_late(self, shard: int, doc_id: int, table: dict[int, dict]) -> None:
        if shard in self.written and doc_id not in table.get(shard, {}):
            self._late += 1

    # -- reading back ----------------------------------------------------------

    def paper(self, doc_id: int) -> Paper:
        shard = layout.shard_of(doc_id)
        held = self.papers.get(shard, {}).get(doc_id)
        if held is not None:
            return held
        return Paper.from_record(self._docs(layout.INDEX, shard)[str(doc_id)], doc_id)

    def details_record(self, doc_id: int) -> dict | None:
        shard = layout.shard_of(doc_id)
        held = self.details.get(shard, {})
        if doc_id in held:
            return held[doc_id]
        if shard not in self.written:
            return None
        return self._docs(layout.ABSTRACTS, shard).get(str(doc_id))

    def state_record(self, doc_id: int) -> dict | None:
        shard = layout.shard_of(doc_id)
        held = self.states.get(shard, {})
        if doc_id in held:
            return held[doc_id]
        if shard not in self.written:
            return None
        return self._docs(layout.STATE, shard).get(str(doc_id))

    def _docs(self, folder: str, shard: int) -> dict[str, dict]:
        docs = self._read.get((folder, shard))
        if docs is not None:
            self._read.move_to_end((folder, shard))
            return docs
        if self._spill is not None:
            docs = _read_json(self._spill / f"{folder}-{shard}.json")
        else:
            path = layout.shard_path(self.store.home, folder, shard)
            table = self.store._tables.pop(path, None) or self.store._table(path, journal.TABLES[folder])
            docs = table.docs()
            table.close()  # not kept open: read again only if changed
            self.store._tables.pop(path, None)
        self._read[(folder, shard)] = docs
        if len(self._read) > _CACHED:
            self._read.popitem(last=False)
        return docs

    # -- writing ---------------------------------------------------------------

    def filled(self, next_id: int) -> None:
        """Ids up to ``next_id - 1`` are given out: write the shards before
        the one ``next_id`` falls in, and the late changes once they are many."""
        current = layout.shard_of(next_id)
        if self._late >= LATE_LIMIT:
            self.flush(sorted(shard for shard in {*self.papers, *self.details, *self.states} if shard < current))
            self._late = 0
            return
        done = [shard for shard in {*self.papers, *self.details, *self.states} if shard < current and shard not in self.written]
        if done:
            self.flush(sorted(done))

    def flush(self, shards: list[int]) -> None:
        if not self.write:
            self._flush_aside(shards)
            return
        if not self.started:
            journal.start(self.store, self.generation)
            self.started = True
        store = self.store
        for shard in shards:
            details = self.details.pop(shard, None)
            if details:
                store.write_shard(layout.shard_path(store.home, layout.ABSTRACTS, shard), "abstracts", details)
            states = self.states.pop(shard, None)
            if states:
                store.write_shard(layout.shard_path(store.home, layout.STATE, shard), "state", states)
            papers = self.papers.pop(shard, None)
            if papers:
                records = {i: p.to_record() if p is not None else None for i, p in papers.items()}
                store.write_shard(layout.shard_path(store.home, layout.INDEX, shard), "papers", records)
            self._forget(shard)
            self.written.add(shard)

    def _flush_aside(self, shards: list[int]) -> None:
        """A dry run's shards: plain files in a private temporary folder."""
        if self._spill is None:
            self._spill = Path(tempfile.mkdtemp(prefix="paperqueue-dry-run-"))  # mode 0700
        for shard in shards:
            for folder, records in ((layout.ABSTRACTS, self.details.pop(shard, None)),
                                    (layout.STATE, self.states.pop(shard, None)),
                                    (layout.INDEX, self.papers.pop(shard, None))):
                if not records:
                    continue
                path = self._spill / f"{folder}-{shard}.json"
                docs = _read_json(path)
                for doc_id, record in records.items():
                    if record is None:
                        docs.pop(str(doc_id), None)
                    else:
                        docs[str(doc_id)] = record.to_record() if isinstance(record, Paper) else record
                path.write_text(json.dumps(docs), encoding="utf-8")
            self._forget(shard)
            self.written.add(shard)

    def _forget(self, shard: int) -> None:
        for folder in (layout.INDEX, layout.ABSTRACTS, layout.STATE):
            self._read.pop((folder, shard), None)

    def close(self) -> None:
        """Remove a dry run's temporary folder."""
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None

    def take(self) -> tuple[Shards, Shards, Shards]:
        """What is still to write, for the commit: abstracts, index and state records by shard."""
        index = {shard: {i: p.to_record() if p is not None else None for i, p in papers.items()}
                 for shard, papers in self.papers.items() if papers}
        details = {shard: docs for shard, docs in self.details.items() if docs}
        states = {shard: docs for shard, docs in self.states.items() if docs}
        self.papers, self.details, self.states = {}, {}, {}
        return details, index, states


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
