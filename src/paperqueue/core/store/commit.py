"""Landing an import on disk, in the order that makes it all-or-nothing:
abstract and state shards, then index shards, then ``meta.json``. Papers
above the committed ``max_id`` are invisible, so a crash before the last
write leaves the queue as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperqueue.core.store import layout
from paperqueue.core.text import one_line

if TYPE_CHECKING:
    from paperqueue.core.store.merge import Merge, Progress
    from paperqueue.core.store.store import Store


def commit(store: Store, merge: Merge, progress: Progress | None, name: str, now: str) -> None:
    """Write one import: abstracts and index first, ``meta.json`` last (the
    commit point), then update the store in memory."""
    shards: dict[int, dict[int, dict]] = {}
    for doc_id, record in merge.details.items():
        shards.setdefault(layout.shard_of(doc_id), {})[doc_id] = record
    for number, (shard, docs) in enumerate(sorted(shards.items()), start=1):
        store.write_shard(layout.shard_path(store.home, layout.ABSTRACTS, shard), "abstracts", docs)
        if progress:
            progress("writing", number, len(shards) + 1)
    papers = {**merge.changed, **merge.new}
    if not papers and not merge.states:
        return
    state_shards: dict[int, dict[int, dict]] = {}
    for key, state in merge.states.items():
        paper = merge.new.get(key) or store.papers[key]
        state_shards.setdefault(layout.shard_of(paper.id), {})[paper.id] = {"key": key, **state.to_record()}
    for shard, docs in sorted(state_shards.items()):
        store._table(layout.shard_path(store.home, layout.STATE, shard), "state").put(docs)
    index_shards: dict[int, dict[int, dict]] = {}
    for paper in papers.values():
        index_shards.setdefault(layout.shard_of(paper.id), {})[paper.id] = paper.to_record()
    for shard, docs in sorted(index_shards.items()):
        store.write_shard(layout.shard_path(store.home, layout.INDEX, shard), "papers", docs)
    generation = store.generation + 1
    count = len(store.papers) + len(merge.new)
    max_id = max([store.max_id, *(paper.id for paper in merge.new.values())])
    batches = dict(store.batch_info)
    batches.update(merge.named_batches)  # batches named in a paperqueue JSON export
    batches[merge.batch] = {
        "name": one_line(name) or f"import {merge.batch}",  # file names can carry escape codes
        "added_at": now,
        "start": min((paper.id for paper in merge.new.values()), default=None),
    }
    meta = {
        "layout": layout.LAYOUT,
        "generation": generation,
        "count": count,
        "max_id": max_id,
        "batches": {str(b): info for b, info in sorted(batches.items())},
    }
    store._table(store.home / layout.META, "meta").put({1: meta})  # the commit point
    with store._lock:
        store.generation, store.count, store.max_id = generation, count, max_id
        store.batch_info = batches
        store.identity()
        for key, paper in papers.items():
            store.papers[key] = paper
            store._index(paper, merge.normalised.get(key))
        store.states.update(merge.states)
    merge.result.generation = generation
