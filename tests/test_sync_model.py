"""The sync model (core/sync): three replicas with skewed clocks act and
exchange changes in any order; all end up showing the same queue. Plus undo
across devices and the note history."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from paperqueue.core.models import PaperState
from paperqueue.core.sync.changes import Change, changes_of, field_values, undo_changes
from paperqueue.core.sync.hlc import HLC, Stamp
from paperqueue.core.sync.merge import Merged

DAY = 86_400_000
START = 1_717_200_000_000  # 2024-06-01


class World:
    """True time, and each device's wall clock: an offset plus jitter that
    can send it backwards."""

    def __init__(self) -> None:
        self.now = START


class Replica:
    def __init__(self, device: str, world: World, offset: int) -> None:
        self.device = device
        self.world = world
        self.offset = offset
        self.jitter = 0
        self.clock = HLC(device, lambda: self.world.now + self.offset + self.jitter)
        self.merged = Merged()
        self.known: dict[tuple, Change] = {}
        self.undo: list[list[tuple[str, PaperState, PaperState]]] = []
        self.redo: list[list[tuple[str, PaperState, PaperState]]] = []

    def seen_max(self) -> Stamp | None:
        return max((c.stamp for c in self.known.values()), default=None)

    def receive(self, changes: list[Change]) -> None:
        for change in changes:
            self.clock.observe(change.stamp)
            self.known[(change.key, change.field, change.stamp)] = change
        self.merged.apply(changes)

    def own(self, changes: list[Change]) -> None:
        # A change made after this device saw another's orders after it,
        # whatever the wall clocks say.
        newest = self.seen_max()
        assert newest is None or all(c.stamp > newest for c in changes)
        self.receive(changes)

    def act(self, key: str, change) -> None:  # noqa: ANN001 - PaperState -> PaperState
        before = self.merged.state(key)
        after = change(before)
        changes = changes_of(before, after, key, self.clock, note_base=self.merged.note_stamp(key))
        if not changes:
            return
        self.own(changes)
        assert self.merged.state(key) == after  # what the person did is what they see
        self.undo.append([(key, before, after)])
        self.redo.clear()

    def move(self, redo: bool) -> None:
        source, target = (self.redo, self.undo) if redo else (self.undo, self.redo)
        if not source:
            return
        action = source.pop()
        target.append(action)
        expected = {}
        for key, before, after in action:
            now = field_values(self.merged.state(key))
            wanted, other = (field_values(after), field_values(before)) if redo else (field_values(before), field_values(after))
            for name in set(wanted) | set(other):
                if wanted.get(name) != other.get(name):
                    now[name] = wanted.get(name)
            expected[key] = {k: v for k, v in now.items() if v is not None}
        self.own(undo_changes(action, self.clock, redo=redo, note_base=self.merged.note_stamp))
        for key, values in expected.items():
            # Only the fields the action changed moved; the rest is as it was.
            assert {k: v for k, v in field_values(self.merged.state(key)).items() if v is not None} == values


KEYS = ["arxiv:2401.00001", "title:attention-is-all-you-need", "doi:10.1/x"]
TAGS = ["ml", "ML", "rl"]


def _action(kind: str, arg: str):  # noqa: ANN202
    def run(state: PaperState) -> PaperState:
        # The replica's wall clock is read for the ISO times, as the app does.
        at = f"2024-06-01T00:00:{len(arg):02d}Z"
        if kind == "star":
            return state.with_star(not state.starred, at)
        if kind == "read":
            return state.with_read(not state.read, at)
        if kind == "remove":
            return replace(state, removed=not state.removed)
        if kind == "tag":
            if not arg.strip() or any(t.casefold() == arg.casefold() for t in state.tags):
                return state
            return replace(state, tags=(*state.tags, arg))
        if kind == "untag":
            return replace(state, tags=tuple(t for t in state.tags if t.casefold() != arg.casefold()))
        return replace(state, note=state.note + arg if kind == "append" else arg)
    return run


_acts = st.one_of(
    st.tuples(st.just("act"), st.integers(0, 2), st.sampled_from(KEYS), st.sampled_from(["star", "read", "remove"]),
              st.just("")),
    st.tuples(st.just("act"), st.integers(0, 2), st.sampled_from(KEYS), st.sampled_from(["tag", "untag"]),
              st.sampled_from(TAGS)),
    st.tuples(st.just("act"), st.integers(0, 2), st.sampled_from(KEYS), st.sampled_from(["append", "note"]),
              st.sampled_from(["", " x", "y", "z z"])),
)
actions = st.one_of(
    _acts, _acts, _acts, _acts,
    st.tuples(st.just("undo"), st.integers(0, 2)),
    st.tuples(st.just("redo"), st.integers(0, 2)),
    st.tuples(st.just("sync"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2**32)),
    st.tuples(st.just("time"), st.integers(0, 2), st.integers(-5_000, 5_000), st.integers(0, 3_000)),
)


def reference(changes: list[Change]) -> dict[str, dict]:
    """One replica applying every change in stamp order, each overwriting
    the last: the field values and the tag order (by the stamp a tag was set)."""
    fields: dict[str, dict[str, tuple]] = {}
    for change in sorted(changes, key=lambda c: c.stamp):
        fields.setdefault(change.key, {})[change.field] = (change.value, change.stamp)
    out = {}
    for key, values in fields.items():
        tags = [v for f, (v, s) in sorted(values.items(), key=lambda i: (i[1][1], i[0])) if f.startswith("tag:") and v]
        out[key] = {"values": {f: v for f, (v, _s) in values.items()}, "tags": tags}
    return out


def shown(merged: Merged, keys: list[str]) -> dict:
    return {key: (merged.state(key), merged.note_history(key)) for key in keys}


@settings(max_examples=300)
@given(st.lists(actions, min_size=30, max_size=120), st.integers(0, 2**32))
def test_three_replicas_with_skewed_clocks_converge(steps: list[tuple], seed: int) -> None:
    world = World()
    # One clock a day ahead, one an hour behind, one right.
    replicas = [Replica("a", world, DAY), Replica("b", world, -3_600_000), Replica("c", world, 0)]
    for step in steps:
        kind, who = step[0], replicas[step[1]]
        if kind == "act":
            who.act(step[2], _action(step[3], step[4]))
        elif kind in ("undo", "redo"):
            who.move(redo=kind == "redo")
        elif kind == "sync":
            # Some of what the sender knows (its own and relayed changes),
            # in any order, some twice.
            rng = random.Random(step[3])
            sent = [c for c in replicas[step[2]].known.values() if rng.random() < 0.6]
            sent += rng.sample(sent, len(sent) // 3)
            rng.shuffle(sent)
            who.receive(sent)
        else:
            world.now += step[3]
            who.jitter = step[2]
    everything = list({id_: c for r in replicas for id_, c in r.known.items()}.values())
    rng = random.Random(seed)
    for replica in replicas:
        batch = everything + rng.sample(everything, len(everything) // 2)
        rng.shuffle(batch)
        replica.receive(batch)
    keys = sorted({c.key for c in everything})
    views = [shown(r.merged, keys) for r in replicas]
    assert views[0] == views[1] == views[2]
    in_order = Merged()
    in_order.apply(sorted(everything, key=lambda c: c.stamp))
    backwards = Merged()
    for change in sorted(everything, key=lambda c: c.stamp, reverse=True):
        backwards.apply([change])
    assert shown(in_order, keys) == shown(backwards, keys) == views[0]
    # A compacted file (each field's winner and the note leaves) folds the same.
    compacted = Merged()
    compacted.apply(list(in_order.kept()))
    assert shown(compacted, keys) == views[0]
    expected = reference(everything)
    for key in keys:
        state = in_order.state(key)
        assert field_values(state) == normal(expected[key]["values"])
        assert list(state.tags) == expected[key]["tags"]


def normal(values: dict) -> dict:
    """Field values as :func:`field_values` gives them: every plain field
    (a default when never changed), only the tags a paper holds."""
    out = {"starred": (False, None), "read": (False, None), "removed": False, "note": ""}
    out.update(values)
    return {f: v for f, v in out.items() if v is not None}


def _pair():  # noqa: ANN202
    world = World()
    return world, Replica("a", world, 0), Replica("b", world, -DAY)  # b's clock is a day behind


def test_undoing_my_tag_never_brings_back_a_star_removed_on_the_other_device() -> None:
    world, a, b = _pair()
    key = KEYS[0]
    a.act(key, _action("star", ""))
    b.receive(list(a.known.values()))
    world.now += 1_000
    a.act(key, _action("tag", "ml"))
    world.now += 1_000
    b.act(key, _action("star", ""))  # b unstars (its clock is a day behind)
    a.receive(list(b.known.values()))
    assert a.merged.state(key).starred is False
    a.move(redo=False)  # undo the tag
    b.receive(list(a.known.values()))
    for replica in (a, b):
        state = replica.merged.state(key)
        assert (state.starred, state.tags) == (False, ())
    a.move(redo=True)
    b.receive(list(a.known.values()))
    assert b.merged.state(key).tags == ("ml",) and b.merged.state(key).starred is False


def test_a_note_edited_on_both_devices_keeps_both_texts() -> None:
    world, a, b = _pair()
    key = KEYS[1]
    a.act(key, _action("note", "shared start"))
    b.receive(list(a.known.values()))
    world.now += 60_000
    a.act(key, _action("append", "; from the laptop"))
    world.now += 60_000
    b.act(key, _action("append", "; from the desktop"))  # concurrent: not seen a's edit
    a.receive(list(b.known.values()))
    b.receive(list(a.known.values()))
    for replica in (a, b):
        # a's edit has the higher stamp (b's clock is a day behind: its
        # stamp only just passes a's first change), so it is the note.
        assert replica.merged.state(key).note == "shared start; from the laptop"
        [other] = replica.merged.note_history(key)
        assert other.text == "shared start; from the desktop"
        assert other.describe() == f"also edited on b at {other.stamp.at()}"
        assert other.stamp.at().startswith("2024-06-01T")
    # Editing on, from the version shown, keeps the other text in the history.
    world.now += 60_000
    b.act(key, _action("append", " (merged)"))
    a.receive(list(b.known.values()))
    assert a.merged.state(key).note == "shared start; from the laptop (merged)"
    assert [v.text for v in a.merged.note_history(key)] == ["shared start; from the desktop"]


def test_a_note_edited_after_seeing_the_other_edit_has_no_history() -> None:
    world, a, b = _pair()
    key = KEYS[2]
    a.act(key, _action("note", "first"))
    b.receive(list(a.known.values()))
    b.act(key, _action("append", " then second"))
    a.receive(list(b.known.values()))
    world.now += 5
    a.act(key, _action("append", " then third"))
    b.receive(list(a.known.values()))
    for replica in (a, b):
        assert replica.merged.state(key).note == "first then second then third"
        assert replica.merged.note_history(key) == []


def test_the_same_changes_in_any_grouping_give_the_same_queue() -> None:
    world, a, b = _pair()
    for i, key in enumerate(KEYS):
        a.act(key, _action("star", ""))
        b.act(key, _action("tag", TAGS[i]))
        b.act(key, _action("note", "b" * i))
        world.now += 10
        a.act(key, _action("note", "a" * i))
    everything = [*a.known.values(), *b.known.values()]
    one = Merged()
    one.apply(everything)
    parts = Merged()
    for start in range(0, len(everything), 2):
        parts.apply(everything[start:start + 2])
        parts.apply(everything[: start + 1])  # again: duplicates count once
    assert shown(one, KEYS) == shown(parts, KEYS)
    assert one.apply(everything) == set()  # changes already applied change nothing
    assert parts.apply(list(reversed(everything))) == set()
