"""Applying a sync touches only the fields changes named (issue 13,
"Performance": the per-field accessor and the one-pass line reader).

What a person sees after a sync must be what the fold says field by field,
with every field no change named left as this device had it; and reading a
chunk of lines must refuse and accept exactly the lines :func:`decode`
refuses and accepts, whatever stamps they share."""

from __future__ import annotations

from dataclasses import replace

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from paperqueue.core.models import PaperState
from paperqueue.core.sync.changes import NOTE, READ, REMOVED, STARRED, TAG, Change, encode
from paperqueue.core.sync.decoding import decode, decode_chunk
from paperqueue.core.sync.reading import applied_state
from paperqueue.core.sync.hlc import Stamp
from paperqueue.core.sync.merge import Merged

KEYS = ("arxiv:1", "arxiv:2")
TAGS = ("ml", "ML", "later", "nlp")
DEVICES = ("laptop-a1", "desktop-b2")
AT = ("2024-06-01T10:00:00Z", "2024-06-02T11:00:00Z", None)

stamps = st.builds(Stamp, st.integers(1_700_000_000_000, 1_700_000_000_009), st.integers(0, 3), st.sampled_from(DEVICES))


@st.composite
def changes(draw) -> Change:  # noqa: ANN001
    key = draw(st.sampled_from(KEYS))
    kind = draw(st.sampled_from((STARRED, READ, REMOVED, NOTE, TAG)))
    stamp = draw(stamps)
    if kind in (STARRED, READ):
        return Change(key, kind, (draw(st.booleans()), draw(st.sampled_from(AT))), stamp)
    if kind == REMOVED:
        return Change(key, kind, draw(st.booleans()), stamp)
    if kind == NOTE:
        return Change(key, kind, draw(st.sampled_from(("", "read §3", "compare"))), stamp, draw(st.none() | stamps))
    tag = draw(st.sampled_from(TAGS))
    return Change(key, TAG + tag.casefold(), draw(st.sampled_from((tag, None))), stamp)


local_states = st.builds(
    PaperState,
    starred=st.booleans(), read=st.booleans(), starred_at=st.sampled_from(AT), read_at=st.sampled_from(AT),
    tags=st.lists(st.sampled_from((*TAGS, "mine", "Mine2")), unique_by=str.casefold, max_size=4).map(tuple),
    note=st.sampled_from(("", "my own note")), removed=st.booleans(),
)


def shown_field_by_field(state: PaperState, merged: Merged, key: str) -> PaperState:
    """The rule spelled out the long way: the fold's whole state, then each
    field some change named taken from it; tags no change named stay first."""
    fields = merged.fields(key)
    shown = merged.state(key)
    values: dict = {}
    if STARRED in fields:
        values.update(starred=shown.starred, starred_at=shown.starred_at)
    if READ in fields:
        values.update(read=shown.read, read_at=shown.read_at)
    if REMOVED in fields:
        values.update(removed=shown.removed)
    if NOTE in fields:
        values.update(note=shown.note)
    if any(name.startswith(TAG) for name in fields):
        values.update(tags=tuple(t for t in state.tags if TAG + t.casefold() not in fields) + shown.tags)
    return replace(state, **values)


@settings(max_examples=300, deadline=None)
@given(st.lists(changes(), max_size=14), local_states)
def test_applying_sets_exactly_the_fields_changes_named(found: list[Change], state: PaperState) -> None:
    merged = Merged()
    merged.apply(found)
    for key in KEYS:
        assert applied_state(state, merged, key) == shown_field_by_field(state, merged, key)


def test_a_paper_no_change_named_keeps_its_state_and_tags_come_in_stamp_order() -> None:
    mine = PaperState(starred=True, starred_at=AT[0], tags=("mine", "ml"), note="my own note")
    merged = Merged()
    merged.apply([
        Change("arxiv:1", TAG + "nlp", "nlp", Stamp(1_700_000_000_002, 0, "desktop-b2")),
        Change("arxiv:1", TAG + "later", "later", Stamp(1_700_000_000_001, 0, "desktop-b2")),
        Change("arxiv:1", TAG + "ml", None, Stamp(1_700_000_000_003, 0, "desktop-b2")),
        Change("arxiv:1", READ, (True, AT[1]), Stamp(1_700_000_000_001, 0, "desktop-b2")),
    ])
    assert applied_state(mine, merged, "arxiv:2") is mine
    assert applied_state(mine, merged, "arxiv:1") == PaperState(
        starred=True, starred_at=AT[0], read=True, read_at=AT[1], tags=("mine", "later", "nlp"), note="my own note")


def _line(change: Change) -> bytes:
    return encode(change)[:-1]


DAMAGED = (
    b"", b"{", b"[]", b'{"k": 1}', b'"text"',
    b'{"k":"arxiv:1","f":"read","v":[true,"t"],"s":"1700000000000-000000-laptop-a1","x":1}',  # an unknown member
    b'{"k":"arxiv:1","f":"read","v":[true,"t"],"s":"1700000000000-000000-laptop-a1","b":"1700000000000-000000-laptop-a1"}',
    b'{"k":"arxiv:1","f":"read","v":[1,"t"],"s":"1700000000000-000000-laptop-a1"}',
    b'{"k":"arxiv:1","f":"starred","v":[true,"t"],"s":"1700000000000-00000g-laptop-a1"}',
    b'{"k":"batch:laptop-a1-1","f":"starred","v":[true,"t"],"s":"1700000000000-000000-laptop-a1"}',
    b'{"k":"arxiv:1","f":"tag:ml","v":"nlp","s":"1700000000000-000000-laptop-a1"}',
    b'{"k":"","f":"removed","v":true,"s":"1700000000000-000000-laptop-a1"}',
    b'{"k":"arxiv:1","f":"removed","s":"1700000000000-000000-laptop-a1","b":"1700000000000-000000-laptop-a1"}',
    b'{"k":"arxiv:1","f":"removed","v":true,"s":"1700000000000-000000-laptop-a1","b":"1700000000000-000000-laptop-a1"}',
    b'{"k":"batch:laptop-a1-1","f":"note","v":"n","s":"1700000000000-000000-laptop-a1","b":"1700000000000-000000-laptop-a1"}',
    b'{"k":"arxiv:1","f":"note","v":"n","s":"1700000000000-000000-laptop-a1","b":"17000000000-000000-laptop-a1"}',
)
damaged = st.sampled_from(DAMAGED)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(changes(), damaged), max_size=20), st.binary(max_size=12))
def test_a_chunk_reads_each_line_as_decode_does(lines: list[Change | bytes], tail: bytes) -> None:
    tail = tail.replace(b"\n", b"")
    data = b"".join((line if type(line) is bytes else _line(line)) + b"\n" for line in lines) + tail
    got, skipped, used = decode_chunk(data)
    assert got == [line for line in lines if type(line) is Change]  # each well-formed line, as it was written
    assert skipped == sum(type(line) is bytes for line in lines)  # each damaged one refused
    assert used == len(data) - len(tail)
    assert [decode(_line(line)) for line in lines if type(line) is Change] == got


def test_damaged_lines_are_refused_one_by_one() -> None:
    for line in DAMAGED:
        assert decode(line) is None, line


def test_lines_sharing_a_stamp_each_keep_their_own_fields() -> None:
    stamp = "1717236000000-00002a-laptop-a1"
    lines = [orjson.dumps({"k": f"arxiv:{n}", "f": "read", "v": [True, "t"], "s": stamp}) + b"\n" for n in range(3)]
    lines.insert(1, orjson.dumps({"k": "arxiv:9", "f": "read", "v": [True, "t"], "s": stamp[:-1] + "!"}) + b"\n")
    got, skipped, _used = decode_chunk(b"".join(lines))
    assert [change.key for change in got] == ["arxiv:0", "arxiv:1", "arxiv:2"] and skipped == 1
    assert len({change.stamp for change in got}) == 1 and got[0].stamp.text() == stamp
