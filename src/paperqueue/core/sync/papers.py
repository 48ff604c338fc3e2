"""Papers and batches travel (issue 13): paper lines out, others' papers in.

**Out.** At each sync this device appends a paper line
(:class:`~.changes.PaperLine`) for each of its own papers not exported yet:
ids above ``papers`` in ``sync.json`` (ids only grow), in id order, a few
thousand lines at a time (a first sync at 100k papers streams; no list of
every row is held). A paper is this device's own unless the batch it came
in with (its first) was landed from another device (``sync_id`` of another
device in the batch's info): landed papers are never sent back.

**In.** Others' paper lines (the latest per key) are landed through the
import (:func:`paperqueue.core.importing.add_indexed`): one import per
synced batch, in the order the batches were made, named as the batch and
carrying ``{"sync_id": "<device>-<n>"}`` in its info, so the import's own
batch *is* that batch (no "sync from X" batch); a paper in several batches
is met once per batch (new in the first, joining the others like any
paper met again). The import's merge adopts the key when it is free and
else finds the paper by arXiv id, DOI or title and fills in what it lacks.
Landing is journaled and atomic (the import's commit); it is logged as a
note, never an undo step, and the import's batch changes are not emitted
(``Writer.record_import`` is not called). Landing the same lines again (a
crash before the positions were saved) finds every paper and changes
nothing.

**Keys.** A paper another device knows under another key (``arxiv:...``
there, ``title:...`` here) ends with one key on every device: the key
whose first paper line has the lowest stamp (:mod:`.aliases`); the other
becomes an alias in the store (decided by the landing import's merge
when it finds the paper), and each field's highest stamp over all keys of one paper
wins (:func:`combined`).

**Batches.** A batch's field changes (``batch:<sync id>``: name, deleted)
apply to every local batch carrying that sync id (or, for this device's
own ids, to its batch of that number): :func:`batch_plan`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from paperqueue.core.importers.pq_json import pq_row
from paperqueue.core.importers.record import ParsedPaper
from paperqueue.core.models import Paper, PaperState
from paperqueue.core.store import Store
from paperqueue.core.sync.aliases import KeyMap, save as save_keymap
from paperqueue.core.sync.changes import BATCH, PaperLine, encode_paper
from paperqueue.core.sync.emitter import sync_id
from paperqueue.core.sync.own_files import append_lines
from paperqueue.core.sync.settings import Settings, save_settings
from paperqueue.core.sync.hlc import HLC
from paperqueue.core.sync.merge import Merged

LINES_PER_WRITE = 2000
_STATE_FIELDS = ("starred", "read", "starred_at", "read_at", "tags", "note")


# -- out ----------------------------------------------------------------------------------


def own_paper(store: Store, paper: Paper, device: str) -> bool:
    """Whether ``paper`` came into this queue here (not landed from another device)."""
    landed = store.batch_info.get(paper.batch, {}).get("sync_id")
    return not (isinstance(landed, str) and landed.rpartition("-")[0] != device)


def paper_row(store: Store, paper: Paper, device: str) -> dict:
    """The paper line's row: the export's fields but the person's, and its
    batches as ``[sync id, name]``."""
    from paperqueue.core.export import paper_json

    row = paper_json(store, paper, store.details(paper.key), PaperState())
    for name in _STATE_FIELDS:
        row.pop(name, None)
    row["batches"] = [[sync_id(device, batch, store.batch_info.get(batch)), store.batch_name(batch)]
                      for batch in (paper.batches or (paper.batch,))]
    row["auth"] = paper.auth
    return {name: value for name, value in row.items() if value is not None and value != [] and value != ""
            or name in ("key", "title", "batches")}


def export_papers(store: Store, settings: Settings, home: Path, clock: HLC, keymap: KeyMap | None = None) -> int:
    """Append a paper line for each own paper above ``settings.papers``,
    then keep the new mark in ``sync.json``. Returns how many were sent;
    ``keymap`` gets their first stamps (the caller saves it).
    Raises :class:`OSError` when the folder cannot be written (the mark
    stays: the next sync sends them)."""
    sent_gen = settings.generation
    if store.max_id <= settings.papers and store.generation <= sent_gen:
        return 0  # nothing new (no index read)
    store.load_rest()
    device = settings.device
    papers = sorted((p for p in store.papers.values() if p.id > settings.papers or p.gen > sent_gen),
                    key=lambda p: p.id)
    stamp = clock.now()
    sent = written = 0
    chunk: list[bytes] = []
    for paper in papers:
        if paper.gen <= sent_gen and not own_paper(store, paper, device):
            continue  # landed here, not changed here since: never sent back
        chunk.append(encode_paper(PaperLine(paper.key, paper_row(store, paper, device), stamp)))
        if keymap is not None:
            keymap.saw(paper.key, stamp)
        if len(chunk) >= LINES_PER_WRITE:
            append_lines(settings.own, chunk)
            sent += len(chunk)
            written += sum(map(len, chunk))
            chunk = []
    if chunk:
        append_lines(settings.own, chunk)
        sent += len(chunk)
        written += sum(map(len, chunk))
    if keymap is not None and sent:
        save_keymap(home, keymap)  # before the marks: a crash between sends them again, later-stamped
    settings.generation = store.generation
    settings.papers = max(settings.papers, store.max_id, max((p.id for p in papers), default=0))
    # Paper lines do not fold away: the next compaction waits until field changes have grown by as
    # much (else a first export would be compacted at once, and every reader would read it all again).
    settings.compacted += written
    settings.clock = clock.last.text() if clock.last else settings.clock
    save_settings(home, settings)
    return sent


# -- in -----------------------------------------------------------------------------------


@dataclass
class Landed:
    new: int = 0  # papers this queue did not have
    merged: int = 0  # papers it had that the lines filled in
    skipped: int = 0  # lines whose row the import refused
    batches: int = 0  # local batches made
    rekeyed: int = 0  # papers here that took the key another device gave them first
    ids: set[str] = field(default_factory=set)  # sync ids of the batches landed into


def latest(lines: list[PaperLine]) -> dict[str, PaperLine]:
    found: dict[str, PaperLine] = {}
    for line in lines:
        kept = found.get(line.key)
        if kept is None or line.stamp > kept.stamp:
            found[line.key] = line
    return found


def _order(batch: str) -> tuple[str, int]:
    device, _dash, number = batch.rpartition("-")
    return device, int(number)


def _parsed(line: PaperLine) -> ParsedPaper | None:
    row = {name: value for name, value in line.row.items() if name not in ("batches", "auth")}
    problems: list[str] = []
    paper = pq_row(row, "paper line", problems)
    if paper is None:
        return None
    added = (paper.state or {}).get("added_at")
    return replace(paper, batches=(), state={"added_at": added} if added else None,
                   authoritative=bool(line.row.get("auth", False)))


def land(store: Store, found: list[PaperLine], keymap: KeyMap, own: str) -> Landed:
    """Land the paper lines ``found`` one synced batch at a time (see the
    module's docstring): each key's latest record, into every batch any
    line of that key names (two devices that imported one page each send
    the paper with their own batch). A line naming a paper known here under
    another key settles which key both take (:meth:`KeyMap.winner`, asked
    by the import's merge when it finds the paper)."""
    from paperqueue.core.importing import add_indexed

    landed = Landed()
    lines = latest(found)
    groups: dict[str, tuple[str, dict[str, PaperLine]]] = {}
    for line in found:
        for batch, name in line.batches or [(f"{line.stamp.device}-0", f"from {line.stamp.device}")]:
            groups.setdefault(batch, (name, {}))[1][line.key] = lines[line.key]
    refused: set[str] = set()

    def parsed(members: list[PaperLine]) -> Iterator[ParsedPaper]:
        # Made as the import reads them: a first sync of 100k papers holds their rows once.
        for line in members:
            paper = _parsed(line)
            if paper is None:
                refused.add(line.key)
            else:
                yield paper

    for batch in sorted(groups, key=_order):
        name, members = groups[batch]
        device = batch.rpartition("-")[0]
        # Into the batch that holds this sync id here (landed before, or this device's own),
        # else a batch of its own, made even when every paper in it is known here.
        here = local_batches(store, batch, own)
        result = add_indexed(store, parsed(list(members.values())), source=f"sync from {device}", name=name,
                             batch_extra={"sync_id": batch}, winner=keymap.winner,
                             join=here[0] if here else None, make_batch=True, synced=True)
        landed.new += result.new
        landed.merged += result.merged
        landed.rekeyed += result.rekeyed
        landed.batches += bool(result.batch)
        landed.ids.add(batch)
    landed.skipped = len(refused)
    for key in lines:  # the store's aliases now say where these keys live
        keymap.keys.pop(key, None)
    return landed


def combined(merged: Merged, here: str, keys: list[str]) -> Merged:
    """The fold of one paper known under several keys: each field's winner
    over all of them, as changes of ``here``."""
    out = Merged()
    out.apply(replace(change, key=here) for key in keys for change in merged.fields(key).values())
    return out


# -- batches -------------------------------------------------------------------------------


def local_batches(store: Store, batch: str, device: str) -> list[int]:
    """The local batches a sync id names: those landed under it, or this device's own of that number."""
    owner, _dash, number = batch.rpartition("-")
    found = [b for b, info in store.batch_info.items() if info.get("sync_id") == batch]
    if owner == device and number.isdigit() and int(number) in store.batch_info \
            and not store.batch_info[int(number)].get("sync_id"):
        found.append(int(number))
    return sorted(found)


def batch_plan(store: Store, merged: Merged, keys: Iterator[str] | list[str], device: str) -> dict[int, tuple[dict, dict]]:
    """Local batch -> (info now, info the fold says) for each batch key whose synced fields differ here."""
    plan: dict[int, tuple[dict, dict]] = {}
    for key in keys:
        if not key.startswith(BATCH):
            continue
        batch = key[len(BATCH):]
        wanted = merged.batch_info(batch)
        for number in local_batches(store, batch, device):
            info = dict(store.batch_info[number])
            new = dict(info)
            if isinstance(wanted.get("name"), str):
                new["name"] = wanted["name"]
            if "deleted" in wanted:
                if wanted["deleted"]:
                    new["deleted"] = True
                else:
                    new.pop("deleted", None)
            if new != info:
                plan[number] = (info, new)
    return plan


__all__ = ["Landed", "batch_plan", "combined", "export_papers", "land"]
