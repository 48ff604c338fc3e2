"""Note histories, device local (issue 13: "keep the other in the note's
history, shown in the reader as 'also edited on <device> at <time>'").

The fold (:class:`~paperqueue.core.sync.merge.Merged`) knows every note
version a concurrent edit left behind, but it lives in ``sync-merged``
form, read whole by a sync. After each sync, :func:`save_note_histories`
writes what the reader needs, and only that: for each paper that has a
concurrent version, its texts and stamps, newest first, in
``note-history.json`` (atomic; never synced: every device rebuilds it from
its own fold). A store with no concurrent note edit gets no file.

:func:`load_note_history` is what the reader calls (from a worker): one
stat, and the file parsed again only when it changed. A missing file is no
history; a damaged one is set aside as ``note-history.json.<time>.corrupt``
(never deleted; the next sync writes a new one) and read as empty.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from paperqueue.core.atomic import CorruptFileError, atomic_write_bytes, dump_json, read_json, set_aside
from paperqueue.core.sync.changes import BATCH
from paperqueue.core.sync.hlc import parse_stamp
from paperqueue.core.sync.merge import Merged, NoteVersion

FILE = "note-history.json"
VERSION = 1

_lock = threading.Lock()
_saved = 0  # histories saved by this process: the reader asks again after a sync
_cache: dict[Path, tuple[tuple[int, int, int], dict[str, list[NoteVersion]]]] = {}  # path -> (signature, histories)


def save_note_histories(home: Path, merged: Merged, key_of: Callable[[str], str] | None = None) -> int:
    """Write the note history of every paper in ``merged`` that has one;
    returns how many papers have one. ``key_of``: the store's key for a
    key the fold names (a paper known here under another key, or merged
    into another); their versions go together. Nothing is written when none
    has one and there is no file yet."""
    groups: dict[str, list[str]] = {}
    for key in merged.noted():  # only keys whose note changed can have a history
        if not key.startswith(BATCH):
            groups.setdefault(key_of(key) if key_of is not None else key, []).append(key)
    histories: dict[str, list[list[str]]] = {}
    for here, keys in groups.items():
        if len(keys) == 1:
            versions = merged.note_history(keys[0])
        else:  # one paper under several keys: one history over all their versions
            one = Merged()
            one.apply(replace(change, key=here) for key in keys for change in merged.note_changes(key))
            versions = one.note_history(here)
        if versions:
            histories[here] = [[version.text, version.stamp.text()] for version in versions]
    path = Path(home) / FILE
    if not histories and not path.exists():
        return 0
    atomic_write_bytes(path, dump_json({"version": VERSION, "notes": histories}))
    global _saved
    with _lock:
        _saved += 1
    return len(histories)


def saved_generation() -> int:
    """How many times this process saved note histories (no I/O): a reader
    that asked before a save asks again."""
    return _saved


def load_note_history(home: Path, key: str, *, set_aside: bool = True) -> list[NoteVersion]:
    """The concurrent versions of ``key``'s note, newest first ([] when
    none). Blocking (a stat, a read when the file changed): call it from a
    worker. ``set_aside``: move a damaged file out of the way (only a
    paperqueue that may write the store should)."""
    return _histories(Path(home) / FILE, set_aside).get(key, [])


def _signature(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_mtime_ns, info.st_size, info.st_ino


def _histories(path: Path, set_aside: bool) -> dict[str, list[NoteVersion]]:
    try:
        signature = _signature(os.stat(path))
    except FileNotFoundError:
        with _lock:
            _cache.pop(path, None)
        return {}
    except OSError:
        return {}
    with _lock:
        cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        histories = _parse(read_json(path))
    except (CorruptFileError, OSError):
        histories = None
    if histories is None:
        if set_aside:
            _set_aside(path)
        return {}
    with _lock:
        _cache[path] = (signature, histories)
    return histories


def _parse(data: object) -> dict[str, list[NoteVersion]] | None:
    """The histories ``data`` holds, ``None`` when it is not of the shape
    :func:`save_note_histories` writes."""
    if data is None:
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("notes"), dict):
        return None
    found: dict[str, list[NoteVersion]] = {}
    for key, entries in data["notes"].items():
        if not isinstance(entries, list):
            return None
        versions = []
        for entry in entries:
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
                return None
            stamp = parse_stamp(entry[1])
            if stamp is None:
                return None
            versions.append(NoteVersion(entry[0], stamp))
        found[key] = versions
    return found


def _set_aside(path: Path) -> None:
    try:
        set_aside(path)
    except OSError:
        pass  # left where it is: read as empty, the next sync replaces it
    with _lock:
        _cache.pop(path, None)
