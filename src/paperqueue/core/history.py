"""The action log: every change to the person's state, for undo and redo.

``history.jsonl`` beside the store is append-only, one JSON object a line:

    {"seq": 7, "at": "...Z", "kind": "do", "label": "Starred 1 paper",
     "changes": [[key, before_state_record, after_state_record], ...]}
    {"seq": 8, "at": "...Z", "kind": "undo", "target": 7}
    {"seq": 9, "at": "...Z", "kind": "redo", "target": 7}
    {"seq": 10, "at": "...Z", "kind": "do", "label": "Imported x.bib: 3 new, ...",
     "changes": [], "batches": [[4, batch_info_before, batch_info_after]]}
    {"seq": 11, "at": "...Z", "kind": "note", "label": "Imported the bundled sample: 79 new"}
    {"seq": 12, "at": "...Z", "kind": "took", "label": "Synced 2 papers from laptop-1a2b3c",
     "changes": [[key, before, after], ...]}
    {"kind": "sync", "seq": 12, "end": 412}

A ``took`` record holds changes read from another device (``paperqueue
sync``): applied, and applied again after a crash, exactly like a ``do``,
shown in the history, but never on the undo or redo stack, so ``u`` right
after a sync undoes this device's last action and a sync keeps the redo
stack. Compaction folds it into its label (its states are in the store by
then), kept like a note.

Undo and redo set, on the current state, only the fields the action
changed (:func:`moved_fields`): a field another device changed in between
(a ``took``) keeps its new value. When that differs from the action's
whole before-state (after-state, for redo), the ``undo``/``redo`` record
carries ``changes`` like a ``do``, and a replay sets those.

An action may also change import batches (renamed, deleted, made by an
import): ``batches`` holds ``[batch, info before, info after]`` with the
batch's whole ``meta.json`` record (``"deleted": true`` hides the papers no
live batch holds); undo applies the before-infos, redo the after-infos,
exactly as for the states. An import is such an action (its batches, and
the known papers' states ``--restore`` changed): undoing it deletes its
batch. Logs written before this kept imports as ``note`` records (shown,
not undoable); they still load.

One writer (:mod:`paperqueue.core.writer`) appends, in order: records are
fsynced before the store is written, and a ``sync`` line follows once the
store holds every action up to ``seq`` (``end``: the byte offset the line
starts at, so a quick look at the tail can tell that nothing came after the
records it covers). On open, every action numbered past the highest sync is
applied again in order (it is idempotent), wherever the sync lines are, so
after any crash log and store agree; a torn last line is dropped, and a
failed append is cut back to the last whole line before anything else is
written. The undo and redo
stacks are rebuilt by replaying the log. When the file grows large it is
rewritten (atomically) with the last :data:`DEPTH` undoable actions, the
redo stack and recent notes; never while a store set up for sync has
records whose sync lines did not go out yet (``sync.json``'s ``exported``
behind the log): compaction drops the sync lines of undo and redo records
and of actions past the undo depth, and those would never reach the other
devices.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from paperqueue.core import log_file
from paperqueue.core.actions import Action, BatchChange, Change, batch_changes, moved_fields, sync_lines
from paperqueue.core.atomic import atomic_write_bytes
from paperqueue.core.clock import Clock, utc_now
from paperqueue.core.models import PaperState

if TYPE_CHECKING:
    from paperqueue.core.store import Store

FILE = "history.jsonl"
DEPTH = 1000  # undo levels kept
_COMPACT_BYTES = 16 * 1024 * 1024
_COMPACT_LINES = 4 * DEPTH
_KEPT_NOTES = 200


class History:
    """The log file and the undo/redo stacks it replays into.

    Recording (:meth:`record`, :meth:`note`, :meth:`undo`, :meth:`redo`) only
    touches memory and queues the record; :meth:`write` appends what is
    queued, in order, and makes it durable. Only one thread writes at a time
    (``_io``), so appends, sync lines and compaction never interleave.
    """

    def __init__(self, home: Path, clock: Clock = utc_now, *, read_only: bool = False) -> None:
        self.path = home / FILE
        self.clock = clock
        # Read-only (another paperqueue writes the log): a torn last line is
        # that writer's append in progress, never cut from the file here.
        self.read_only = read_only
        self.undo_stack: list[Action] = []
        self.redo_stack: list[Action] = []
        self.timeline: list[tuple[str, str]] = []  # (at, label) of everything done, oldest first
        self.seq = 0
        self.synced = 0
        self.skipped = 0  # lines read that were damaged or of the wrong shape
        self._lines = 0
        self._pending: list[tuple[int, bytes]] = []  # (seq, line) recorded, not yet durable
        self._notes: list[dict] = []  # recent notes, kept by compaction
        self._file = log_file.Appender(self.path)
        self._effects: dict[int, tuple[dict[str, PaperState], dict[int, dict]]] = {}  # what each unsynced action set (load)
        self._lock = threading.RLock()  # memory: stacks, seq, pending
        self._io = threading.RLock()  # the file: one writer at a time
        self.loaded = False

    # -- reading the log -------------------------------------------------------

    def in_sync(self) -> bool:
        """Whether the store holds everything the log holds (a look at the
        tail, so a clean start need not read the log; see :func:`log_file.in_sync`)."""
        return log_file.in_sync(self.path)

    def ensure_loaded(self) -> None:
        if not self.loaded:
            with self._io:
                if not self.loaded:
                    self.load()

    def load(self) -> list[dict]:
        """Replay the log; returns every action record numbered past the
        highest sync line (to apply to the store again, in order), wherever
        the sync lines are. Drops a torn last line; skips lines that are
        damaged or of the wrong shape (counted in :attr:`skipped`)."""
        with self._io, self._lock:
            self.loaded = True
            records, self.skipped = log_file.read_records(self.path, repair=not self.read_only)
            self._lines = len(records)
            synced = max((r["seq"] for r in records if r["kind"] == "sync"), default=0)
            self.synced = max(self.synced, synced)
            unsynced = []
            for record in records:
                if record["kind"] in _ACTIONS and record["seq"] > self.synced:
                    # What it set, as the stacks stand at this point of the log
                    # (a later action may clear the redo stack it targets).
                    self._effects[record["seq"]] = self._effect_now(record)
                    unsynced.append(record)
                self._replay(record)
            return unsynced

    def _replay(self, record: dict) -> None:
        kind = record["kind"]
        seq = record["seq"]
        self.seq = max(self.seq, seq)
        at = str(record.get("at", ""))
        if kind == "do":
            action = Action(seq, at, str(record.get("label", "")), [tuple(c) for c in record.get("changes", [])],
                            batch_changes(record), sync_lines(record))
            self.undo_stack.append(action)
            self.redo_stack.clear()
            self.timeline.append((action.at, action.label))
        elif kind == "undo" and self.undo_stack and self.undo_stack[-1].seq == record["target"]:
            action = self.undo_stack.pop()
            self.redo_stack.append(action)
            self.timeline.append((at, f"Undid: {action.label}"))
        elif kind == "redo" and self.redo_stack and self.redo_stack[-1].seq == record["target"]:
            action = self.redo_stack.pop()
            self.undo_stack.append(action)
            self.timeline.append((at, f"Redid: {action.label}"))
        elif kind in ("note", "took"):
            self.timeline.append((at, str(record.get("label", ""))))
            self._keep_note({"seq": seq, "at": at, "kind": kind, "label": str(record.get("label", ""))})

    def _keep_note(self, record: dict) -> None:
        self._notes.append(record)
        if len(self._notes) > 2 * _KEPT_NOTES:
            del self._notes[:-_KEPT_NOTES]

    def effect(self, record: dict) -> dict[str, PaperState]:
        """The states a log record returned by :meth:`load` sets (to apply
        again after a crash)."""
        return self._effect(record)[0]

    def batch_effect(self, record: dict) -> dict[int, dict]:
        """The batch infos a log record returned by :meth:`load` sets."""
        return self._effect(record)[1]

    def _effect(self, record: dict) -> tuple[dict[str, PaperState], dict[int, dict]]:
        known = self._effects.get(record.get("seq"))  # type: ignore[arg-type]
        if known is not None:
            return known
        return self._effect_now(record)

    def _effect_now(self, record: dict) -> tuple[dict[str, PaperState], dict[int, dict]]:
        kind = record.get("kind")
        if kind in ("do", "took"):
            states = {key: PaperState.from_record(after) for key, _before, after in record.get("changes", [])}
            return states, {batch: dict(after) for batch, _before, after in batch_changes(record)}
        stack = self.undo_stack if kind == "undo" else self.redo_stack
        if stack and stack[-1].seq == record.get("target"):
            after = kind == "redo"
            states = stack[-1].states(after=after)
            if "changes" in record:  # field by field: what the undo set on the state it found
                states = {key: PaperState.from_record(new) for key, _found, new in record["changes"]}
            return states, stack[-1].batch_infos(after=after)
        return {}, {}  # undoes nothing (as replay: a repeated or stray line)

    # -- recording ---------------------------------------------------------------

    def _append(self, record: dict) -> None:
        self._pending.append((record["seq"], orjson.dumps(record)))

    def record(self, label: str, changes: list[Change], batches: list[BatchChange] | None = None,
               sync: list[str] | None = None) -> Action:
        """A new undoable action (clears the redo stack). Durable after :meth:`write`.
        ``sync``: its sync changes' lines, logged with it."""
        self.ensure_loaded()  # before taking _lock: loading takes _io first (lock order)
        with self._lock:
            self.seq += 1
            action = Action(self.seq, self.clock(), label, changes, list(batches or ()), list(sync or ()))
            self.undo_stack.append(action)
            self.redo_stack.clear()
            self.timeline.append((action.at, label))
            self._append(action.record())
            return action

    def note(self, label: str) -> None:
        """Something worth showing in the history that cannot be undone (an import)."""
        self.ensure_loaded()  # before taking _lock: loading takes _io first (lock order)
        with self._lock:
            self.seq += 1
            at = self.clock()
            self.timeline.append((at, label))
            record = {"seq": self.seq, "at": at, "kind": "note", "label": label}
            self._keep_note(record)
            self._append(record)

    def took(self, label: str, changes: list[Change]) -> int:
        """Changes read from another device, applied to the store: shown and
        replayed like an action, never undone or redone (the stacks stay as
        they are). Durable after :meth:`write`; returns its ``seq``."""
        self.ensure_loaded()  # before taking _lock: loading takes _io first (lock order)
        with self._lock:
            self.seq += 1
            at = self.clock()
            self.timeline.append((at, label))
            self._keep_note({"seq": self.seq, "at": at, "kind": "took", "label": label})
            self._append({"seq": self.seq, "at": at, "kind": "took", "label": label, "changes": changes})
            return self.seq

    def undo(self, sync_of: Callable[[Action], list[str]] | None = None,
             changes_of: Callable[[Action], list[Change] | None] | None = None) -> Action | None:
        """``sync_of(action)``: the undo's sync changes' lines, logged with it;
        ``changes_of(action)``: the ``(key, found, set)`` states the undo sets
        when they are not the action's before-states (logged with it)."""
        return self._move(self.undo_stack, self.redo_stack, "undo", "Undid", sync_of, changes_of)

    def redo(self, sync_of: Callable[[Action], list[str]] | None = None,
             changes_of: Callable[[Action], list[Change] | None] | None = None) -> Action | None:
        return self._move(self.redo_stack, self.undo_stack, "redo", "Redid", sync_of, changes_of)

    def _move(self, source: list[Action], target: list[Action], kind: str, verb: str,
              sync_of: Callable[[Action], list[str]] | None = None,
              changes_of: Callable[[Action], list[Change] | None] | None = None) -> Action | None:
        self.ensure_loaded()  # before taking _lock: loading takes _io first (lock order)
        with self._lock:
            if not source:
                return None
            action = source.pop()
            target.append(action)
            self.seq += 1
            at = self.clock()
            self.timeline.append((at, f"{verb}: {action.label}"))
            record = {"seq": self.seq, "at": at, "kind": kind, "target": action.seq}
            changes = changes_of(action) if changes_of is not None else None
            if changes:
                record["changes"] = changes
            lines = sync_of(action) if sync_of is not None else None
            if lines:
                record["sync"] = lines
            self._append(record)
            return action

    # -- writing -----------------------------------------------------------------

    def write(self) -> int:
        """Append the queued records durably, in order; returns the highest
        sequence number now in the log (every record up to it is durable).

        A failed append is cut back to the last complete line before the
        error propagates (or, if even that fails, before the next write), so
        a retry never lands on a fragment; the records stay queued."""
        with self._io:
            with self._lock:
                pending = list(self._pending)
                seq = self.seq if not pending else pending[-1][0]
            if not pending and not self._file.torn:
                return seq
            data = b"".join(line + b"\n" for _seq, line in pending)
            self._append_bytes(lambda _end: data, sync=True)
            with self._lock:
                del self._pending[: len(pending)]
            self._lines += len(pending)
            return seq

    def _append_bytes(self, make: Callable[[int], bytes], *, sync: bool) -> None:
        self._file.append(make, sync=sync)

    def mark_synced(self, seq: int) -> None:
        """The store now holds everything up to ``seq`` (no fsync needed: a
        lost sync line only means some work is redone after a crash). A
        compaction that fails is tried again later; it loses nothing."""
        with self._io:
            if seq <= self.synced:
                return
            self._append_bytes(lambda end: orjson.dumps({"kind": "sync", "seq": seq, "end": end}) + b"\n", sync=False)
            self.synced = seq
            self._lines += 1
            try:
                if self._lines > _COMPACT_LINES or self.path.stat().st_size > _COMPACT_BYTES:
                    self.compact()
            except OSError:
                pass

    def compact(self) -> None:
        """Rewrite the log with what undo, redo and the log screen still need:
        the last :data:`DEPTH` undoable actions, the redo stack and recent
        notes. Only when everything recorded is on disk and in the store."""
        with self._io:
            with self._lock:
                if self._pending or self.synced < self.seq:
                    return  # not everything is on disk yet; try again later
            if not self._exported_all():
                return  # the shared folder has not had every sync line yet; try again later
            with self._lock:
                if self._pending or self.synced < self.seq:
                    return
                keep = self.undo_stack[-DEPTH:]
                self.undo_stack[:] = keep
                notes = self._notes[-_KEPT_NOTES:]
                body = [a.record() for a in keep]
                body = sorted(body + notes, key=lambda r: r["seq"])
                # The redo stack is rebuilt by "doing" then "undoing" its actions.
                for action in reversed(self.redo_stack):
                    body.append(action.record())
                for action in self.redo_stack:
                    body.append({"seq": self.seq, "at": action.at, "kind": "undo", "target": action.seq})
                self.timeline[:] = self.timeline[-(_KEPT_NOTES + DEPTH):]
            data = b"".join(orjson.dumps(r) + b"\n" for r in body)
            data += orjson.dumps({"kind": "sync", "seq": self.synced, "end": len(data)}) + b"\n"
            atomic_write_bytes(self.path, data, new_mode=0o600)
            self._lines = len(body) + 1

    def _exported_all(self) -> bool:
        """Whether every record's sync lines went out (always, without sync:
        one stat). A damaged ``sync.json``: not known, so no."""
        from paperqueue.core.sync.settings import SyncError, load_settings

        try:
            settings = load_settings(self.path.parent)
        except (SyncError, OSError):
            return False
        return settings is None or settings.exported >= self.seq


_ACTIONS = ("do", "undo", "redo", "took")


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
    batches: dict[int, dict] = {}
    for record in unsynced:
        for key, state in history.effect(record).items():
            if key in store.papers:
                store.set_state(key, state)
        for batch, info in history.batch_effect(record).items():
            store.set_batch_info(batch, info)
            batches[batch] = info
    store.flush()
    store.write_batches(batches)
    history.mark_synced(history.seq)
    return len(unsynced)


__all__ = ["DEPTH", "FILE", "Action", "BatchChange", "Change", "History", "moved_fields", "repair"]
