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

:func:`decode` refuses a line of any other shape (as
:func:`paperqueue.core.log_file.valid` does for the action log).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import orjson

from paperqueue.core.collector import paused
from paperqueue.core.models import PaperState
from paperqueue.core.sync.hlc import HLC, Stamp, valid_device

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


def decode(line: bytes | str) -> Change | None:
    """The change one line holds (with or without its newline), or ``None``
    when the line is not exactly one well-formed change."""
    if isinstance(line, str):
        line = line.encode("utf-8", "surrogatepass")
    if line.endswith(b"\n"):
        line = line[:-1]
    if not line or b"\n" in line:
        return None
    found = _decode_line(line)
    return found if type(found) is Change else None


def _decode_line(line: bytes) -> Change | PaperLine | None:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(record) is not dict:
        return None
    if "p" in record:
        return _paper_line(record)
    return _change(record, None)


def _change(record: dict, stamps: dict[str, Stamp | None] | None) -> Change | None:
    """The change a decoded line's object holds, or ``None`` unless it is
    exactly one. ``stamps``: stamps already read (text -> stamp or ``None``)."""
    size = len(record)  # exactly "k", "f", "v", "s" (checked below), and "b" or nothing else
    if size != 4 and (size != 5 or "b" not in record):
        return None
    key, name, text = record.get("k"), record.get("f"), record.get("s")
    if type(key) is not str or not key or type(name) is not str or type(text) is not str or "v" not in record:
        return None
    if stamps is None:
        stamp = _stamp(text)
    else:
        stamp = stamps.get(text, _BAD)
        if stamp is _BAD:
            stamp = stamps[text] = _stamp(text)
    if stamp is None:
        return None
    value = record["v"]
    if name == STARRED or name == READ:  # the most frequent fields first
        if (type(value) is not list or len(value) != 2 or type(value[0]) is not bool
                or (value[1] is not None and not isinstance(value[1], str)) or key.startswith(BATCH)):
            return None
        value = (value[0], value[1])
    else:
        value = _value(key, name, value)
        if value is _BAD:
            return None
    base = None
    if "b" in record:
        base = _stamp(record["b"])
        if base is None or name != NOTE or key.startswith(BATCH):
            return None
    return _new_change(key, name, value, stamp, base)


# Decoding makes a Change and a Stamp a line: frozen dataclasses, whose
# __init__ sets each field through object.__setattr__. These set the slots
# directly (the same objects: equal, hashed and ordered alike), about half
# the time, for 100,000 lines.
_NEW = object.__new__


def _new_change(key: str, name: str, value: Value, stamp: Stamp, base: Stamp | None, _cls: type = Change,
                _k=Change.key.__set__, _f=Change.field.__set__, _v=Change.value.__set__,  # noqa: ANN001
                _s=Change.stamp.__set__, _b=Change.base.__set__) -> Change:  # noqa: ANN001
    change = _NEW(_cls)
    _k(change, key)
    _f(change, name)
    _v(change, value)
    _s(change, stamp)
    _b(change, base)
    return change


def _new_stamp(ms: int, counter: int, device: str, _cls: type = Stamp, _m=Stamp.ms.__set__,  # noqa: ANN001
               _c=Stamp.counter.__set__, _d=Stamp.device.__set__) -> Stamp:  # noqa: ANN001
    stamp = _NEW(_cls)
    _m(stamp, ms)
    _c(stamp, counter)
    _d(stamp, device)
    return stamp


def _paper_line(record: dict) -> PaperLine | None:
    """A paper line, or ``None`` unless its shape is exactly one: the row's
    fields are checked for type here only as far as landing needs (the
    import's row reader checks the rest, as for any paperqueue JSON)."""
    if record.keys() != _PAPER_KEYS:
        return None
    key, row, stamp = record["k"], record["p"], _stamp(record["s"])
    if type(key) is not str or not key or type(row) is not dict or stamp is None or not row.keys() <= ROW_FIELDS:
        return None
    if row.get("key") != key or type(row.get("title")) is not str:
        return None
    batches = row.get("batches", [])
    if type(batches) is not list or not all(
            type(pair) is list and len(pair) == 2 and _sync_batch(pair[0]) and type(pair[1]) is str for pair in batches):
        return None
    if "auth" in row and type(row["auth"]) is not bool:
        return None
    return PaperLine(key, row, stamp)


def _sync_batch(text: object) -> bool:
    """A batch's sync id: ``<device>-<number>``."""
    if type(text) is not str:
        return False
    device, _dash, number = text.rpartition("-")
    return number.isascii() and number.isdigit() and valid_device(device)


_HEX = "0123456789abcdef"
_DEVICES: dict[str, bool] = {}  # device id -> valid (a handful of devices: checked once each)


def _stamp(text: object) -> Stamp | None:
    """:func:`~.hlc.parse_stamp`, without a regular expression per line (the
    text is fixed-width up to the device id; the device is checked once)."""
    if type(text) is not str or len(text) < 22 or text[13] != "-" or text[20] != "-" or not text.isascii():
        return None
    ms, counter, device = text[:13], text[14:20], text[21:]
    if not ms.isdigit() or counter.strip(_HEX):
        return None
    valid = _DEVICES.get(device)
    if valid is None:
        if len(_DEVICES) > 4096:
            _DEVICES.clear()
        valid = _DEVICES[device] = valid_device(device)
    return _new_stamp(int(ms), int(counter, 16), device) if valid else None


_BAD = object()


def _value(key: str, name: str, value: object) -> Value:
    if key.startswith(BATCH):
        if name == "name":
            return value if isinstance(value, str) else _BAD
        if name == "deleted":
            return value if type(value) is bool else _BAD
        return _BAD
    if name in (STARRED, READ):
        if (isinstance(value, list) and len(value) == 2 and type(value[0]) is bool
                and (value[1] is None or isinstance(value[1], str))):
            return (value[0], value[1])
        return _BAD
    if name == REMOVED:
        return value if type(value) is bool else _BAD
    if name == NOTE:
        return value if isinstance(value, str) else _BAD
    if name.startswith(TAG) and len(name) > len(TAG):
        if value is None or (isinstance(value, str) and value and tag_field(value) == name):
            return value
        return _BAD
    return _BAD


def decode_chunk(data: bytes, papers: list[PaperLine] | None = None,
                 lines: list[bytes] | None = None) -> tuple[list[Change], int, int]:
    """The changes in ``data`` (bytes read from a sync file at a reader's
    position): the changes of its whole lines, how many lines were refused,
    and how many bytes were used. A last line without its newline (a file
    still being written or copied) is left for the next read: the reader's
    position moves on by the bytes used only. Paper lines go into
    ``papers`` (passed over when it is ``None``); they are not refused.
    ``lines`` (when given) gets each change's line as read, without its newline.

    Each line is checked as :func:`decode` checks one (one ``orjson`` call a
    line); a stamp that several lines share (one action over many papers)
    is read once."""
    used = data.rfind(b"\n") + 1
    changes: list[Change] = []
    keep = changes.append
    skipped = 0
    stamps: dict[str, Stamp | None] = {}
    loads = orjson.loads
    with collector_paused():  # a change and its stamp a line, all kept: nothing for the collector to find
        for line in data[:used].split(b"\n")[:-1]:
            if papers is None and _PAPER_MARK in line:
                continue  # a paper line nobody asked for: not parsed (a "p" member holding an object: nothing else has one)
            try:
                record = loads(line)  # an empty line is refused here too
            except orjson.JSONDecodeError:
                skipped += 1
                continue
            if type(record) is not dict:
                skipped += 1
            elif "p" in record:
                paper = _paper_line(record)
                if paper is None:
                    skipped += 1
                elif papers is not None:
                    papers.append(paper)
            else:
                change = _change(record, stamps)
                if change is None:
                    skipped += 1
                else:
                    keep(change)
                    if lines is not None:
                        lines.append(line)
    return changes, skipped, used


collector_paused = paused  # the sync's name for it (run.py)
