"""Moving a store from the first layout (one ``papers.json`` holding the
abstracts, one ``state.json``) to the sharded layout, keeping everything.

The new files are written first and the index last; only then are the old
files renamed to ``*.v1`` (kept, never deleted). A crash at any point
leaves either the old layout intact or a complete new one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from paperqueue.core.atomic import CorruptFileError, read_json
from paperqueue.core.crashpoints import boundary
from paperqueue.core.models import Paper
from paperqueue.core.store import layout
from paperqueue.core.store.tables import TableFile


def _retire(home: Path) -> list[str]:
    kept = []
    for name in (layout.V1_PAPERS, layout.V1_STATE):
        path = home / name
        if path.exists():
            boundary(f"rename {name}")
            path.replace(path.with_name(name + ".v1"))
            boundary(f"renamed {name}")
            kept.append(name + ".v1")
    return kept


def _read(path: Path, table: str, set_aside: Callable[[Path], Path], notes: list[str]) -> dict:
    try:
        data = read_json(path) or {}
    except CorruptFileError:
        aside = set_aside(path)
        notes.append(f"{path.name} was not valid JSON; moved it to {aside.name}")
        return {}
    docs = data.get(table, {}) if isinstance(data, dict) else {}
    return docs if isinstance(docs, dict) else {}


def _write(path: Path, table: str, docs: dict[int, dict], **other: dict) -> None:
    target = TableFile(path, table)
    target.put(docs, **other)
    target.close()


def migrate_v1(home: Path, set_aside: Callable[[Path], Path]) -> list[str]:
    """Migrate ``home`` if it holds the first layout; returns notes for the user."""
    if not (home / layout.V1_PAPERS).exists():
        return []
    if (home / layout.META).exists():  # migrated, but the old files were not renamed yet
        _retire(home)
        return []
    notes: list[str] = []
    papers = _read(home / layout.V1_PAPERS, "papers", set_aside, notes)
    states = _read(home / layout.V1_STATE, "state", set_aside, notes)
    index: dict[int, dict[int, dict]] = {}
    abstracts: dict[int, dict[int, dict]] = {}
    ids: dict[str, int] = {}
    for doc_id, record in papers.items():
        if not isinstance(record, dict) or "key" not in record:
            continue
        paper = Paper.from_record(record, int(doc_id))
        index.setdefault(layout.shard_of(paper.id), {})[paper.id] = paper.to_record()
        ids[paper.key] = paper.id
        shard = abstracts.setdefault(layout.shard_of(paper.id), {})
        shard[paper.id] = {"key": paper.key, "abstract": str(record.get("abstract", ""))}
    state_shards: dict[int, dict[int, dict]] = {}
    for record in states.values():
        doc_id = ids.get(record.get("key")) if isinstance(record, dict) else None
        if doc_id is not None:
            state_shards.setdefault(layout.shard_of(doc_id), {})[doc_id] = record
    for shard, docs in abstracts.items():
        _write(layout.shard_path(home, layout.ABSTRACTS, shard), "abstracts", docs)
    for shard, docs in state_shards.items():
        _write(layout.shard_path(home, layout.STATE, shard), "state", docs)
    for shard, docs in index.items():
        _write(layout.shard_path(home, layout.INDEX, shard), "papers", docs)
    count = sum(map(len, index.values()))
    max_id = max((i for docs in index.values() for i in docs), default=0)
    batches: dict[str, dict] = {}
    for docs in index.values():
        for doc_id, record in docs.items():
            info = batches.setdefault(str(record.get("batch", 0)), {"start": doc_id, "added_at": record.get("added_at")})
            info["start"] = min(info["start"], doc_id)
    meta = {"layout": layout.LAYOUT, "generation": 1, "count": count, "max_id": max_id, "batches": batches}
    _write(home / layout.META, "meta", {1: meta})
    kept = _retire(home)
    notes.append(
        f"Moved the queue ({count} papers, {sum(map(len, state_shards.values()))} with stars or read marks) "
        f"to the sharded file layout; the old files are kept as {' and '.join(kept)}"
    )
    return notes
