"""Field changes: what an action changed, undo and redo as new changes, and
their JSON lines (core/sync/changes.py)."""

from __future__ import annotations

import orjson
import pytest

from paperqueue.core.models import PaperState
from paperqueue.core.sync.changes import Change, batch_changes_of, changes_of, encode, undo_changes
from paperqueue.core.sync.decoding import decode, decode_chunk
from paperqueue.core.sync.hlc import HLC, Stamp


class Wall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        self.ms += 1
        return self.ms


def clock(device: str = "a", start: int = 1_700_000_000_000) -> HLC:
    return HLC(device, Wall(start))


def test_one_change_per_changed_field() -> None:
    before = PaperState(tags=("ml", "Vision"), note="old")
    after = PaperState(starred=True, starred_at="2024-05-01T10:00:00Z", tags=("vision", "nlp"), note="old")
    changes = changes_of(before, after, "arxiv:2401.00001", clock())
    got = {c.field: c.value for c in changes}
    assert got == {
        "starred": (True, "2024-05-01T10:00:00Z"),
        "tag:ml": None,
        "tag:vision": "vision",  # a new spelling is a change too
        "tag:nlp": "nlp",
    }
    assert {c.key for c in changes} == {"arxiv:2401.00001"}
    assert len({c.stamp for c in changes}) == 1  # one action, one stamp


def test_nothing_changed_means_no_change_and_no_stamp_spent() -> None:
    c = clock()
    state = PaperState(read=True, read_at="2024-05-01T10:00:00Z", tags=("ml",))
    assert changes_of(state, state, "k", c) == []
    assert c.last is None


def test_a_note_change_carries_the_stamp_it_was_edited_from() -> None:
    base = Stamp(1_600_000_000_000, 0, "b")
    [change] = changes_of(PaperState(note="x"), PaperState(note="x y"), "k", clock(), note_base=base)
    assert (change.field, change.value, change.base) == ("note", "x y", base)


def test_undo_emits_the_earlier_values_of_only_the_fields_the_action_changed_stamped_now() -> None:
    c = clock()
    before = PaperState(starred=True, starred_at="t1", tags=("ml",))
    after = PaperState(starred=True, starred_at="t1", tags=("ml", "rl"), removed=True)
    done = changes_of(before, after, "k", c)
    undone = undo_changes([("k", before, after)], c)
    assert {ch.field: ch.value for ch in undone} == {"tag:rl": None, "removed": False}
    assert all(u.stamp > d.stamp for u in undone for d in done)
    redone = undo_changes([("k", before.to_record(), after.to_record())], c, redo=True)  # log records work too
    assert {ch.field: ch.value for ch in redone} == {"tag:rl": "rl", "removed": True}
    assert all(r.stamp > u.stamp for r in redone for u in undone)


def test_undoing_a_note_edit_is_an_edit_from_the_current_version() -> None:
    c = clock()
    current = Stamp(1_800_000_000_000, 3, "b")
    [change] = undo_changes([("k", PaperState(note="a"), PaperState(note="ab"))], c, note_base=lambda key: current)
    assert (change.value, change.base) == ("a", current)
    assert change.stamp > current


def test_batch_fields_are_changes_too() -> None:
    changes = batch_changes_of("a-4", {"name": "x.bib", "added_at": "t", "start": 9},
                               {"name": "mine", "added_at": "t", "start": 9, "deleted": True}, clock())
    assert {(ch.key, ch.field, ch.value) for ch in changes} == {("batch:a-4", "name", "mine"), ("batch:a-4", "deleted", True)}


def test_lines_round_trip() -> None:
    c = clock()
    changes = changes_of(PaperState(), PaperState(starred=True, starred_at="t", read=True, read_at=None, tags=("ML",),
                                                   note="two\nlines \u202e", removed=True), "title:a-b", c,
                         note_base=Stamp(5, 0, "z"))
    changes += batch_changes_of("a-1", {}, {"name": "n", "deleted": False}, c)
    for change in changes:
        line = encode(change)
        assert line.count(b"\n") == 1 and line.endswith(b"\n")
        assert decode(line) == change


BAD = [
    b"", b"not json", b"[]", b'"x"',
    b'{"k":"k","f":"starred","v":[true,"t"]}',  # no stamp
    b'{"k":"k","f":"starred","v":[true,"t"],"s":"nope"}',
    b'{"k":"","f":"removed","v":true,"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"starred","v":true,"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"starred","v":[1,"t"],"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"read","v":[true,5],"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"removed","v":"yes","s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"note","v":5,"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"note","v":"x","s":"1700000000000-000000-a","b":"bad"}',
    b'{"k":"k","f":"removed","v":true,"s":"1700000000000-000000-a","b":"1700000000000-000000-a"}',
    b'{"k":"k","f":"tag:","v":null,"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"tag:ml","v":"nlp","s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"tag:ml","v":true,"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"colour","v":"red","s":"1700000000000-000000-a"}',
    b'{"k":"batch:a-1","f":"starred","v":[true,"t"],"s":"1700000000000-000000-a"}',
    b'{"k":"batch:a-1","f":"name","v":3,"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"removed","v":true,"s":"1700000000000-000000-a","extra":1}',
    b'{"k":"k","f":"removed","v":true,\n"s":"1700000000000-000000-a"}',
    b'{"k":"k","f":"removed","v":true,"s":"1700000000000-000000-a"}\n\n',
]


@pytest.mark.parametrize("line", BAD)
def test_malformed_lines_are_refused(line: bytes) -> None:
    assert decode(line) is None


def test_a_chunk_stops_before_a_half_written_last_line() -> None:
    c = clock()
    changes = changes_of(PaperState(), PaperState(removed=True, note="n"), "k", c)
    whole = b"".join(encode(ch) for ch in changes)
    damaged = b'{"k": 1}\n'
    half = encode(changes_of(PaperState(), PaperState(read=True, read_at="t"), "j", c)[0])[:-9]
    got, skipped, used = decode_chunk(whole + damaged + half)
    assert got == changes and skipped == 1
    assert used == len(whole + damaged)  # the reader keeps this position; the half line is read when whole
    assert orjson.loads(encode(changes[0]))["s"] == changes[0].stamp.text()


def test_a_change_is_frozen() -> None:
    change = Change("k", "removed", True, Stamp(1, 0, "a"))
    with pytest.raises(AttributeError):
        change.value = False  # type: ignore[misc]


def test_paper_lines_are_read_apart_and_malformed_ones_refused():
    from paperqueue.core.sync.changes import PaperLine, encode_paper
    from paperqueue.core.sync.hlc import parse_stamp

    stamp = parse_stamp("1717236000000-000000-laptop-a1b2c3")
    row = {"key": "arxiv:2401.00001", "title": "A title", "batches": [["laptop-a1b2c3-4", "feeds"]]}
    good = encode_paper(PaperLine("arxiv:2401.00001", row, stamp))
    bad = [
        good.replace(b'"k":"arxiv:2401.00001"', b'"k":"arxiv:2401.00002"'),  # the row names another key
        good.replace(b'"laptop-a1b2c3-4"', b'"laptop-a1b2c3"'),  # a batch id without its number
        good.replace(b'"title":"A title"', b'"title":"A title","starred":true'),  # a person's field
        good.replace(b'{"k"', b'{"x":1,"k"'),  # an unknown field
        good.replace(b'"title":"A title"', b'"title":7'),
    ]
    papers: list = []
    changes, skipped, used = decode_chunk(good + b"".join(bad) + good[:20], papers)
    assert changes == [] and skipped == len(bad) and used == len(good) + sum(map(len, bad))
    assert papers == [PaperLine("arxiv:2401.00001", row, stamp)] and papers[0].batches == [("laptop-a1b2c3-4", "feeds")]
    assert decode(good) is None  # not a field change
    assert decode_chunk(good) == ([], 0, len(good))  # passed over, not refused, when nobody asks for papers
