"""Sync between devices (issue 13).

- :mod:`.hlc`: the hybrid logical clock and its :class:`~.hlc.Stamp`.
- :mod:`.changes`: field changes (what an action changed, undo and redo as
  new changes), paper lines, and their JSON lines.
- :mod:`.merge`: folding changes into states, the same whatever the order.
- Folder mode's files: :mod:`.settings` (``sync.json``, the device id,
  :class:`~.settings.SyncError`); :mod:`.own_files` (this device's
  append-only files and their compaction); :mod:`.emitter` (the writer's
  :class:`~.emitter.Emitter`, the export from the log); :mod:`.positions`
  (how far each file was read); :mod:`.reading` (reading everyone's new
  lines, the fold cache ``sync-merged.jsonl``).
- :mod:`.run`: ``sync init`` and a sync; :mod:`.papers`: papers and
  batches travel.
- Git mode on top of the same files: :mod:`.git` (``sync-git.json``, the
  clone, a sync's steps, ``sync status``) and :mod:`.git_process` (running
  git, the commands of each step, tidying what a killed sync left).

Built
-----

**Files.** Each device writes only ``<folder>/<device-id>/<generation>.jsonl``
(``000001.jsonl``, ...), appended only, whole lines fsynced. Compaction
writes the next generation (a temporary name, then a rename) holding
:meth:`~.merge.Merged.kept` of this device's own changes and the latest
paper line of each key, and only then deletes the old generation. A
reader keeps a byte position per file outside the folder
(``<home>/sync-positions.json``) and moves it by what
:func:`~.decoding.decode_chunk` used (a half-copied last line waits); a
file shorter than its position is read again from 0 (folding and landing
again are harmless). Conflict copies are more files. The device id comes
from ``sync init`` and lives in the device-local ``sync.json``.

**Field changes.** The writer stamps each action in ``Writer.record``,
logs its field changes in the action's ``do`` line (``"sync": [...]``) and
appends them to the device's file once the log line is durable
(``exported`` in ``sync.json``; a crash or an unreachable folder is caught
up from the log). Undo and redo are the earlier (later) values of only the
fields the action changed, stamped now. Changes read from others are
folded (:class:`~.merge.Merged`, cached in ``sync-merged.jsonl``) and the
fields they name set on the store as one ``took`` record (not undoable),
then the fold cache, then the positions.

**Papers** (:mod:`.papers`). Before reading, a sync appends a paper line
for each own paper whose id is above ``papers`` in ``sync.json``: the
export's record without the person's fields, with its batches as ``[sync
id, name]``. Others' paper lines (the latest per key) are landed through
the import (``importing.add_indexed``), one import per synced batch, named
as it and holding ``sync_id`` in its info, so landed papers join their
batch and no batch of the sync's own is made; the merge adopts the key
when it is free, else finds the paper by arXiv id, DOI or title and fills
in what it lacks. A landing is an atomic import, logged as a note (never
an undo step); its batch changes are not emitted and its papers (their
first batch holds another device's ``sync_id``) are never exported: no
ping-pong. The waiting changes of landed papers apply in the same sync.

**Keys** (:mod:`.aliases`). Suffixes that tell apart two papers of one
title come from their content (``core/identity.suffix_for``). When a
line's key names a paper known here under another key, the key whose
first paper line has the lowest stamp wins on every device: the paper here
takes it (folded into a new paper of that key, keeping its place, batches
and state) or the line's key becomes an alias in ``meta.json``; each
field's highest stamp over all keys of one paper wins.

**Batches.** A batch's sync id is ``<device>-<number>`` of the device that
made it, or the ``sync_id`` it was landed under; its ``name`` and
``deleted`` travel as ``batch:<sync id>`` field changes (emitted under the
landed id too, so a rename on any device reaches all), applied here to
every local batch holding that id with the highest stamp winning.

Open questions
--------------

- **Records filled in later.** A paper line goes out once, when the
  paper is new here; what a later import fills into a known paper (an
  abstract, a DOI) or a batch a known paper joins later does not travel
  yet (it needs the import to mark the papers it changed, e.g. their
  ``seq`` raised, and ``papers`` kept by ``seq``).
- **One batch per landing.** The merge always opens a batch of its own
  for new papers; when papers of a batch already landed here arrive in a
  later sync (a file copied in two parts), they make a second local batch
  of that name and sync id (renames and deletions reach both). A merge
  option naming the batch new papers join would make it one. A batch whose
  papers were all already here is not made (as for any import).
- **Batch changes and repair.** A ``took`` record does not carry the
  batch infos it set; a crash before ``meta.json`` is written leaves them
  to the next sync, which reads the same changes again.
- **A clock far ahead.** A device whose wall clock is years ahead drags
  every later stamp with it (inherent to the clock; refusing its stamps
  would make devices disagree). ``sync status`` could warn when a stamp
  seen is more than a day ahead of this device's clock.
- **Note history forever.** A losing note version stays in the history
  after later edits; dismissing it would be a change of its own (or an edit
  could name every version the person saw as its bases).
- **Newer formats.** :func:`~.decoding.decode` refuses unknown fields (the
  line is skipped and counted); a newer paperqueue should start a new file
  format with a header rather than add fields an older one skips.
- Tags set by one action are shown in name order (they share a stamp), not
  in the order typed.
"""
