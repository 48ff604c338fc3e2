"""Field changes: the unit sync exchanges, and their JSON lines.

A :class:`Change` sets one field of one paper (or of one import batch) to a
value, stamped by the device's :class:`~paperqueue.core.sync.hlc.HLC` when
it was made. Fields of a paper:

- ``starred``, ``read``: ``(on, at)``, the flag with its ISO time;
- ``removed``: a bool; ``note``: the text, with ``base``, the stamp of the
  note version it was edited from (``None``: from no note);
- ``tag:<name folded>``: the tag's spelling while the paper holds it,
  ``None`` once taken off. Tags compare without regard to case (as
  :mod:`paperqueue.core.organize` does), so the field is the folded name.

An import batch is the key ``batch:<batch id>``, with the fields of its
``meta.json`` record a person sees and changes: ``name``, ``deleted``.

Undo and redo are new changes (:func:`undo_changes`): for each field the
action changed, the earlier (or later) value, stamped now, applied to
whatever the state is by then.

A paper's record travels as a paper line (:class:`PaperLine`,
:func:`encode_paper`): ``{"k": key, "p": row, "s": stamp}``, ``row`` the
paper as a paperqueue JSON export holds it without the person's fields
(states travel as field changes), with ``"batches"`` as ``[[sync id,
name], ...]``. The latest line of a key wins; landing one goes through the
import's merge (a richer record fills in).

One change is one JSON line (:func:`encode`)::

    {"k": "arxiv:2401.00001", "f": "starred", "v": [true, "2024-06-01T10:00:00Z"],
     "s": "1717236000000-000000-laptop"}
    {"k": "arxiv:2401.00001", "f": "note", "v": "read §3", "s": "...", "b": "..."}

:func:`.decoding.decode` refuses a line of any other shape (as
:func:`paperqueue.core.log_file.valid` does for the action log).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import orjson

from paperqueue.core.collector import paused
from paperqueue.core.models import PaperState
from paperqueue.core.sync.hlc import HLC, Stamp

STARRED = "starred"
READ = "read"
REMOVED = "removed"
NOTE = "note"
TAG = "tag:"
BATCH = "batch:"  # key prefix of an import batch
BATCH_FIELDS = ("name", "deleted")

Value = object  # (bool, str | None) | bool | str | None, by field
_PAPER_KEYS = frozenset({"k", "p", "s"})
_PAPER_MARK = b'","p":{'  # only a paper line holds these bytes outside a string (quotes in strings are escaped)
# A paper line's row: a paperqueue JSON export's paper fields (core/export.py
# paper_json) without the person's (starred, read, their times, tags, note).
ROW_FIELDS = frozenset({
    "key", "arxiv_id", "doi", "title", "abstract", "authors", "published", "updated", "categories", "upvotes",
    "comments", "pdf_url", "links", "primary_link", "added_at", "batches", "entry_type", "venue", "auth",
})


@dataclass(frozen=True, slots=True)
class Change:
    key: str
    field: str
    value: Value
    stamp: Stamp
    base: Stamp | None = None  # notes: the version this one was edited from


@dataclass(frozen=True, slots=True)
class PaperLine:
    """A paper's record as one device exported it (see the module's docstring)."""

    key: str
    row: dict
    stamp: Stamp

    @property
    def batches(self) -> list[tuple[str, str]]:
        """``(sync id, name)`` of each batch the paper was in."""
        return [(sync_id, name) for sync_id, name in self.row.get("batches", ())]


def tag_field(tag: str) -> str:
    return TAG + tag.casefold()


def field_values(state: PaperState) -> dict[str, Value]:
    """A state as field values: every plain field, and each tag it holds."""
    values: dict[str, Value] = {
        STARRED: (state.starred, state.starred_at),
        READ: (state.read, state.read_at),
        REMOVED: state.removed,
        NOTE: state.note,
    }
    for tag in state.tags:
        if tag:  # the app never makes an empty tag; it could not be a field
            values.setdefault(tag_field(tag), tag)
    return values


def _differences(before: PaperState, after: PaperState) -> list[tuple[str, Value]]:
    old, new = field_values(before), field_values(after)
    found = [(name, value) for name, value in new.items() if old.get(name) != value]
    found += [(name, None) for name in old if name not in new]  # tags taken off
    return found


def changes_of(before: PaperState, after: PaperState, key: str, clock: HLC | None = None, *,
               note_base: Stamp | None = None, stamp: Stamp | None = None) -> list[Change]:
    """One change per field that differs between ``before`` and ``after``,
    all with one stamp (``stamp``, or ``clock.now()`` taken only when
    something changed: one action over many papers can share one).
    ``note_base``: the stamp of the note version ``before`` shows."""
    found = _differences(before, after)
    if not found:
        return []
    if stamp is None:
        if clock is None:
            raise ValueError("changes_of needs a clock or a stamp")
        if note_base is not None:
            clock.observe(note_base)  # an edit orders after the version it was made from
        stamp = clock.now()
    return [Change(key, name, value, stamp, note_base if name == NOTE else None) for name, value in found]


def batch_changes_of(batch: str, before: dict, after: dict, clock: HLC | None = None, *,
                     stamp: Stamp | None = None) -> list[Change]:
    """The synced fields of a batch's info that differ (``batch``: its
    sync-wide id; see the package docstring)."""
    found = []
    for name in BATCH_FIELDS:
        old = before.get(name, False if name == "deleted" else None)
        new = after.get(name, False if name == "deleted" else None)
        if old != new and (name != "name" or isinstance(new, str)):
            found.append((name, bool(new) if name == "deleted" else new))
    if not found:
        return []
    if stamp is None:
        if clock is None:
            raise ValueError("batch_changes_of needs a clock or a stamp")
        stamp = clock.now()
    return [Change(BATCH + batch, name, value, stamp) for name, value in found]


def _state(value: PaperState | dict) -> PaperState:
    return value if isinstance(value, PaperState) else PaperState.from_record(value)


def undo_changes(states: Iterable[tuple[str, PaperState | dict, PaperState | dict]], clock: HLC, *,
                 redo: bool = False, batches: Iterable[tuple[str, dict, dict]] = (),
                 note_base: Callable[[str], Stamp | None] = lambda key: None) -> list[Change]:
    """Undo (or ``redo``) an action as new changes stamped now: for each
    field the action changed (``states``: its ``(key, before, after)``,
    states or log records; ``batches``: ``(batch id, info before, info
    after)``), the value it had before (after, for redo). Fields the action
    did not change are left to whatever they are now, so undoing a tag never
    brings back a star another device took off meanwhile. A note set back
    is an edit from the version shown now (``note_base(key)``)."""
    planned: list[tuple[str, list[tuple[str, Value]], Stamp | None]] = []
    for key, before, after in states:
        old, new = _state(before), _state(after)
        source, target = (old, new) if redo else (new, old)
        found = _differences(source, target)
        if found:
            base = note_base(key) if any(name == NOTE for name, _value in found) else None
            if base is not None:
                clock.observe(base)  # the edit orders after the version it was made from
            planned.append((key, found, base))
    batch_found = [(batch, before, after) if redo else (batch, after, before) for batch, before, after in batches]
    if not planned and not batch_found:
        return []
    stamp = clock.now()  # one action, one stamp
    out = [Change(key, name, value, stamp, base if name == NOTE else None)
           for key, found, base in planned for name, value in found]
    for batch, source, target in batch_found:
        out += batch_changes_of(batch, source, target, stamp=stamp)
    return out


# -- JSON lines ------------------------------------------------------------------------


def encode(change: Change) -> bytes:
    """Its JSON line, newline included."""
    record: dict = {"k": change.key, "f": change.field, "v": change.value, "s": change.stamp.text()}
    if change.base is not None:
        record["b"] = change.base.text()
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


def encode_paper(line: PaperLine) -> bytes:
    """A paper line's JSON line, newline included."""
    return orjson.dumps({"k": line.key, "p": line.row, "s": line.stamp.text()}) + b"\n"


collector_paused = paused  # the sync's name for it (run.py)
