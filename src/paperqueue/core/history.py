"""The action log: every change to the person's state, for undo and redo.

``history.jsonl`` beside the store is append-only, one JSON object a line:

    {"seq": 7, "at": "...Z", "kind": "do", "label": "Starred 1 paper",
     "changes": [[key, before_state_record, after_state_record], ...]}
    {"seq": 8, "at": "...Z", "kind": "undo", "target": 7}
    {"seq": 9, "at": "...Z", "kind": "redo", "target": 7}
    {"seq": 10, "at": "...Z", "kind": "note", "label": "Imported x.bib: 3 new"}
    {"kind": "sync", "seq": 10}

The log is written (and fsynced) before the store, and a ``sync`` line
follows once the store holds everything up to ``seq``. On open, what came
after the last ``sync`` is applied again (it is idempotent), so after any
crash log and store agree; a torn last line is dropped. The undo and redo
stacks are rebuilt by replaying the log. When the file grows large it is
rewritten (atomically) with the last :data:`DEPTH` undoable actions, the
redo stack and recent notes.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from paperqueue.core.atomic import atomic_write_bytes, fsync_dir
from paperqueue.core.clock import Clock, utc_now
from paperqueue.core.models import PaperState

if TYPE_CHECKING:
    from paperqueue.core.store import Store

FILE = "history.jsonl"
DEPTH = 1000  # undo levels kept
_COMPACT_BYTES = 16 * 1024 * 1024
_COMPACT_LINES = 4 * DEPTH
_KEPT_NOTES = 200

Change = tuple[str, dict, dict]  # key, state before, state after (records)


@dataclass
class Action:
    seq: int
    at: str
    label: str
    changes: list[Change] = field(default_factory=list)

    def states(self, after: bool) -> dict[str, PaperState]:
        return {key: PaperState.from_record(a if after else b) for key, b, a in self.changes}


class History:
    def __init__(self, home: Path, clock: Clock = utc_now) -> None:
        self.path = home / FILE
        self.clock = clock
        self.undo_stack: list[Action] = []
        self.redo_stack: list[Action] = []
        self.timeline: list[tuple[str, str]] = []  # (at, label) of everything done, oldest first
        self.seq = 0
        self.synced = 0
        self._lines = 0
        self._pending: list[bytes] = []
        self._lock = threading.RLock()
        self.loaded = False

    # -- reading the log -------------------------------------------------------

    def in_sync(self) -> bool:
        """Whether the log ends with a ``sync`` line (the store holds it all):
        a cheap look at the tail, so a clean start need not read the log."""
        try:
            with self.path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - 256))
                tail = handle.read()
        except FileNotFoundError:
            return True
        last = tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        return tail.endswith(b"\n") and last.startswith(b'{"kind":"sync"')

    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.load()

    def load(self) -> list[dict]:
        """Replay the log; returns the records written after the last sync
        (to apply to the store again). Drops a torn last line."""
        self.loaded = True
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        if raw and not raw.endswith(b"\n"):
            # A torn last line: the write never finished, so it never counted.
            raw = raw[: raw.rfind(b"\n") + 1]
            self._truncate(len(raw))
        records = []
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a damaged line in the middle: skip it, keep the rest
            if isinstance(record, dict):
                records.append(record)
        self._lines = len(records)
        unsynced: list[dict] = []
        for record in records:
            self._replay(record)
            if record.get("kind") == "sync":
                self.synced = max(self.synced, int(record.get("seq", 0)))
                unsynced = []
            elif record.get("kind") in ("do", "undo", "redo"):
                unsynced.append(record)
        return [r for r in unsynced if int(r.get("seq", 0)) > self.synced]

    def _truncate(self, size: int) -> None:
        with self.path.open("r+b") as handle:
            handle.truncate(size)
            handle.flush()
            os.fsync(handle.fileno())

    def _replay(self, record: dict) -> None:
        kind = record.get("kind")
        seq = int(record.get("seq", 0))
        self.seq = max(self.seq, seq)
        if kind == "do":
            action = Action(seq, str(record.get("at", "")), str(record.get("label", "")), [tuple(c) for c in record.get("changes", [])])
            self.undo_stack.append(action)
            self.redo_stack.clear()
            self.timeline.append((action.at, action.label))
        elif kind == "undo" and self.undo_stack and self.undo_stack[-1].seq == record.get("target"):
            action = self.undo_stack.pop()
            self.redo_stack.append(action)
            self.timeline.append((str(record.get("at", "")), f"Undid: {action.label}"))
        elif kind == "redo" and self.redo_stack and self.redo_stack[-1].seq == record.get("target"):
            action = self.redo_stack.pop()
            self.undo_stack.append(action)
            self.timeline.append((str(record.get("at", "")), f"Redid: {action.label}"))
        elif kind == "note":
            self.timeline.append((str(record.get("at", "")), str(record.get("label", ""))))

    def effect(self, record: dict) -> dict[str, PaperState]:
        """The states a log record sets (to apply again after a crash)."""
        kind = record.get("kind")
        if kind == "do":
            return {key: PaperState.from_record(after) for key, _before, after in record.get("changes", [])}
        target = record.get("target")
        for action in (*self.undo_stack, *self.redo_stack):
            if action.seq == target:
                return action.states(after=(kind == "redo"))
        return {}

    # -- recording ---------------------------------------------------------------

    def _append(self, record: dict) -> None:
        self._pending.append(orjson.dumps(record))

    def record(self, label: str, changes: list[Change]) -> Action:
        """A new undoable action (clears the redo stack). Durable after :meth:`write`."""
        with self._lock:
            self.ensure_loaded()
            self.seq += 1
            action = Action(self.seq, self.clock(), label, changes)
            self.undo_stack.append(action)
            self.redo_stack.clear()
            self.timeline.append((action.at, label))
            self._append({"seq": action.seq, "at": action.at, "kind": "do", "label": label, "changes": changes})
            return action

    def note(self, label: str) -> None:
        """Something worth showing in the history that cannot be undone (an import)."""
        with self._lock:
            self.ensure_loaded()
            self.seq += 1
            at = self.clock()
            self.timeline.append((at, label))
            self._append({"seq": self.seq, "at": at, "kind": "note", "label": label})

    def undo(self) -> Action | None:
        return self._move(self.undo_stack, self.redo_stack, "undo", "Undid")

    def redo(self) -> Action | None:
        return self._move(self.redo_stack, self.undo_stack, "redo", "Redid")

    def _move(self, source: list[Action], target: list[Action], kind: str, verb: str) -> Action | None:
        with self._lock:
            self.ensure_loaded()
            if not source:
                return None
            action = source.pop()
            target.append(action)
            self.seq += 1
            at = self.clock()
            self.timeline.append((at, f"{verb}: {action.label}"))
            self._append({"seq": self.seq, "at": at, "kind": kind, "target": action.seq})
            return action

    # -- writing -----------------------------------------------------------------

    def write(self) -> int:
        """Append pending records durably (call from a worker, before the
        store is flushed); returns the last sequence number written."""
        with self._lock:
            pending, self._pending = self._pending, []
            seq = self.seq
        if not pending:
            return seq
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            with self.path.open("ab") as handle:
                handle.write(b"".join(line + b"\n" for line in pending))
                handle.flush()
                os.fsync(handle.fileno())
            if new:
                fsync_dir(self.path.parent)
        except BaseException:
            with self._lock:
                self._pending[:0] = pending
            raise
        self._lines += len(pending)
        return seq

    def mark_synced(self, seq: int) -> None:
        """The store now holds everything up to ``seq`` (no fsync needed: a
        lost sync line only means some work is redone after a crash)."""
        if seq <= self.synced:
            return
        with self.path.open("ab") as handle:
            handle.write(orjson.dumps({"kind": "sync", "seq": seq}) + b"\n")
        self.synced = seq
        self._lines += 1
        if self._lines > _COMPACT_LINES or self.path.stat().st_size > _COMPACT_BYTES:
            self.compact()

    def compact(self) -> None:
        """Rewrite the log with what undo, redo and the log screen still need."""
        with self._lock:
            if self._pending:
                return  # not everything is on disk yet; try again later
            keep = self.undo_stack[-DEPTH:]
            self.undo_stack[:] = keep
            out = [{"seq": a.seq, "at": a.at, "kind": "do", "label": a.label, "changes": a.changes} for a in keep]
            # The redo stack is rebuilt by "doing" then "undoing" its actions.
            for action in reversed(self.redo_stack):
                out.append({"seq": action.seq, "at": action.at, "kind": "do", "label": action.label, "changes": action.changes})
            for action in self.redo_stack:
                out.append({"seq": self.seq, "at": action.at, "kind": "undo", "target": action.seq})
            out.append({"kind": "sync", "seq": self.synced})
            data = b"".join(orjson.dumps(r) + b"\n" for r in out)
            atomic_write_bytes(self.path, data)
            self._lines = len(out)
            self.timeline[:] = self.timeline[-(_KEPT_NOTES + DEPTH):]


def repair(store: Store, history: History) -> int:
    """Load ``history`` and apply to ``store`` what the log holds but the
    store may not (a crash between the two writes). Returns how many
    logged actions were applied again."""
    if history.in_sync():
        return 0  # nothing to repair; the log is read later, when first needed
    unsynced = history.load()
    if not unsynced:
        return 0
    store.load_rest()
    for record in unsynced:
        for key, state in history.effect(record).items():
            if key in store.papers:
                store.set_state(key, state)
    store.flush()
    history.mark_synced(history.seq)
    return len(unsynced)
