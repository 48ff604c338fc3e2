"""Reading sync lines back (:mod:`.changes` writes them): :func:`decode`
one line, :func:`decode_chunk` what a reader read from a sync file. A line
of any other shape than :func:`.changes.encode` and
:func:`.changes.encode_paper` write is refused, as
:func:`paperqueue.core.log_file.valid` does for the action log."""

from __future__ import annotations

import orjson

from paperqueue.core.collector import paused as collector_paused
from paperqueue.core.sync.changes import (
    BATCH,
    NOTE,
    READ,
    REMOVED,
    ROW_FIELDS,
    STARRED,
    TAG,
    Change,
    PaperLine,
    Value,
    _PAPER_KEYS,
    _PAPER_MARK,
    tag_field,
)
from paperqueue.core.sync.hlc import Stamp, valid_device


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


__all__ = ["decode", "decode_chunk"]
