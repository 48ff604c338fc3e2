"""Where each part of the store lives, and how papers are split into shards.

    index.json           the list index: one small record per paper, plus meta
    abstracts/NNNNN.json abstracts, SHARD_SIZE papers per file (by paper id)
    state/NNNNN.json     stars and read marks, same shards
    settings.json        view, highlighted paper, sort, theme
    search.sqlite        derived full-text index, rebuilt when missing/stale
    queue.lock           the writer lock

Paper ids grow with each import, so an import touches only the last
shards, and a star rewrites one state shard of at most SHARD_SIZE entries.
"""

from __future__ import annotations

from pathlib import Path

LAYOUT = 2
SHARD_SIZE = 1024

INDEX = "index.json"
ABSTRACTS = "abstracts"
STATE = "state"
SETTINGS = "settings.json"
SEARCH = "search.sqlite"
LOCK = "queue.lock"

# The first layout (one papers.json with abstracts, one state.json).
V1_PAPERS = "papers.json"
V1_STATE = "state.json"


def shard_of(doc_id: int) -> int:
    return (doc_id - 1) // SHARD_SIZE


def shard_path(home: Path, folder: str, shard: int) -> Path:
    return home / folder / f"{shard:05d}.json"
