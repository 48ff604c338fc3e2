"""The one writer: every change to the person's state reaches the disk
through here, strictly in the order it was made.

A change is recorded on the caller's thread (usually the UI's): the action
goes into the history's queue and its states into :attr:`Writer._jobs`,
tagged with the action's number. :meth:`Writer.save` then, under one lock,

1. appends the queued log records and fsyncs them (``History.write``),
2. writes exactly the states of the actions whose records are now durable
   (the states as those actions left them, not whatever memory holds now),
3. appends a ``sync`` line naming the last action the store now holds.

In a store set up for sync (``paperqueue sync init``), each recorded action
also gets its field changes stamped (:mod:`paperqueue.core.sync`), logged in
its record, and appended to the shared folder right after step 1
(:class:`paperqueue.core.sync.emitter.Emitter`; a folder that cannot be
written is caught up later from the log).

Batch changes (a rename, a delete, an import and its undo) go the same
way: the writer applies them to the store's memory when they are
recorded, and writes them into ``meta.json`` in step 2.

So the store never gets ahead of the log, a sync line is exact, and after a
crash :func:`paperqueue.core.history.repair` replays every action past the
last sync. The app calls :meth:`save_soon` (a background thread does the
work); the command line calls :meth:`save`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from paperqueue.core.actions import Action, BatchChange, Change, moved_fields
from paperqueue.core.history import History
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.store.fold import resolve
from paperqueue.core.store.state_writes import Records
from paperqueue.core.sync.emitter import open_emitter


class Writer:
    def __init__(self, store: Store, history: History, on_saved: Callable[[OSError | None], None] | None = None) -> None:
        self.store = store
        self.history = history
        self.on_saved = on_saved  # called on the writer's thread after each background save
        # (action seq, its states, its batch infos), in order
        self._jobs: list[tuple[int, dict[str, PaperState], dict[int, dict]]] = []
        self._unsaved = 0
        self._lock = threading.Lock()  # recording: history + jobs move together
        self._io = threading.Lock()  # saving: one at a time, in order
        self._wake = threading.Condition()
        self._requested = False
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.sync = open_emitter(store.home)  # None unless the store is set up for sync
        self._outbox: list[tuple[int, list[str]]] = []  # (seq, sync lines) not yet exported
        self._outbox_base: int | None = None  # the log's seq before the first record made here
        self._records: dict[int, Records] = {}  # action seq -> state records its log record holds

    # -- recording (any thread) ------------------------------------------------------

    def record(self, label: str, changes: list[Change], batches: list[BatchChange] | None = None) -> Action:
        """Log a new undoable action whose after-states the store will hold
        (the caller puts the states in memory; batch infos are put there
        here)."""
        with self._lock:
            self.history.ensure_loaded()
            lines = self.sync.do_lines(changes, batches or ()) if self.sync is not None else None
            action = self.history.record(label, changes, batches, sync=lines)
            self._to_export(action.seq, lines)
            self._queue(action.seq, action.states(after=True), action.batch_infos(after=True))
        return action

    def took(self, label: str, changes: list[Change], batches: dict[int, dict] | None = None,
             states: dict[str, PaperState] | None = None, records: Records | None = None) -> None:
        """Log changes read from another device, whose after-states the store
        will hold (the caller puts them in memory): not undoable, not sent
        again, the undo and redo stacks left as they are. ``batches``: batch
        infos another device changed (put in memory here, written into
        ``meta.json`` after the record; the record does not carry them, so
        a crash before that leaves them to the next sync, which reads the
        same changes again: its positions are saved after this). ``states``:
        the after-states as the caller holds them (key -> state, the same
        as ``changes`` records), so they are not read back from the records.
        ``records``: key -> (state, its record), the records ``changes``
        holds, so the state shards do not make them again."""
        with self._lock:
            self.history.ensure_loaded()
            seq = self.history.took(label, changes)
            self._to_export(seq, None)
            if states is None:
                states = {key: PaperState.from_record(after) for key, _before, after in changes}
            if records:
                self._records[seq] = records
            self._queue(seq, states, batches or {})

    def _to_export(self, seq: int, lines: list[str] | None) -> None:
        if self.sync is None:
            return
        if self._outbox_base is None:
            self._outbox_base = seq - 1
        if lines:
            self._outbox.append((seq, lines))

    def record_import(self, label: str, logged=None) -> Action | None:  # noqa: ANN001 - a merge.ImportLog
        """Log an import that landed (``logged``: its ``store.last_import``;
        default: the store's): an undoable action when it made a batch or
        changed states, else a note. The import already wrote what it did,
        so nothing is queued for the store but what repair would redo."""
        logged = logged if logged is not None else self.store.last_import
        if logged is None or not (logged.batch_changes or logged.state_changes):
            self.note(label)
            return None
        with self._lock:
            self.history.ensure_loaded()
            states, batches = [list(c) for c in logged.state_changes], [list(b) for b in logged.batch_changes]
            # New papers' states the file carried (a paperqueue JSON's stars) travel too.
            carried = [[key, {}, record] for key, record in logged.new_states]
            lines = self.sync.do_lines(states + carried, batches) if self.sync is not None else None
            action = self.history.record(label, states, batches, sync=lines)
            self._to_export(action.seq, lines)
            self._jobs.append((action.seq, {}, {}))
        return action

    def undo(self) -> Action | None:
        return self._move(self.history.undo, after=False)

    def redo(self) -> Action | None:
        return self._move(self.history.redo, after=True)

    def _move(self, move: Callable, *, after: bool) -> Action | None:
        """Undo (redo) field by field: each paper the action changed gets the
        fields the action changed set back (forward) on its current state,
        so a change read from another device meanwhile stays. The returned
        action's states are the ones set (``states(after=...)`` either way)."""
        with self._lock:
            sync = self.sync
            lines: list[str] = []
            states: dict[str, PaperState] = {}

            def sync_of(action: Action) -> list[str]:
                lines[:] = sync.undo_lines(action, redo=after) if sync is not None else []
                return lines

            def changes_of(action: Action) -> list[Change] | None:
                wanted = action.states(after=after)
                source = action.states(after=not after)
                logged = []
                aliases = self.store.aliases
                moved = False  # a key that is an alias now (folded, or another device's key won)
                for key, target in wanted.items():
                    here = resolve(key, aliases) if aliases else key
                    if here not in self.store.papers:
                        states[key] = target
                        continue
                    moved = moved or here != key
                    found = self.store.state(here)
                    states[here] = moved_fields(found, source[key], target)
                    logged.append([here, found.to_record(), states[here].to_record()])
                # Logged only when it is not the plain before (after) states.
                return logged if moved or any(states[key] != wanted[key] for key in wanted) else None

            action = move(sync_of if sync is not None else None, changes_of)
            if action is not None:
                self._to_export(self.history.seq, lines)
                self._queue(self.history.seq, states, action.batch_infos(after=after))
                action = replace(action, changes=[(key, state.to_record(), state.to_record())
                                                  for key, state in states.items()])
        return action

    def note(self, label: str) -> None:
        with self._lock:
            self.history.note(label)
            self._to_export(self.history.seq, None)

    def _queue(self, seq: int, states: dict[str, PaperState], batches: dict[int, dict]) -> None:
        for batch, info in batches.items():
            self.store.set_batch_info(batch, info)
        self._jobs.append((seq, states, batches))
        self._unsaved += len(states) + len(batches)

    @property
    def unsaved(self) -> int:
        """How many paper states are recorded but not yet in the store's files."""
        return self._unsaved

    def unsent_changes(self, after: int = 0) -> int:
        """Sync field changes of the records past ``after`` that this writer
        holds and has not exported to the sync folder yet. Takes no lock (the
        UI thread asks while a record or an export may hold one): a copy of
        the list, made whole under the GIL."""
        return sum(len(lines) for seq, lines in list(self._outbox) if seq > after)

    # -- saving ------------------------------------------------------------------------

    def save(self) -> None:
        """Make everything recorded so far durable, in order (any thread;
        raises :class:`OSError` and keeps what is unsaved for the next try)."""
        with self._io:
            written = self.history.write()
            if self.sync is not None:
                self._export(written)
            with self._lock:
                jobs = [job for job in self._jobs if job[0] <= written]
            states: dict[str, PaperState] = {}
            batches: dict[int, dict] = {}
            records: Records = {}
            if len(jobs) == 1:  # as they are (a sync's 100,000 states: not copied)
                seq, states, batches = jobs[0]
                records = self._records.get(seq) or {}
            else:
                for seq, job_states, job_batches in jobs:
                    states.update(job_states)
                    batches.update(job_batches)
                    made = self._records.get(seq)
                    if made:
                        records.update(made)  # each is used only while its state is the one written
            if records:
                self.store.write_states(states, records)
            else:
                self.store.write_states(states)
            self.store.write_batches(batches)
            self.store.write_settings()
            with self._lock:
                del self._jobs[: len(jobs)]
                for seq, _states, _batches in jobs:
                    self._records.pop(seq, None)
                self._unsaved -= sum(len(s) + len(b) for _seq, s, b in jobs)
            self.history.mark_synced(written)

    def _export(self, written: int) -> None:
        """Append the sync lines of the records now durable to the shared
        folder (kept for the next save when it cannot be written)."""
        with self._lock:
            outbox = [entry for entry in self._outbox if entry[0] <= written]
            base = self._outbox_base if self._outbox_base is not None else written
        lines = [line for _seq, entry in outbox for line in entry]
        if self.sync.export(self.history.path, base, written, lines):
            with self._lock:
                del self._outbox[: len(outbox)]

    def save_soon(self) -> None:
        """Have the writer's thread save (returns at once)."""
        with self._wake:
            if self._closed:
                return
            self._requested = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="paperqueue-writer", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def wait(self) -> None:
        """Return once the writer's thread has nothing left to do."""
        with self._wake:
            self._wake.wait_for(lambda: not self._requested and not self._busy)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._requested or self._closed)
                if not self._requested:
                    return
                self._requested = False
                self._busy = True
            error: OSError | None = None
            try:
                self.save()
            except OSError as failure:
                error = failure
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()
            if self.on_saved is not None:
                self.on_saved(error)
