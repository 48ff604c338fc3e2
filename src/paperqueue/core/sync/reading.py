"""Reading everyone's changes from the shared folder (folder mode, issue 13).

Every ``*.jsonl`` under every device folder is read from its position
(:class:`~.positions.Positions`), conflict copies included; a name
starting with ``.`` (a syncer's temporary file) is not. What was read is
folded into ``sync-merged.jsonl`` (device-local, beside the store: the
fold of every change read, its :meth:`~.merge.Merged.kept` lines), so a
sync reads only what is new.

Order on ``sync`` (:func:`.run.sync_folder`): own unexported changes are
appended; every file is read from its position; the changed fields are
applied to the store as one logged action (the writer's order: log, then
store); then the fold cache, then the positions. A crash anywhere
re-reads from the old positions, and folding again is harmless.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from paperqueue.core.atomic import atomic_write_bytes
from paperqueue.core.models import PaperState
from paperqueue.core.sync.changes import Change, PaperLine, encode
from paperqueue.core.sync.decoding import decode_chunk
from paperqueue.core.sync.hlc import valid_device
from paperqueue.core.sync.merge import Merged
from paperqueue.core.sync.own_files import append_bytes
from paperqueue.core.sync.positions import Positions
from paperqueue.core.sync.settings import SyncError

MERGED = "sync-merged.jsonl"


def _sync_file(name: str) -> bool:
    return name.endswith(".jsonl") and not name.startswith(".")


def load_merged(home: Path) -> Merged:
    """The fold the cache file holds (its ``lines``: how many lines it has)."""
    merged = Merged()
    try:
        data = (home / MERGED).read_bytes()
    except FileNotFoundError:
        return merged
    changes, skipped, _used = decode_chunk(data)
    merged.apply(changes)
    merged.lines = len(changes) + skipped
    return merged


@dataclass
class Read:
    changes: list[Change]
    devices: set[str]  # other devices whose files held something new
    skipped: int
    positions: dict[str, int]
    papers: list[PaperLine] = field(default_factory=list)  # other devices' paper lines
    lines: list[bytes] = field(default_factory=list)  # the lines of ``changes``, as read (newline-ended runs)


READ_BLOCK = 8 << 20  # bytes of a sync file read at a time


def read_new(folder: Path, positions: Positions, device: str) -> Read:
    """Every whole line past each file's position, in every device folder
    (conflict copies are more files). A file shorter than its position was
    replaced by a syncer: read again from the start. The positions of files
    gone from a device folder that is there (an older generation its device
    compacted away) are dropped; a device folder missing altogether (a
    syncer halfway) keeps its positions."""
    changes: list[Change] = []
    papers: list[PaperLine] = []
    lines: list[bytes] = []
    devices: set[str] = set()
    skipped = 0
    moved = dict(positions.files)
    try:
        owners = sorted(entry for entry in folder.iterdir() if entry.is_dir() and valid_device(entry.name))
    except FileNotFoundError:
        raise SyncError(f"the sync folder {folder} is not there (is the disk or the syncer's folder missing?)") from None
    present: set[str] = set()
    for owner in owners:
        for path in sorted(owner.iterdir()):
            if not _sync_file(path.name) or not path.is_file():
                continue
            name = f"{owner.name}/{path.name}"
            present.add(name)
            start = positions.files.get(name, 0)
            theirs = owner.name != device
            before = len(papers)
            found: list[Change] = []
            with path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                if size < start:
                    start = 0
                handle.seek(start)
                used = 0
                held = b""
                while block := handle.read(READ_BLOCK):  # a first sync's file of 100k paper lines: never whole
                    data = held + block
                    whole: list[bytes] = []
                    some, bad, taken = decode_chunk(data, papers if theirs else None, whole)  # own paper lines: this store's
                    if whole:
                        lines.append(b"\n".join(whole) + b"\n")
                    found += some
                    skipped += bad
                    used += taken
                    held = data[taken:]
            moved[name] = start + used
            changes += found
            if (found or len(papers) > before) and theirs:
                devices.add(owner.name)
    listed = {owner.name for owner in owners}
    moved = {name: at for name, at in moved.items() if name in present or name.partition("/")[0] not in listed}
    return Read(changes, devices, skipped, moved, papers, lines)


def devices_seen(folder: Path) -> list[str]:
    try:
        return sorted(e.name for e in folder.iterdir() if e.is_dir() and valid_device(e.name))
    except OSError:
        return []


def applied_state(state: PaperState, merged: Merged, key: str) -> PaperState:
    """``state`` with every field the fold knows set as the fold says
    (fields no change named are left as they are): :meth:`Merged.applied`."""
    return merged.applied(state, key)


def write_merged(home: Path, merged: Merged, lines: list[bytes] | None = None) -> None:
    """Keep the fold in ``sync-merged.jsonl``. With ``lines`` (the change
    lines a sync read, :attr:`Read.lines`; ``merged``: the file's fold with
    those changes applied) they are appended: folding the file then gives
    ``merged`` again (folding is idempotent and order-free). The file is
    written anew from :meth:`Merged.kept` (atomically) without ``lines``,
    and once it holds more than twice the lines the fold keeps (changes
    that lost, lines read twice after a crash). A torn append (a crash) is
    one bad line a load skips; the positions are saved after this, so the
    next sync reads its changes again."""
    if lines is not None:
        count = merged.lines + sum(chunk.count(b"\n") for chunk in lines)
        if count <= max(2 * merged.size(), REWRITE_MERGED_AT):
            if lines:
                append_bytes(home / MERGED, b"".join(lines), "merged")
            merged.lines = count
            return
    data = b"".join(encode(change) for change in merged.kept())
    atomic_write_bytes(home / MERGED, data, new_mode=0o600)
    merged.lines = data.count(b"\n")


REWRITE_MERGED_AT = 4096  # lines in sync-merged.jsonl below which it is only ever appended to


__all__ = ["MERGED", "READ_BLOCK", "REWRITE_MERGED_AT", "Read", "applied_state", "devices_seen", "load_merged",
           "read_new", "write_merged"]
