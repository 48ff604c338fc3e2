"""The import's rollback journal: an import lands whole or not at all, also
into an empty folder, also where it changes papers already in the queue
(issue 9 items 1 and 2).

``import.journal`` (one JSON object, written atomically) says::

    {"generation": G,          # the generation this import commits
     "max_id": M,              # the highest committed paper id before it
     "meta": {...} | null,     # meta.json's record before it (null: none yet)
     "before": {"index": {id: record | null}, "abstracts": {...}, "state": {...}}}

``before`` holds every committed record (id <= M) the import is about to
overwrite, as it was. The order of an import's writes is:

1. the journal (fsynced) before the first shard is touched;
2. the shards: records of new papers (ids above M, invisible until the
   commit) and of committed papers (their old versions are in the journal);
3. ``meta.json`` with generation G: the commit point;
4. the journal is removed.

On open the writer looks at the journal first. If ``meta.json`` holds
generation G the import landed and the journal is just removed. Otherwise
the import did not land: the before-records are put back, every record
above M is deleted, ``meta.json`` is restored from the journal if it is
missing or unreadable, and the journal is removed. Each step writes what
the journal says, so a crash during the rollback is rolled back again the
same way. A read-only open changes nothing: it shows the before-records
over what is on disk.

Why a journal rather than a committed-marker in each index shard: a marker
tells committed from uncommitted *new* records, but an import also rewrites
committed papers (gap-fills, merges, folds), whose old versions must come
back; only a copy written before the first overwrite can give them back.
The journal also tells the two cases of a lost ``meta.json`` apart: with a
journal the import did not land (``meta.json`` is never rebuilt from its
shards); without one every record on disk is committed, so a ``meta.json``
set aside as corrupt is rebuilt from the index. A ``meta.json`` simply
missing (no journal, no set-aside copy) means nothing was ever committed.

An import writes its new papers' shards while it reads (:mod:`chunks`):
:func:`start` writes the journal with an empty ``before`` before the first
of them, and the commit writes it again with the before-records before it
touches a committed paper; the rollback deletes every record above M
whatever wrote it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from paperqueue.core.atomic import CorruptFileError, atomic_write_bytes, dump_json, fsync_dir, read_json
from paperqueue.core.crashpoints import boundary
from paperqueue.core.store import layout

if TYPE_CHECKING:
    from paperqueue.core.store.store import Store

FILE = "import.journal"
TABLES = {layout.ABSTRACTS: "abstracts", layout.STATE: "state", layout.INDEX: "papers"}

Before = dict[str, dict[int, dict | None]]  # folder -> doc id -> record before (None: none)


def _valid(data: object) -> bool:
    if not isinstance(data, dict):
        return False
    if type(data.get("generation")) is not int or type(data.get("max_id")) is not int:
        return False
    if not isinstance(data.get("meta"), (dict, type(None))):
        return False
    before = data.get("before")
    if not isinstance(before, dict):
        return False
    for folder, records in before.items():
        if folder not in TABLES or not isinstance(records, dict):
            return False
        for doc_id, record in records.items():
            if not doc_id.isdigit() or not isinstance(record, (dict, type(None))):
                return False
    return True


def read(store: Store) -> dict | None:
    """The journal of an import that may not have landed (``None``: none)."""
    path = store.home / FILE
    try:
        data = read_json(path)
    except CorruptFileError:
        data = False
    if data is None:
        return None
    if not _valid(data):
        if not store.read_only:
            aside = store._set_aside(path)
            store.warnings.append(
                f"{FILE} (the record of an unfinished import) was damaged; moved it to {aside.name}: "
                "papers of that import may show partly"
            )
        return None
    return data


def begin(store: Store, generation: int, meta: dict | None, writes: dict[str, dict[int, dict[int, dict | None]]]) -> None:
    """Write the journal before the first shard of an import: ``writes`` is
    folder -> shard -> the records the import puts there."""
    before: dict[str, dict[str, dict | None]] = {}
    for folder, shards in writes.items():
        kept = before.setdefault(folder, {})
        for shard, docs in shards.items():
            committed = [doc_id for doc_id in docs if doc_id <= store.max_id]
            if not committed:
                continue
            current = store._table(layout.shard_path(store.home, folder, shard), TABLES[folder]).docs()
            for doc_id in committed:
                kept[str(doc_id)] = current.get(str(doc_id))
    data = {"generation": generation, "max_id": store.max_id, "meta": meta, "before": before}
    atomic_write_bytes(store.home / FILE, dump_json(data))


def start(store: Store, generation: int) -> None:
    """Before an import writes its first new papers' shard: undo what an
    earlier import of this session left unfinished, then write a journal
    with nothing to put back (every record above ``max_id`` goes on a rollback)."""
    clear_left(store)
    begin(store, generation, store._meta, {})


def clear_left(store: Store) -> None:
    """The journal an earlier import of this session left (its writes failed
    and so did putting things back): remove it if that import landed, else
    roll it back."""
    left = read(store)
    if left is None:
        return
    if left["generation"] == store.generation:
        finish(store)
    else:
        roll_back(store, left, meta_readable=True)


def finish(store: Store) -> None:
    """Remove the journal (the import landed, or was rolled back)."""
    path = store.home / FILE
    boundary(f"unlink {FILE}")
    try:
        path.unlink()
    except FileNotFoundError:
        return
    boundary(f"unlinked {FILE}")
    fsync_dir(store.home)


def roll_back(store: Store, journal: dict, meta_readable: bool) -> None:
    """Undo an import that did not land (idempotent; see the module docstring)."""
    top = journal["max_id"]
    for folder, table in TABLES.items():
        changes: dict[int, dict[int, dict | None]] = {}
        for doc_id, record in journal["before"].get(folder, {}).items():
            changes.setdefault(layout.shard_of(int(doc_id)), {})[int(doc_id)] = record
        for shard in layout.shards(store.home, folder):
            if shard >= layout.shard_of(top + 1):
                docs = store._table(layout.shard_path(store.home, folder, shard), table).docs()
                for doc_id in docs:
                    if int(doc_id) > top:
                        changes.setdefault(shard, {})[int(doc_id)] = None
        for shard, docs in sorted(changes.items()):
            path = layout.shard_path(store.home, folder, shard)
            current = store._table(path, table).docs()
            needed = {i: r for i, r in docs.items() if current.get(str(i)) != r}
            if not needed:
                continue
            if folder == layout.STATE:
                store._table(path, table).put(needed)
            else:
                store.write_shard(path, table, needed)
    if not meta_readable and journal["meta"] is not None:
        store._table(store.home / layout.META, "meta").put({1: journal["meta"]})
    finish(store)


def overlay(journal: dict) -> dict[str, dict[int, dict | None]]:
    """For a read-only open: folder -> doc id -> the record to show instead."""
    return {folder: {int(i): r for i, r in records.items()} for folder, records in journal["before"].items()}


def remove_temp_files(store: Store) -> int:
    """Remove the temp files a killed atomic write leaves (``.NAME.*.tmp``)
    in the store's folders; the writer's open calls it. Returns how many."""
    removed = 0
    for folder in (store.home, *(store.home / name for name in TABLES)):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(".") and name.endswith(".tmp") and name.count(".") >= 3 and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                    removed += 1
                except OSError:
                    pass
    return removed
