"""The writer's sync hook (folder mode, issue 13): each recorded action's
field changes, stamped, logged with the action and appended to this
device's own files once the log line is durable (``exported`` in
``sync.json``; what a crash or an unreachable folder kept back is caught up
from the log).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from paperqueue.core import log_file
from paperqueue.core.models import PaperState
from paperqueue.core.sync.changes import BATCH, NOTE, Change, batch_changes_of, changes_of, encode, undo_changes
from paperqueue.core.sync.hlc import HLC, Stamp, parse_stamp
from paperqueue.core.sync.merge import Merged
from paperqueue.core.sync.own_files import append_lines, compact_own
from paperqueue.core.sync.reading import load_merged
from paperqueue.core.sync.settings import Settings, SyncError, load_settings, save_settings


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


__all__ = ["Emitter", "open_emitter", "sync_id", "unexported"]
