"""Where each part of the store lives, and how papers are split into shards.

    meta.json            layout, generation, count and highest committed paper id;
                         written last by an import: its commit point
    index/NNNNN.json     the list index: one small record per paper (key, title,
                         arXiv id, links, batch), SHARD_SIZE papers per file
    abstracts/NNNNN.json abstracts, same shards (by paper id)
    state/NNNNN.json     stars and read marks, same shards
    settings.json        view, highlighted paper, sort, theme
    import.journal       only while an import runs: what it overwrites (journal.py);
                         new papers' shards are written while the file is read (chunks.py)
    search.sqlite        derived full-text index, rebuilt when missing/stale
    similar.bin          derived "more like this" index (TF-IDF), same rules
    history.jsonl        the action log behind undo and redo
    requests/            imports handed from the command line to the open app
    queue.lock           the writer lock

Paper ids grow with each import, so an import touches only the last
shards, and a star rewrites one state shard of at most SHARD_SIZE entries.
The app opens the newest index shards first and paints from them, then
reads the rest in the background.
"""

from __future__ import annotations

from pathlib import Path

LAYOUT = 2
SHARD_SIZE = 1024

META = "meta.json"
INDEX = "index"
ABSTRACTS = "abstracts"
STATE = "state"
SETTINGS = "settings.json"
SEARCH = "search.sqlite"
LOCK = "queue.lock"

# The first layout (one papers.json with abstracts, one state.json).
V1_PAPERS = "papers.json"
V1_STATE = "state.json"


def holds_store(home: Path) -> bool:
    """Whether ``home`` holds any store file, even one set aside as damaged,
    the journal of an unfinished import or the action log (else: a first run)."""
    try:
        names = [entry.name for entry in home.iterdir()]
    except OSError:
        return False
    for name in names:
        if name.startswith((META, V1_PAPERS, V1_STATE, "import.journal", "history.jsonl")):
            return True
        if name in (INDEX, ABSTRACTS, STATE) and any((home / name).iterdir()):
            return True
    return False


def shard_of(doc_id: int) -> int:
    return (doc_id - 1) // SHARD_SIZE


def shard_path(home: Path, folder: str, shard: int) -> Path:
    return home / folder / f"{shard:05d}.json"


def shards(home: Path, folder: str) -> list[int]:
    """Shard numbers present in ``folder``, ascending."""
    found = []
    for path in (home / folder).glob("*.json"):
        if path.stem.isdigit():
            found.append(int(path.stem))
    return sorted(found)


def batch_info(raw: object) -> dict[int, dict]:
    """Import batches from ``meta.json`` (an early layout kept only start ids)."""
    info: dict[int, dict] = {}
    for batch, value in raw.items() if isinstance(raw, dict) else ():
        if isinstance(value, dict):
            info[int(batch)] = value
        elif isinstance(value, int):
            info[int(batch)] = {"start": value}
    return info


def head_shards(batches: dict[int, dict], max_id: int, head: int, present: list[int]) -> set[int]:
    """Index shards holding the first ``head`` rows in newest-first order: the
    start of the newest import, then of the one before, and so on."""
    starts = {b: info["start"] for b, info in batches.items() if info.get("start")}
    if not starts:
        return set(present)
    wanted: set[int] = set()
    remaining = head
    next_start = max_id + 1
    for batch in sorted(starts, reverse=True):
        start = starts[batch]
        end = min(next_start, start + remaining)
        wanted.update(range(shard_of(start), shard_of(max(start, end - 1)) + 1))
        remaining -= end - start
        next_start = start
        if remaining <= 0:
            break
    return wanted & set(present)
