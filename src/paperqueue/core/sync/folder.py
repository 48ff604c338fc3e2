"""Sync through a shared folder (issue 13, folder mode): the files.

Only active in a data folder where ``paperqueue sync init`` wrote
``sync.json``; without it nothing here runs and no file is made.

Device-local files, beside the store (never in the shared folder):

- ``sync.json``: mode, shared folder, device id, ``exported`` (every log
  record up to this ``seq`` has had its sync lines appended to the shared
  folder), ``papers`` (every paper up to this id has had its paper line
  appended, or was landed from another device), the clock's last stamp,
  the last sync time.
- ``sync-positions.json``: a byte position per file read, and the keys of
  papers changes named that this store does not hold yet (``pending``:
  applied when the paper arrives).
- ``sync-merged.jsonl``: the fold of every change read (its ``kept()``
  lines), so a sync reads only what is new.

Shared folder: ``<folder>/<device>/000001.jsonl``, one change a line,
appended only (a torn last line left by a crash is closed with a newline
before the next append, never cut or rewritten). Every ``*.jsonl`` under
every device folder is read, conflict copies included; a name starting
with ``.`` (a syncer's temporary file) is not.

Order on ``sync``: own unexported changes are appended; every file is read
from its position; the changed fields are applied to the store as one
logged action (the writer's order: log, then store); then the fold cache,
then the positions. A crash anywhere re-reads from the old positions, and
folding again is harmless.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from paperqueue.core import log_file
from paperqueue.core.atomic import CorruptFileError, atomic_write_bytes, make_private_dirs, read_json, set_aside
from paperqueue.core.crashpoints import boundary
from paperqueue.core.models import PaperState
from paperqueue.core.sync.changes import (
    BATCH, NOTE, Change, PaperLine, batch_changes_of, changes_of, decode, decode_chunk,
    encode, encode_paper, undo_changes,
)
from paperqueue.core.sync.hlc import HLC, Stamp, parse_stamp, valid_device
from paperqueue.core.sync.merge import Merged

SETTINGS = "sync.json"
POSITIONS = "sync-positions.json"
MERGED = "sync-merged.jsonl"
FIRST_FILE = "000001.jsonl"


class SyncError(Exception):
    """A sync that cannot go on; its message is one line for the person."""


@dataclass
class Settings:
    mode: str
    folder: str
    device: str
    exported: int = 0
    clock: str | None = None
    last_sync: str | None = None
    compacted: int = 0  # bytes the last compaction wrote (the next waits until the files are twice that)
    papers: int = 0  # paper ids up to this one have been exported (or were landed from another device)
    generation: int = 0  # store generation up to which papers an import changed (``Paper.gen``) were sent again

    def record(self) -> dict:
        record = {"mode": self.mode, "folder": self.folder, "device": self.device, "exported": self.exported,
                  "clock": self.clock, "last_sync": self.last_sync}
        if self.compacted:
            record["compacted"] = self.compacted
        if self.papers:
            record["papers"] = self.papers
        if self.generation:
            record["generation"] = self.generation
        return record

    @property
    def own(self) -> Path:
        return Path(self.folder) / self.device


def configured(home: Path) -> bool:
    """Whether ``home`` is set up for sync (one stat)."""
    return (home / SETTINGS).exists()


def load_settings(home: Path) -> Settings | None:
    """The settings, ``None`` when sync was never set up here."""
    path = home / SETTINGS
    if not path.exists():
        return None
    try:
        record = read_json(path)
    except (OSError, ValueError, CorruptFileError):
        record = None
    if (not isinstance(record, dict) or record.get("mode") != "folder" or not isinstance(record.get("folder"), str)
            or not valid_device(record.get("device")) or type(record.get("exported", 0)) is not int):
        raise SyncError(f"{path} is damaged; set sync up again with paperqueue sync init")
    clock = record.get("clock")
    last = record.get("last_sync")
    compacted = record.get("compacted", 0)
    papers = record.get("papers", 0)
    generation = record.get("generation", 0)
    return Settings("folder", record["folder"], record["device"], record.get("exported", 0),
                    clock if isinstance(clock, str) else None, last if isinstance(last, str) else None,
                    compacted if type(compacted) is int and compacted > 0 else 0,
                    papers if type(papers) is int and papers > 0 else 0,
                    generation if type(generation) is int and generation > 0 else 0)


def save_settings(home: Path, settings: Settings) -> None:
    atomic_write_bytes(home / SETTINGS, orjson.dumps(settings.record(), option=orjson.OPT_INDENT_2) + b"\n",
                       new_mode=0o600)


def new_device_id() -> str:
    """The host name as a slug, and random hex (two copies of one store get two ids)."""
    slug = re.sub(r"[^a-z0-9]+", "-", socket.gethostname().casefold()).strip("-")[:40] or "device"
    return f"{slug}-{secrets.token_hex(3)}"


# -- writing own changes -----------------------------------------------------------------


def append_lines(own: Path, lines: list[bytes]) -> None:
    """Append whole lines to this device's newest file and fsync them; a
    torn tail (a crash mid-append) is closed with a newline first, so it
    stays one bad line that readers skip."""
    if not lines:
        return
    if not own.parent.is_dir():  # an unmounted disk: never make the folder in its place
        raise FileNotFoundError(2, "the sync folder is not there", str(own.parent))
    make_private_dirs(own)
    files = generations(own)
    append_bytes(files[-1] if files else own / FIRST_FILE, b"".join(lines), "sync")


def append_bytes(path: Path, data: bytes, label: str) -> None:
    """Append ``data`` (whole lines) to ``path`` (made private if new, never
    through a link) and fsync it; a torn tail is closed with a newline
    first. ``label`` names the crash test boundaries."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as handle:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":
                    data = b"\n" + data
        view = memoryview(data)
        boundary(f"append {label}")
        while view:
            view = view[os.write(fd, view):]
        boundary(f"fsync {label}")
        os.fsync(fd)
        boundary(f"fsynced {label}")
    finally:
        os.close(fd)


def generations(own: Path) -> list[Path]:
    """This device's numbered files, oldest first (conflict copies are not generations)."""
    return sorted(p for p in own.iterdir() if p.name[:6].isdigit() and p.name[6:] == ".jsonl")


COMPACT_AT = 4 << 20  # bytes of own files before the first compaction


def compact_threshold() -> int:
    try:
        return max(1, int(os.environ.get("PAPERQUEUE_SYNC_COMPACT_AT", COMPACT_AT)))
    except ValueError:
        return COMPACT_AT


def compact_own(settings: Settings, home: Path, threshold: int | None = None) -> bool:
    """When this device's files have grown past ``threshold`` bytes (and to
    twice what the last compaction wrote), or a killed compaction left more
    than one generation, write the next generation with
    what they fold to (:meth:`Merged.kept`: each field's last value and the
    note versions nobody continued), then save the size in ``sync.json``,
    then delete the older generations. The new file is written under a
    temporary ``.``-name and renamed (readers skip such names); no file is
    rewritten in place. A crash before the deletes leaves both generations:
    readers fold both (folding again is harmless) and the next compaction
    takes them all. A reader whose file was deleted reads the new one from
    its start. Call under the writer's io lock (nothing may append meanwhile).
    True when it compacted."""
    own = settings.own
    if threshold is None:
        threshold = compact_threshold()
    entries = list(own.iterdir())
    for leftover in entries:  # a temporary file a killed compaction left
        if leftover.name.startswith(".") and leftover.name.endswith(".tmp"):
            boundary("compact clean")
            leftover.unlink(missing_ok=True)
    files = sorted(p for p in entries if p.name[:6].isdigit() and p.name[6:] == ".jsonl")
    if not files or (len(files) == 1 and files[0].stat().st_size <= max(threshold, 2 * settings.compacted)):
        return False  # (more than one generation: a killed compaction left the old one; finish it)
    merged = Merged()
    papers: dict[str, PaperLine] = {}  # the latest paper line of each key
    for path in files:
        found: list[PaperLine] = []
        merged.apply(decode_chunk(path.read_bytes(), found)[0])
        for line in found:
            kept = papers.get(line.key)
            if kept is None or line.stamp > kept.stamp:
                papers[line.key] = line
        del found
    data = b"".join([*(encode_paper(line) for line in sorted(papers.values(), key=lambda line: line.stamp)),
                     *(encode(change) for change in sorted(merged.kept(), key=lambda change: (change.stamp, change.key,
                                                                                             change.field)))])
    target = own / f"{int(files[-1].name[:6]) + 1:06d}.jsonl"
    atomic_write_bytes(target, data, new_mode=0o600)  # temporary name, fsync, rename, fsync the folder
    settings.compacted = len(data)
    save_settings(home, settings)
    for path in files:
        boundary("compact delete")
        path.unlink(missing_ok=True)
    boundary("compacted")
    return True


class Emitter:
    """The writer's hook: stamps each recorded action's field changes and
    exports them to the shared folder once their log record is durable."""

    def __init__(self, home: Path, settings: Settings) -> None:
        self.home = home
        self.settings = settings
        self.clock = HLC(settings.device, last=parse_stamp(settings.clock))
        self._merged: Merged | None = None
        self._notes: dict[str, Stamp] = {}  # note versions this session made

    # stamping (under the writer's lock)

    def _note_base(self, key: str) -> Stamp | None:
        if key in self._notes:
            return self._notes[key]
        if self._merged is None:
            self._merged = load_merged(self.home)
        return self._merged.note_stamp(key)

    def _lines(self, changes: list[Change]) -> list[str]:
        for change in changes:
            if change.field == NOTE and not change.key.startswith(BATCH):
                self._notes[change.key] = change.stamp
        return [encode(change)[:-1].decode("utf-8", "surrogatepass") for change in changes]  # no newline

    def _batch(self, batch: int, info: dict | None = None) -> str:
        """The batch's sync id: the one it was landed under (``sync_id`` in
        its info), else this device's own ``<device>-<number>``."""
        return sync_id(self.settings.device, batch, info)

    def do_lines(self, states: Iterable, batches: Iterable = ()) -> list[str]:
        """Sync lines of an action: ``states`` its ``(key, before, after)``
        records, ``batches`` its ``(batch, info before, info after)``."""
        planned = []
        for key, before, after in states:
            old, new = PaperState.from_record(before), PaperState.from_record(after)
            if old != new:
                planned.append((key, old, new))
        batch_list = list(batches)
        if not planned and not batch_list:
            return []
        bases = {key: self._note_base(key) for key, old, new in planned if old.note != new.note}
        for base in bases.values():
            if base is not None:
                self.clock.observe(base)
        stamp = self.clock.now()
        out: list[Change] = []
        for key, old, new in planned:
            out += changes_of(old, new, key, stamp=stamp, note_base=bases.get(key))
        for batch, before, after in batch_list:
            out += batch_changes_of(self._batch(batch, after or before), before, after, stamp=stamp)
        return self._lines(out)

    def undo_lines(self, action, *, redo: bool) -> list[str]:  # noqa: ANN001 - a history.Action
        batches = [(self._batch(b, after or before), before, after) for b, before, after in action.batches]
        return self._lines(undo_changes(action.changes, self.clock, redo=redo, batches=batches,
                                        note_base=self._note_base))

    # exporting (under the writer's io lock)

    def export(self, log: Path, base: int, written: int, lines: list[str]) -> bool:
        """Append ``lines`` (the records past ``base`` up to ``written``)
        and, when the last export stopped before ``base``, the lines of the
        log's records in between first. False when the folder could not be
        written (kept for the next time; nothing is lost: the log holds them)."""
        if written <= self.settings.exported:
            self._compact()
            return True
        try:
            if self.settings.exported < base:
                lines = unexported(log, self.settings.exported, base) + lines
            append_lines(self.settings.own, [line.encode("utf-8", "surrogatepass") + b"\n" for line in lines])
            self.settings.exported = written
            self.settings.clock = self.clock.last.text() if self.clock.last else self.settings.clock
            save_settings(self.home, self.settings)
        except OSError:
            return False
        self._compact()
        return True

    def _compact(self) -> None:
        try:
            compact_own(self.settings, self.home)
        except OSError:
            pass  # the files stay as they were; the next save tries again


def sync_id(device: str, batch: int, info: dict | None) -> str:
    """A batch's sync id (see :meth:`Emitter._batch`)."""
    landed = info.get("sync_id") if info else None
    return landed if isinstance(landed, str) and landed else f"{device}-{batch}"


def unexported(log: Path, after: int, upto: int | None = None) -> list[str]:
    """The sync lines of the log's records numbered past ``after`` (up to ``upto``)."""
    records, _skipped = log_file.read_records(log, repair=False)
    found: list[str] = []
    for record in records:
        if record["kind"] in ("do", "undo", "redo") and record["seq"] > after and (upto is None or record["seq"] <= upto):
            lines = record.get("sync")
            if isinstance(lines, list):
                found += [line for line in lines if isinstance(line, str)]
    return found


def open_emitter(home: Path) -> Emitter | None:
    """The hook for a store set up for sync, else ``None`` (one stat).
    A damaged ``sync.json`` turns emitting off: the log still holds every
    change, exported once sync is set up again."""
    try:
        settings = load_settings(home)
    except (SyncError, OSError):
        return None
    return Emitter(home, settings) if settings is not None else None


# -- reading everyone's changes ------------------------------------------------------


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
class Positions:
    files: dict[str, int] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, home: Path) -> Positions:
        try:
            record = read_json(home / POSITIONS)
        except (ValueError, CorruptFileError):
            record = False
        except OSError:
            record = None
        if record is not None and not isinstance(record, dict):
            try:
                set_aside(home / POSITIONS)  # kept, never deleted
            except OSError:
                pass
        if not isinstance(record, dict):
            return cls()  # read every file again from the start: folding again is harmless
        files = record.get("files")
        pending = record.get("pending")
        return cls({k: v for k, v in files.items() if isinstance(v, int) and v >= 0} if isinstance(files, dict) else {},
                   {k for k in pending if isinstance(k, str)} if isinstance(pending, list) else set())

    def save(self, home: Path) -> None:
        atomic_write_bytes(home / POSITIONS, orjson.dumps({"files": self.files, "pending": sorted(self.pending)}),
                           new_mode=0o600)


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
    replaced by a syncer: read again from the start."""
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
    for owner in owners:
        for path in sorted(owner.iterdir()):
            if not _sync_file(path.name) or not path.is_file():
                continue
            name = f"{owner.name}/{path.name}"
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


__all__ = ["Emitter", "Positions", "Settings", "SyncError", "applied_state", "configured", "decode",
           "load_settings", "open_emitter", "read_new", "save_settings"]
