"""The sync commands' work, on an open store (folder mode): setting up,
syncing, and what ``sync status`` shows. See :mod:`.settings`, :mod:`.own_files`, :mod:`.positions` and
:mod:`.reading` for the files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from paperqueue.core import log_file
from paperqueue.core.atomic import CorruptFileError, make_private_dirs, read_json
from paperqueue.core.crashpoints import boundary
from paperqueue.core.history import History
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.store import layout
from paperqueue.core.store.fold import resolve
from paperqueue.core.sync.changes import BATCH, changes_of, collector_paused, encode
from paperqueue.core.sync.emitter import unexported
from paperqueue.core.sync.own_files import append_lines, compact_own
from paperqueue.core.sync.positions import Positions
from paperqueue.core.sync.reading import devices_seen, load_merged, read_new, write_merged
from paperqueue.core.sync.settings import Settings, SyncError, load_settings, new_device_id, save_settings
from paperqueue.core.sync.hlc import HLC
from paperqueue.core.sync.notes import save_note_histories
from paperqueue.core.sync import aliases as keymaps
from paperqueue.core.sync.papers import Landed, batch_plan, export_papers, land
from paperqueue.core.sync.planning import plan_states
from paperqueue.core.writer import Writer

SAMPLE_SOURCE = "bundled sample"
SAMPLE_NOTE = "Imported the bundled sample"


def only_untouched_sample(store: Store, history: History) -> bool:
    """Whether the store holds the bundled sample the first run imported and
    nothing else: no other batch, no state, nothing done since."""
    history.ensure_loaded()
    infos = store.batch_info
    if len(infos) != 1 or not str(next(iter(infos.values())).get("name", "")).startswith(SAMPLE_SOURCE):
        return False
    if history.undo_stack or history.redo_stack:
        return False
    if any(not label.startswith(SAMPLE_NOTE) for _at, label in history.timeline):
        return False
    return all(state == PaperState() for state in store.states.values())


def drop_store_files(home: Path) -> None:
    """Remove the store's files (the bundled sample), keeping the lock and settings."""
    for name in (layout.INDEX, layout.ABSTRACTS, layout.STATE):
        boundary("drop sample")
        shutil.rmtree(home / name, ignore_errors=True)
    for path in home.iterdir():
        if path.name in (layout.META, "history.jsonl", "similar.bin") or path.name.startswith(layout.SEARCH):
            boundary("drop sample")
            path.unlink(missing_ok=True)
    boundary("dropped sample")


def init_folder(store: Store, history: History, folder: Path) -> Settings:
    """Set the store up to sync through ``folder``: a new device id, its
    folder, every state the store holds now as this device's first changes
    (so the other devices get them), then ``sync.json``."""
    if load_settings(store.home) is not None:
        raise SyncError("this queue is already set up for sync (see paperqueue sync status)")
    folder = folder.expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise SyncError(f"{folder} is not a folder")
    device = new_device_id()
    history.ensure_loaded()
    clock = HLC(device)
    stamp = clock.now()
    baseline = []
    for key, state in sorted(store.states.items()):
        if key in store.papers and state != PaperState():
            baseline += changes_of(PaperState(), state, key, stamp=stamp)
    settings = Settings("folder", str(folder), device, exported=history.seq, clock=stamp.text())
    try:
        make_private_dirs(settings.own)
        append_lines(settings.own, [encode(change) for change in baseline])
    except OSError as error:
        raise SyncError(f"cannot write in {folder}: {error.strerror or error}") from None
    save_settings(store.home, settings)
    return settings


@dataclass
class Summary:
    sent: int
    read: int
    devices: int
    papers: int
    pending: int
    skipped: int
    landed: int = 0  # papers this queue did not have, added by the sync (the app reloads its list)
    merged: int = 0  # papers it had, filled in from another device's record
    batches: int = 0  # batches renamed or deleted by another device
    papers_sent: int = 0  # own papers' records sent
    rekeyed: int = 0  # papers here that took the key another device gave them first (of ``merged``)

    @property
    def changed_here(self) -> bool:
        """Whether the sync changed this queue (states, papers or batches)."""
        return bool(self.papers or self.landed or self.merged or self.batches)

    def line(self) -> str:
        sent = f"sent {self.sent} change{'s' * (self.sent != 1)}"
        if self.papers_sent:
            sent += f" and {self.papers_sent} paper{'s' * (self.papers_sent != 1)}"
        parts = [sent]
        parts += [f"read {self.read} from {self.devices} device{'s' * (self.devices != 1)}"]
        if self.landed:
            parts.append(f"{self.landed} new paper{'s' * (self.landed != 1)} added")
        if self.merged:
            parts.append(f"{self.merged} filled in")
        if self.rekeyed:
            parts.append(f"{self.rekeyed} now under the key another device gave {'it' if self.rekeyed == 1 else 'them'} first")
        parts.append(f"{self.papers} paper{'s' * (self.papers != 1)} changed here")
        if self.batches:
            parts.append(f"{self.batches} batch{'es' * (self.batches != 1)} changed here")
        if self.pending:
            parts.append(f"{self.pending} waiting for papers this queue does not have yet")
        if self.skipped:
            parts.append(f"{self.skipped} damaged line{'s' * (self.skipped != 1)} skipped")
        return "synced: " + ", ".join(parts)


@collector_paused()  # 100,000 changes read make a million objects that all stay: no full collections over them
def sync_folder(store: Store, history: History, writer: Writer, now: str,
                apply: Callable[[dict[str, PaperState]], None] | None = None) -> Summary:
    """Write own changes not yet exported, read everyone's new lines, apply
    what changed to the store as one logged ``took`` record (not undoable:
    ``u`` after a sync undoes this device's last action), then keep the fold
    and the positions (in that order: a crash re-reads, harmlessly).
    ``apply(states)``: puts the papers' new states in memory (the app: on
    its UI thread, in place on screen) instead of ``store.set_state``."""
    emitter = writer.sync
    if emitter is None:
        raise SyncError("this queue is not set up for sync; run paperqueue sync init folder PATH first")
    settings = emitter.settings
    folder = Path(settings.folder)
    if not folder.is_dir():
        raise SyncError(f"the sync folder {folder} is not there (is the disk or the syncer's folder missing?)")
    history.ensure_loaded()
    waiting = len(unexported(history.path, settings.exported))
    writer.save()  # exports what this writer holds and catches up from the log
    if settings.exported < history.seq and not emitter.export(history.path, history.seq, history.seq, []):
        raise SyncError(f"cannot write in {settings.own}")
    keymap = keymaps.load(store.home)
    if store.max_id > settings.papers or store.generation > settings.generation:
        keymap.ensure_firsts(store.home, folder)  # papers may go out: their first stamps are kept
    try:
        papers_sent = export_papers(store, settings, store.home, emitter.clock, keymap)
    except OSError:
        raise SyncError(f"cannot write in {settings.own}") from None
    positions = Positions.load(store.home)
    found = read_new(folder, positions, settings.device)
    if not found.changes and not found.papers and not positions.pending:
        # Nothing new: the fold cache and the store stay as they are (no index, no cache read).
        if found.positions != positions.files:
            Positions(found.positions, set()).save(store.home)
        settings.last_sync = now
        save_settings(store.home, settings)
        return Summary(waiting, 0, 0, 0, 0, found.skipped, papers_sent=papers_sent)
    if found.papers:
        keymap.ensure_firsts(store.home, folder)
    for line in found.papers:
        emitter.clock.observe(line.stamp)
        keymap.saw(line.key, line.stamp)
    landed = Landed()
    if found.papers:
        before = store.generation
        landed = land(store, found.papers, keymap, settings.device)
        if settings.generation == before:  # a landing marks no paper to send again
            settings.generation = store.generation
        found.papers.clear()
        if landed.new or landed.merged or landed.batches:
            devices = sorted(found.devices) or ["another device"]
            writer.note(f"Synced papers from {', '.join(devices)}: {landed.new} new, {landed.merged} filled in")
            writer.save()
        keymaps.save(store.home, keymap)
        # Landed papers are not this device's own: never exported (their batches say so too).
        settings.papers = max(settings.papers, store.max_id)
        save_settings(store.home, settings)
    merged = load_merged(store.home)
    touched = merged.apply(found.changes)
    newest = max((change.stamp for change in found.changes if change.stamp.device != settings.device), default=None)
    if newest is not None:
        emitter.clock.observe(newest)  # the clock's last stamp then is what observing each one leaves
    store.load_rest()
    names = keymaps.names_here(keymap, store.aliases, store.papers)
    batch_keys = {key for key in touched if key.startswith(BATCH)}
    if batch_keys:
        touched = touched - batch_keys
    # In the order read (sorting 100,000 keys costs more than the rest of the plan), then the waiting ones.
    candidates = [key for key in dict.fromkeys([change.key for change in found.changes]) if key in touched]
    candidates += sorted(key for key in positions.pending if key not in touched and not key.startswith(BATCH))
    plan = plan_states(store, merged, keymap, names, candidates)
    pending, changed = plan.pending, len(plan.states)
    # Batches just landed take the names and deletions the fold already holds for them.
    batches = batch_plan(store, merged, sorted(batch_keys | {BATCH + batch for batch in landed.ids}), settings.device)
    if changed or batches:
        devices = sorted(found.devices) or ["another device"]
        what = [f"{changed} paper{'s' * (changed != 1)}"] if changed else []
        what += [f"{len(batches)} batch{'es' * (len(batches) != 1)}"] if batches else []
        label = f"Synced {' and '.join(what)} from {', '.join(devices)}"
        writer.took(label, plan.changes, {number: new for number, (_old, new) in batches.items()},
                    states=plan.states, records=plan.records)
        if apply is not None:
            apply(dict(plan.states))
        else:
            store.set_states(plan.states)
        writer.save()
    write_merged(store.home, merged, found.lines)  # appends what was read
    try:  # the reader's "also edited on ..." lines; the next sync writes them again
        save_note_histories(store.home, merged, key_of=lambda k: resolve(k, keymap.keys, store.aliases))
    except OSError:
        pass
    Positions(found.positions, pending).save(store.home)
    settings.last_sync = now
    settings.clock = emitter.clock.last.text() if emitter.clock.last else settings.clock
    save_settings(store.home, settings)
    read = sum(1 for change in found.changes if change.stamp.device != settings.device)
    return Summary(waiting, read, len(found.devices), changed, len(pending), found.skipped + landed.skipped,
                   landed.new, landed.merged, len(batches), papers_sent, landed.rekeyed)


@dataclass
class Status:
    settings: Settings
    devices: list[str]
    waiting: int
    pending: int


def status(home: Path, history_path: Path) -> Status | None:
    settings = load_settings(home)
    if settings is None:
        return None
    waiting = len(unexported(history_path, settings.exported))
    return Status(settings, devices_seen(Path(settings.folder)), waiting, len(Positions.load(home).pending))


def _log_end(path: Path) -> int | None:
    """The ``seq`` of the sync line the action log ends in, when the log is
    in sync (:func:`log_file.in_sync`: the store holds every record); 0
    for no log; ``None`` when the log must be read (a torn line, records
    after the last sync line, ...). Reads only the log's tail."""
    if not log_file.in_sync(path):
        return None
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 256))
            tail = handle.read()
    except FileNotFoundError:
        return 0
    seq = orjson.loads(tail[:-1].rsplit(b"\n", 1)[-1]).get("seq")
    return seq if type(seq) is int else None


def _store_clean(home: Path) -> tuple[int, int] | None:
    """The store's highest committed paper id and its generation, when opening it would repair
    nothing (no import journal, no first-layout files, no temporary file a
    killed write left, a readable ``meta.json``); else ``None``."""
    from paperqueue.core.store import journal

    if (home / journal.FILE).exists() or (home / layout.V1_PAPERS).exists() or (home / layout.V1_STATE).exists():
        return None
    for folder in (home, *(home / name for name in journal.TABLES)):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        if any(name.startswith(".") and name.endswith(".tmp") for name in names):
            return None
    try:
        meta = read_json(home / layout.META)
    except (OSError, ValueError, CorruptFileError):
        return None
    table = meta.get("meta") if isinstance(meta, dict) else None  # the store's table file: {"meta": {"1": record}}
    record = table.get("1") if isinstance(table, dict) else None
    if not isinstance(record, dict):
        return None
    max_id, generation = record.get("max_id"), record.get("generation")
    if type(max_id) is not int or max_id < 0 or type(generation) is not int:
        return None
    return max_id, generation


def quick_checks(home: Path) -> tuple[Settings, Positions] | None:
    """The settings and positions when a sync could be done without opening
    the store (hold the writer lock): nothing went out since the last sync
    (the log ends in a sync line no newer than ``exported``, no paper above
    ``papers``), no paper is waiting, and the store needs no repair; else
    ``None`` (open the store and sync in full)."""
    from paperqueue.core.history import FILE as LOG

    try:
        settings = load_settings(home)
    except (SyncError, OSError):
        return None
    if settings is None or not Path(settings.folder).is_dir():
        return None
    end = _log_end(home / LOG)
    if end is None or end > settings.exported:
        return None
    clean = _store_clean(home)
    if clean is None or clean[0] > settings.papers or clean[1] > settings.generation:
        return None  # a repair to do, new papers, or papers an import changed: the full sync
    positions = Positions.load(home)
    return None if positions.pending else (settings, positions)


def quick_read(home: Path, settings: Settings, positions: Positions, now: str) -> Summary | None:
    """After :func:`quick_checks`: when the shared folder holds nothing new,
    keep the positions and ``last_sync`` (and do the housekeeping the full
    sync's open and export do) and return the summary the full sync would;
    else ``None``, nothing changed."""
    from paperqueue.core import handoff

    try:
        found = read_new(Path(settings.folder), positions, settings.device)
    except SyncError:
        return None
    if found.changes or found.papers:
        return None
    handoff.clean_stale(home)  # as the full sync's open does
    try:
        compact_own(settings, home)  # as the full sync's export does (a killed compaction is finished)
    except OSError:
        pass
    if found.positions != positions.files:
        Positions(found.positions, set()).save(home)
    settings.last_sync = now
    save_settings(home, settings)
    return Summary(0, 0, 0, 0, 0, found.skipped)


def quick_sync(home: Path, now: str) -> Summary | None:
    """A folder sync with nothing to do, without opening the store (no index
    or state shard read): call it holding the store's writer lock. ``None``
    when there is something to do (nothing changed: run the full sync)."""
    from paperqueue.core.sync import git

    if git.is_git(home):
        return None
    checked = quick_checks(home)
    return quick_read(home, *checked, now) if checked is not None else None
