"""The bytes of the action log (``history.jsonl``): reading its lines,
checking their shape, a cheap look at whether it ends in sync, and
appending so that a failed append never leaves a fragment. What the lines
mean (undo, redo, repair) is :mod:`paperqueue.core.history`'s business."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import orjson

from paperqueue.core.atomic import check_regular, open_append
from paperqueue.core.crashpoints import boundary

KINDS = ("do", "undo", "redo", "note", "sync", "took")  # took: changes read from another device


def in_sync(path: Path) -> bool:
    """Whether the log ends in a sync line appended right after the bytes
    before it (its ``end`` is where it starts): nothing was logged after the
    records it covers. Anything else (no log: True; an older sync line
    below a record, a sync line without ``end``: False) means the whole log
    must be read."""
    try:
        check_regular(path)
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 256))
            tail = handle.read()
    except FileNotFoundError:
        return True
    if not tail.endswith(b"\n"):
        return False
    last = tail[:-1].rsplit(b"\n", 1)[-1]
    try:
        record = orjson.loads(last)
    except orjson.JSONDecodeError:
        return False
    return isinstance(record, dict) and record.get("kind") == "sync" and record.get("end") == size - len(last) - 1


def read_records(path: Path, *, repair: bool = True) -> tuple[list[dict], int]:
    """The log's records in order, and how many lines were skipped as
    damaged or of the wrong shape. A torn last line (a write that never
    finished, so never counted) is left out, and with ``repair`` (only the
    writer may) cut from the file; a line repeated exactly (an old retried
    write) counts once. A missing log is empty."""
    try:
        check_regular(path)  # a FIFO must not hang the start
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    if raw and not raw.endswith(b"\n"):
        raw = raw[: raw.rfind(b"\n") + 1]
        if repair:
            _truncate(path, len(raw))
    records = []
    skipped = 0
    seen: set[tuple] = set()
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = valid(orjson.loads(line))
        except orjson.JSONDecodeError:
            record = None
        if record is None:
            skipped += 1
            continue
        identity = (record["kind"], record["seq"], record.get("target"))
        if identity in seen and record["kind"] != "sync":
            continue
        seen.add(identity)
        records.append(record)
    return records, skipped


def valid(record: object) -> dict | None:
    """``record`` if it has the shape of a log line (``seq`` filled in for
    notes and sync lines that lack it), else ``None``."""
    if not isinstance(record, dict):
        return None
    kind = record.get("kind")
    seq = record.get("seq", 0 if kind in ("sync", "note") else None)
    if kind not in KINDS or type(seq) is not int or seq < 0:
        return None
    if kind in ("undo", "redo") and type(record.get("target")) is not int:
        return None
    for name in ("at", "label"):
        if name in record and not isinstance(record[name], str):
            return None
    if kind in ("do", "took") or (kind in ("undo", "redo") and "changes" in record):
        changes = record.get("changes", [])
        if not isinstance(changes, list) or not all(_change(c) for c in changes):
            return None
    return {**record, "seq": seq}


def _change(change: object) -> bool:
    return (
        isinstance(change, list)
        and len(change) == 3
        and isinstance(change[0], str)
        and isinstance(change[1], dict)
        and isinstance(change[2], dict)
    )


def _truncate(path: Path, size: int) -> None:
    check_regular(path)
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        boundary("truncate history")
        os.ftruncate(fd, size)
        os.fsync(fd)
        boundary("truncated history")
    finally:
        os.close(fd)


class Appender:
    """Appends to the log, never leaving a fragment: a failed append is cut
    back to where it started before the error propagates, or, if even that
    fails, before the next append."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._torn: int | None = None  # a failed append left bytes past this size

    @property
    def torn(self) -> bool:
        return self._torn is not None

    def append(self, make: Callable[[int], bytes], *, sync: bool) -> None:
        """Append ``make(size)`` (``size``: the offset it starts at); fsync
        with ``sync``. The file is private, regular and never reached
        through a link (see :func:`paperqueue.core.atomic.open_append`)."""
        fd = open_append(self.path)
        try:
            size = os.fstat(fd).st_size
            if self._torn is not None and self._torn <= size:
                boundary("truncate history")
                os.ftruncate(fd, self._torn)
                os.fsync(fd)
                boundary("truncated history")
                size = self._torn
            self._torn = None
            try:
                view = memoryview(make(size))
                boundary("append history")
                while view:
                    view = view[os.write(fd, view):]
                if sync:
                    boundary("fsync history")
                    os.fsync(fd)
                    boundary("fsynced history")
            except BaseException:
                self._torn = size
                try:
                    boundary("cutting back history")
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                    boundary("cut back history")
                    self._torn = None
                except OSError:
                    pass
                raise
        finally:
            os.close(fd)
