"""Landing an import on disk, in the order that makes it all-or-nothing:
the rollback journal (:mod:`journal`: the records of committed papers the
import overwrites), abstract and state shards, index shards, then
``meta.json`` (the commit point), then the journal is removed. Most new
papers' shards are already on disk by then (written while reading, after
a first journal: :mod:`chunks`); the commit writes the last ones. Papers above
the committed ``max_id`` are invisible and the journal puts committed
papers back, so a crash or a failed write before the commit point leaves
the queue as it was.

Within a step the shard files are written by a few threads at once: each
write is atomic and fsynced on its own, and waiting for the disk releases
the GIL, so a 100k import (about 200 files) waits for the disk a few
files at a time instead of one by one. A step starts when the one before
it has fully landed."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from paperqueue.core.models import PaperState
from paperqueue.core.store import journal, layout
from paperqueue.core.store.fold import resolve, settle_folds, tidy_folds
from paperqueue.core.text import one_line

if TYPE_CHECKING:
    from paperqueue.core.store.merge import Merge, Progress
    from paperqueue.core.store.store import Store


def commit(store: Store, merge: Merge, progress: Progress | None, name: str, now: str, refresh: bool = True,
           batch_extra: dict | None = None) -> None:
    """Write one import: the journal, abstracts, states and index, then
    ``meta.json`` (the commit point), then update the store in memory.

    With ``refresh`` the new papers are read into ``store.papers`` and the
    identity indexes at once (the app shows them); without, only when
    next needed (:meth:`Store.load_rest`, :meth:`Store.identity`): a command
    that closes the store right after never holds them."""
    chunks = merge.chunks
    new_details, new_index, new_states = chunks.take()
    opens_batch = (bool(merge.new) or bool(merge.logged.unhidden) or merge.make_batch) and merge.join is None
    if not opens_batch and merge.join is None:
        _join_no_batch(store, merge)
    if not merge.new and not merge.changed and not merge.states and not merge.folds and not merge.details \
            and not chunks.written and not new_details and not new_index and not new_states \
            and merge.aliases == store.aliases:
        if not opens_batch:
            merge.result.batch = 0
        return
    shards: dict[int, dict[int, dict | None]] = new_details
    for doc_id, record in merge.details.items():
        shards.setdefault(layout.shard_of(doc_id), {})[doc_id] = record
    total = len(shards) + 1

    def report(number: int) -> None:
        if progress:
            progress("writing", number, total)

    # New papers' state records come from the chunks; built here only for
    # papers already in the queue.
    state_shards: dict[int, dict[int, dict | None]] = new_states
    undoable = []  # known papers' state changes (--restore), for the action log
    for key, state in merge.states.items():
        if key not in merge.folds:  # folds are not undone (see fold.py)
            before = store.states.get(key, _NO_STATE)
            if before != state:
                undoable.append((key, before.to_record(), state.to_record()))
        doc_id = store.papers[key].id
        record = {"key": key, **state.to_record()}
        if key in merge.folds:  # believed once meta.json names the aliases (fold.py)
            was = store.states.get(key)
            record.update(fold=merge.folds[key], was={"key": key, **was.to_record()} if was else None)
        state_shards.setdefault(layout.shard_of(doc_id), {})[doc_id] = record
    index_shards: dict[int, dict[int, dict | None]] = new_index
    for paper in merge.changed.values():
        if merge.mark_changed:
            paper.gen = chunks.generation  # what this import filled in or joined: a sync sends it again
        record = paper.to_record()
        if paper.key in merge.folds:
            record.update(fold=merge.folds[paper.key], was=store.papers[paper.key].to_record())
        index_shards.setdefault(layout.shard_of(paper.id), {})[paper.id] = record
    generation = chunks.generation
    gone = [key for keys in merge.folds.values() for key in keys]
    count = len(store.papers) + len(merge.new) - len(gone)
    first_new = min(merge.new.values(), default=None)
    max_id = max([store.max_id, max(merge.new.values(), default=0), *merge.spent_ids])
    # Batches as meta.json holds them: memory may hold a batch change whose
    # log record is not durable yet (the writer writes it after the record).
    on_disk = layout.batch_info((store._meta or {}).get("batches")) if store._meta is not None else dict(store.batch_info)
    created: dict[int, dict] = {}
    if opens_batch:
        created.update(merge.named_batches)  # batches named in a paperqueue JSON export
        created[merge.batch] = {
            **(batch_extra or {}),  # what made it (a fetch: its subscription)
            "name": one_line(name) or f"import {merge.batch}",  # file names can carry escape codes
            "added_at": now,
            "start": first_new,
        }
    batches = {**on_disk, **created}
    meta = {
        "layout": layout.LAYOUT,
        "generation": generation,
        "count": count,
        "max_id": max_id,
        "batches": {str(b): info for b, info in sorted(batches.items())},
    }
    aliases = {old: resolve(into, merge.folded) for old, into in merge.aliases.items()}
    aliases.update((key, merge.folded[key]) for key in gone)
    aliases = {old: into for old, into in aliases.items() if old != into}
    if aliases:
        meta["aliases"] = aliases
    if not chunks.started:
        # An earlier import of this session that failed may have left its journal.
        journal.clear_left(store)
    journal.begin(store, generation, store._meta, {
        layout.ABSTRACTS: shards, layout.STATE: state_shards, layout.INDEX: index_shards,
    })
    try:
        _write_all([_shard_writer(store, layout.ABSTRACTS, "abstracts", shard, docs)
                    for shard, docs in sorted(shards.items())], report)
        for shard, docs in sorted(state_shards.items()):
            store._table(layout.shard_path(store.home, layout.STATE, shard), "state").put(docs)
        _write_all([_shard_writer(store, layout.INDEX, "papers", shard, docs)
                    for shard, docs in sorted(index_shards.items())])
        store._table(store.home / layout.META, "meta").put({1: meta})  # the commit point
    except BaseException:
        undo(store)
        raise
    merge.landed = True
    store._meta, store._meta_dirty = meta, False
    try:
        journal.finish(store)
    except OSError:
        pass  # the next open (or import) sees meta.json holds this generation
    old_max = store.max_id
    with store._lock:
        store.generation, store.count, store.max_id = generation, count, max_id
        store.batch_info = {**store.batch_info, **created}
        store.identity()
        for key, paper in merge.changed.items():
            store.papers[key] = paper
            store._index(paper)
        if first_new is not None and refresh:
            store.add_new_shards(range(layout.shard_of(first_new), layout.shard_of(max_id) + 1), old_max)
        store.states.update(merge.states.items())
        if first_new is not None:
            _read_new_states(store, old_max, max_id)
        if gone:
            settle_folds(store, merge, gone, aliases)
        store.aliases = aliases
    merge.result.generation = generation
    merge.logged.state_changes = undoable
    # Undoing the import deletes the batches it made; redoing brings them back.
    merge.logged.batch_changes = [(batch, {**info, "deleted": True}, info) for batch, info in sorted(created.items())]
    merge.logged.batch = merge.batch if opens_batch else 0
    if not opens_batch:
        merge.result.batch = 0
    if gone:
        tidy_folds(store, merge, gone)
    if first_new is not None and not refresh:
        store.forget_index()


_NO_STATE = PaperState()


def _join_no_batch(store: Store, merge: Merge) -> None:
    """An import that brings no new paper (and shows no hidden one again)
    makes no batch: the known papers it names join none, and a paper that
    only joined it is not written again."""
    joined = {merge.batch, *merge.named_batches}
    for key, paper in list(merge.changed.items()):
        kept = tuple(b for b in paper.batches if b not in joined)
        paper.batches = kept or (paper.batch,)
        if key not in merge.folds and paper == store.papers.get(key):
            del merge.changed[key]
    merge.named_batches.clear()


def _read_new_states(store: Store, above: int, max_id: int) -> None:
    """After an import committed: its new papers' states (ids above
    ``above``), from their shards, one at a time."""
    from paperqueue.core.models import PaperState

    for shard in range(layout.shard_of(above + 1), layout.shard_of(max_id) + 1):
        path = layout.shard_path(store.home, layout.STATE, shard)
        if not path.exists():
            continue
        table = store._tables.pop(path, None) or store._table(path, "state")
        docs = table.docs()
        table.close()
        for doc_id, record in docs.items():
            key = record.get("key")
            if above < int(doc_id) <= max_id and isinstance(key, str):
                store.states[key] = PaperState.from_record(record)


def undo(store: Store) -> None:
    """After a failed write, put the committed papers back at once (best
    effort: if that fails too, the journal stays and the next open does it)."""
    left = journal.read(store)
    if left is None:
        return
    try:
        journal.roll_back(store, left, meta_readable=True)
    except (OSError, ValueError):
        pass


_WRITERS = 4  # shard files written at once


def _shard_writer(store: Store, folder: str, table: str, shard: int, docs: dict[int, dict]) -> Callable[[], None]:
    path = layout.shard_path(store.home, folder, shard)
    return lambda: store.write_shard(path, table, docs)


def _write_all(writes: list[Callable[[], None]], done: Callable[[int], None] | None = None) -> None:
    """Run ``writes`` a few at a time; return when all have landed, raising
    the first failure (in order) after the others have finished."""
    if len(writes) <= 1:
        for number, write in enumerate(writes, start=1):
            write()
            if done:
                done(number)
        return
    with ThreadPoolExecutor(_WRITERS, thread_name_prefix="shard-writer") as pool:
        futures = [pool.submit(write) for write in writes]
        for number, future in enumerate(futures, start=1):
            future.result()
            if done:
                done(number)
