"""JSON files read row by row with ``ijson`` (issue 9 item 18), never whole.

A file is read twice, each time as a stream:

1. :func:`sniff` reads the top-level value's outline: for a list, its first
   :data:`SNIFF_ROWS` items; for an object, every top-level member built in
   full except ``"papers"``, of which only the first :data:`SNIFF_ROWS`
   items are built (the rest are stepped over).  What it returns has the
   same shape as the decoded file as far as
   :func:`~paperqueue.core.importers.hf_json.hf_rows` and
   :func:`~paperqueue.core.importers.pq_json.pq_rows` look (they look at the
   first 20 rows), so the format is decided exactly as for the whole text.
2. :func:`rows` then hands out the rows one at a time (the items of the
   top-level list, or of the ``"papers"`` member); a syntax error anywhere,
   trailing text included, raises :class:`ijson.JSONError` when reached.

ijson picks its fastest backend itself: the C one (``yajl2_c``) when it is
built, else pure Python (:data:`BACKEND` says which).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import ijson

__all__ = ["BACKEND", "JSONError", "SNIFF_ROWS", "Sniffed", "decodes", "rows", "sniff"]

_ijson = ijson  # the backend's functions (a test swaps in the pure Python one)
BACKEND: str = ijson.backend
JSONError = ijson.JSONError
SNIFF_ROWS = 20  # as many rows as hf_rows / pq_rows look at
_OPEN = ("start_map", "start_array")
_CLOSE = ("end_map", "end_array")


@dataclass
class Sniffed:
    """The outline of a JSON file: ``data`` as the shape checks need it, and
    where its rows are: ``"item"`` (the top-level list) or ``"papers.item"``."""

    data: object
    kind: str  # "list", "object" or "scalar"


def _value(events: Iterator[tuple[str, str, object]], event: str, value: object, build: bool) -> object:
    """The value whose first event is (event, value), built (or only stepped
    over when not *build*), reading *events* up to its end."""
    builder = ijson.ObjectBuilder() if build else None
    depth = 0
    while True:
        if builder is not None:
            builder.event(event, value)
        if event in _OPEN:
            depth += 1
        elif event in _CLOSE:
            depth -= 1
        if depth == 0:
            return builder.value if builder is not None else None
        _prefix, event, value = next(events)


def _items(events: Iterator[tuple[str, str, object]], keep: int) -> list[object]:
    """The first *keep* items of the list whose ``start_array`` was just
    read; the rest are stepped over, up to the list's end."""
    items: list[object] = []
    _prefix, event, value = next(events)
    while event != "end_array":
        if len(items) < keep:
            items.append(_value(events, event, value, True))
        else:
            _value(events, event, value, False)
        _prefix, event, value = next(events)
    return items


def sniff(stream: BinaryIO) -> Sniffed:
    """The outline of the JSON in *stream* (see the module docstring).
    Raises :class:`JSONError` for a syntax error met on the way."""
    events = _ijson.parse(stream, use_float=True)
    _prefix, event, value = next(events)
    if event == "start_array":
        data: list[object] = []
        _prefix, event, value = next(events)
        while event != "end_array" and len(data) < SNIFF_ROWS:
            data.append(_value(events, event, value, True))
            if len(data) < SNIFF_ROWS:
                _prefix, event, value = next(events)
        return Sniffed(data, "list")
    if event != "start_map":
        return Sniffed(value, "scalar")
    members: dict[str, object] = {}
    _prefix, event, key = next(events)
    while event != "end_map":
        _prefix, event, value = next(events)
        if key == "papers" and event == "start_array":
            members[key] = _items(events, SNIFF_ROWS)
        else:
            members[key] = _value(events, event, value, True)
        _prefix, event, key = next(events)
    for _ in events:  # only trailing blanks may follow (else JSONError)
        pass
    return Sniffed(members, "object")


def decodes(stream: BinaryIO) -> bool:
    """Whether the whole of *stream* is one JSON value (read through, nothing kept)."""
    try:
        for _ in _ijson.parse(stream):
            pass
    except JSONError:
        return False
    return True


def rows(stream: BinaryIO, where: str) -> Iterator[object]:
    """The rows at *where* (``"item"`` or ``"papers.item"``), one at a time."""
    return _ijson.items(stream, where, use_float=True)
