"""Sync between devices (issue 13): the model. Pure core code, no files,
no git yet; the wiring below is a proposal for the next sessions.

- :mod:`.hlc`: the hybrid logical clock and its :class:`~.hlc.Stamp`.
- :mod:`.changes`: field changes (what an action changed, undo and redo as
  new changes) and their JSON lines.
- :mod:`.merge`: folding changes into states, the same whatever the order.

Design (proposed)
-----------------

**Files.** Each device writes only ``sync/<device-id>/<generation>.jsonl``
(``000001.jsonl``, ...), one :func:`~.changes.encode` line per change,
append-only, whole lines fsynced (an ``Appender`` like
:class:`paperqueue.core.log_file.Appender`, with ``boundary`` calls).
Compaction writes the next generation (a temporary file, then a rename:
readers skip temporary names) holding :meth:`~.merge.Merged.kept` of this
device's own changes, and only then deletes the old generation; a file is
never rewritten in place. Folding own-kept changes with everyone else's
gives what folding them all gives: a change that is not its field's winner
among this device's changes never wins overall, and a note version this
device continued is not a leaf anywhere. A reader keeps, outside the synced
folder (``<home>/sync-positions.json``), a byte position per file it reads
and moves it by what :func:`~.changes.decode_chunk` used, so a half-copied
last line is read when it is whole; a file shorter than its position (a
syncer replaced it) is read again from 0, which is harmless because the
fold is idempotent. The device id comes from ``sync init`` (lower-case host
name slug plus random hex) and is kept in a device-local settings file,
never in the synced folder, so a store copied to another machine gets its
own id when initialised there.

**Conflict copies.** Every regular file under ``sync/<device>/`` whose name
ends in ``.jsonl`` is read, each with its own position: Syncthing's
``000001.sync-conflict-20240601-101010-ABCDEFG.jsonl``, Dropbox's
``000001 (laptop's conflicted copy 2024-06-01).jsonl`` and iCloud's
``000001 2.jsonl`` are just more files. They hold copies of changes already
seen (counted once by the fold) or changes seen nowhere else (kept).

**Emitting changes.** The writer (``core/writer.py``) would, in
``Writer.record`` under its lock, take one stamp for the action and turn
each ``(key, before, after)`` of ``Action.changes`` into
``changes_of(before, after, key, stamp=..., note_base=merged.note_stamp(key))``
and each batch change into :func:`~.changes.batch_changes_of`. The encoded
changes go into the action's ``do`` line in ``history.jsonl`` (one more
field, ``"sync": [...]``), so one fsync covers both and the stamps survive
a crash; the sync file is an export of the log: after the log line is
durable the writer appends those lines to the device's sync file and keeps
"exported up to seq N" next to the positions; after a crash,
``history.repair`` exports again every action past N (repeats fold away).
Imports do the same with their ``state_changes`` and ``batch_changes``.

**Undo and redo** stop applying the action's whole before-states: the
writer computes :func:`~.changes.undo_changes` for the action, applies
them field by field to the current states, and logs the undo with the
states it set and its sync changes (``history.py``'s ``undo``/``redo``
records then carry ``changes`` like ``do`` records, so a replay sets what
the undo set, not the action's old before-state).

**Reading others' changes.** New lines are applied to a
:class:`~.merge.Merged`; for each key it returns, the store's state is set
to ``merged.state(key)`` through the writer (a log record that is not
undoable), then the positions are saved. The fold's winners are kept in a
device-local cache (its ``kept()`` lines, written atomically) so that a
sync with nothing new does not re-read every file; the cache is rebuilt
from the synced files when missing. :class:`~.hlc.HLC`'s ``last`` starts at
the highest stamp in the cache and in this device's own files.

Open questions
--------------

- **Keys from content.** Two different papers with one title need a
  suffix derived from their content (first author and year, or a hash of
  the record), never from a local counter (``core/identity.py``).
- **Aliases.** Two keys found to be one paper: the key whose first change
  (an ``added`` field, stamped when the paper entered a queue) has the
  lowest stamp wins, and an ``alias`` change (key: the other, value: the
  winner) is synced. The fold would then resolve keys through the aliases
  when showing a state (each field's winner taken over both keys), which
  keeps it independent of order. Not built.
- **Batches and records.** Batch numbers are local counters: synced ids
  would be ``<device>-<number>`` (``batch:<id>`` keys here). Paper records
  (titles, ids, abstracts, batch membership) are not field changes; they
  need their own lines merged by the import's rule (a richer record fills
  in), not by the highest stamp.
- **A clock far ahead.** A device whose wall clock is years ahead drags
  every later stamp with it (inherent to the clock; refusing its stamps
  would make devices disagree). ``sync status`` could warn when a stamp
  seen is more than a day ahead of this device's clock.
- **Note history forever.** A losing note version stays in the history
  after later edits; dismissing it would be a change of its own (or an edit
  could name every version the person saw as its bases).
- **Newer formats.** :func:`~.changes.decode` refuses unknown fields (the
  line is skipped and counted); a newer paperqueue should start a new file
  format with a header rather than add fields an older one skips.
- Tags set by one action are shown in name order (they share a stamp), not
  in the order typed.
"""
