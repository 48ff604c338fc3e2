"""Following the store from a read-only second app, while another process
(the writer) holds the lock and changes it.

Reading never writes and never takes the lock. A look costs a few
``stat`` calls: ``meta.json`` (an import's commit point; a batch renamed or
deleted), ``history.jsonl`` (every save by the writer appends to it), the
``state/`` folder (each state write renames a temp file into it) and
``import.journal`` (present only while an import lands). When they moved:

- an import is landing (the journal is there): wait; its files are not
  the queue until ``meta.json`` is written;
- the writer is mid-save (the log does not end in a ``sync`` line) and the
  files moved since the last look: wait one more look, so a star spread
  over several state shards is never shown half done (a log that ends in
  a note line stops waiting once the files hold still);
- ``meta.json`` moved: the whole store is to be read again (:attr:`Update.reopen`);
- else only the state shards whose files changed are read again, and
  :attr:`Update.states` holds every paper whose state differs from memory.

A file is only ever seen whole (every write is a temp file renamed over
the old one); one that cannot be read (being replaced, damaged) makes the
look return ``None`` and the next look tries again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from paperqueue.core import log_file
from paperqueue.core.atomic import CorruptFileError, read_json
from paperqueue.core.lock import Note
from paperqueue.core.models import PaperState
from paperqueue.core.store import layout
from paperqueue.core.store.fold import settled
from paperqueue.core.store.shape import check
from paperqueue.core.store.store import Store

HISTORY = "history.jsonl"
JOURNAL = "import.journal"

FileStat = tuple[int, int, int] | None  # inode, size, mtime in ns; None: not there


def _stat(path: Path) -> FileStat:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


@dataclass(frozen=True)
class Stamp:
    meta: FileStat
    history: FileStat
    journal: FileStat
    state: FileStat  # the folder: a rename into it changes its mtime

    @classmethod
    def of(cls, home: Path) -> Stamp:
        return cls(
            _stat(home / layout.META),
            _stat(home / HISTORY),
            _stat(home / JOURNAL),
            _stat(home / layout.STATE),
        )


def state_files(home: Path) -> dict[int, FileStat]:
    """Each state shard's file and how it stands now."""
    found: dict[int, FileStat] = {}
    try:
        entries = list(os.scandir(home / layout.STATE))
    except OSError:
        return found
    for entry in entries:
        stem, dot, ext = entry.name.partition(".")
        if stem.isdigit() and dot and ext == "json":
            try:
                info = entry.stat()
            except OSError:
                continue
            found[int(stem)] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return found


@dataclass
class Update:
    """What changed since the last accepted look."""

    stamp: Stamp
    files: dict[int, FileStat]
    reopen: bool = False  # read the whole store again (an import landed, batches changed)
    states: dict[str, PaperState] = field(default_factory=dict)  # papers whose state is new


class Follow:
    """Looks at a store another process writes (see the module's docstring).

    Make it *before* reading the store it follows, so that nothing written
    between the two is missed (it is read again at the first look instead).
    """

    def __init__(self, home: Path) -> None:
        self.home = home
        self._seen = Stamp.of(home)
        self._files = state_files(home)
        self._last = self._seen
        self._shard_keys: dict[int, list[str]] = {}  # papers by state shard, for the store below
        self._keyed: tuple[int, int] = (0, -1)  # that store (its id) and how many papers it had

    def look(self, store: Store) -> Update | None:
        """What changed since the last accepted look, or ``None`` (nothing,
        or nothing that can be shown whole yet). Call from a worker; only
        reads. ``store`` is the read-only store on screen (its states are
        compared, not changed)."""
        now = Stamp.of(self.home)
        if now == self._seen:
            self._last = now
            return None
        steady, self._last = now == self._last, now
        if now.journal is not None:
            return None  # an import is landing: not the queue until it commits
        if not steady and not log_file.in_sync(self.home / HISTORY):
            return None  # the writer is between its log line and its sync line
        files = state_files(self.home)
        if now.meta != self._seen.meta:
            return Update(now, files, reopen=True)
        if not store.complete:
            return None  # which paper a state belongs to needs the whole index
        changed = {shard for shard in files.keys() | self._files.keys() if files.get(shard) != self._files.get(shard)}
        try:
            states = self._read_states(store, changed, files)
        except (OSError, CorruptFileError):
            return None  # being replaced, or damaged: keep what is shown, look again
        return Update(now, files, states=states)

    def accept(self, update: Update) -> None:
        """``update`` was read in full: the next look starts from it."""
        self._seen = self._last = update.stamp
        self._files = update.files

    def _read_states(self, store: Store, shards: set[int], files: dict[int, FileStat]) -> dict[str, PaperState]:
        read: dict[str, PaperState] = {}
        for shard in sorted(shards):
            if shard not in files:
                continue  # the file is gone: every state it held is back to nothing
            path = layout.shard_path(self.home, layout.STATE, shard)
            data = read_json(path) or {}
            if not isinstance(data, dict):
                raise CorruptFileError(path, "not a TinyDB document")
            check(path, "state", data)
            for doc_id, record in data.get("state", {}).items():
                if "fold" in record or store.aliases:
                    record = settled(record, store.aliases) or {}
                key = record.get("key")
                if isinstance(key, str) and int(doc_id) <= store.max_id:
                    read[key] = PaperState.from_record(record)
        new: dict[str, PaperState] = {}
        nothing = PaperState()
        by_shard = self._keys_by_shard(store)
        for shard in shards:
            for key in by_shard.get(shard, ()):
                state = read.get(key, nothing)
                if store.states.get(key, nothing) != state:
                    new[key] = state
        return new

    def _keys_by_shard(self, store: Store) -> dict[int, list[str]]:
        """Which papers each state shard holds (built once per store read,
        so a star costs one shard, not a pass over 100,000 papers)."""
        if self._keyed != (id(store), len(store.papers)):
            by_shard: dict[int, list[str]] = {}
            size = layout.SHARD_SIZE
            for key, paper in list(store.papers.items()):
                by_shard.setdefault((paper.id - 1) // size, []).append(key)
            self._shard_keys, self._keyed = by_shard, (id(store), len(store.papers))
        return self._shard_keys


def writer_gone(home: Path) -> bool:
    """Whether the process that held the lock let it go. Where the kernel
    tells (``/proc/locks``), whether anyone holds a lock on the lock file;
    elsewhere, whether the file is empty (a holder empties it when it
    leaves), missing, or names a process that is not running (killed).
    Only reads: never takes the lock, so it cannot stand in the way of a
    paperqueue starting meanwhile."""
    path = home / layout.LOCK
    held = _flock_held(path)
    if held is not None:
        return not held
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        raw = os.pread(fd, 64, 0)
    except OSError:
        return False
    finally:
        os.close(fd)
    note = Note.parse(raw)
    if not note.text:
        return True
    if note.pid is None:
        return False
    try:
        os.kill(note.pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _flock_held(path: Path) -> bool | None:
    """Whether some process holds a flock on ``path`` (Linux: ``/proc/locks``;
    a killed holder not yet reaped holds none), or ``None`` where that cannot
    be told. Matched by inode alone: a lock on a file of another device with
    the same inode counts as held, which only delays the offer to take over."""
    try:
        inode = str(os.stat(path).st_ino)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and "->" not in fields and fields[5].rsplit(":", 1)[-1] == inode:
            return True
    return False
