"""Sync, store level (issue 13, "Tests"): three real data homes set up for
folder sync into one shared folder take random actions (star, read, tag,
note, remove, undo, redo, imports of overlapping pages in different
formats) with skewed clocks, sync in random subsets and orders, and at the
end (everyone synced twice) all three show the same queue: the same
papers with the same states, equal to one replica that applied every
change in stamp order; the same batches; the same keys.

The machinery (replicas, clocks, pages, the reference fold) is in
``sync_replicas_helpers``. The model-level version (the fold alone) is
tests/test_sync_model.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperqueue.core.organize import delete_batch, delete_tag, rename_batch, rename_tag
from sync_replicas_helpers import (
    DAY, DEFAULT, FORMATS, POOL, Replica, World, plain, reference, write_page,
)

TAGS = ["ml", "ML", "diffusion", "to-read"]
NOTES = ["", "read §3", " (again)", "compare with the 3D one"]

# Most actions fall on the first three papers, so the replicas often change the same ones between syncs.
_paper = st.sampled_from([0, 0, 0, 1, 1, 2, *range(len(POOL))])
_who = st.integers(0, 2)
_json_state = st.sampled_from([
    {"starred": True, "starred_at": "2024-03-14T09:00:00Z"},
    {"read": True, "read_at": "2024-03-14T10:00:00Z", "tags": ["diffusion"]},
    {"note": "from the other export"},
])
imports = st.tuples(
    st.just("import"), _who, st.sampled_from(FORMATS),
    st.lists(_paper, min_size=3, max_size=5, unique=True),
    st.booleans(),  # --restore
    st.dictionaries(_paper, _json_state, max_size=2),  # the person's fields a JSON export carries
)
flags = st.tuples(st.just("act"), _who, _paper, st.sampled_from(["star", "read", "remove"]), st.just(""))
tags = st.tuples(st.just("act"), _who, _paper, st.sampled_from(["tag", "untag"]), st.sampled_from(TAGS))
notes = st.tuples(st.just("act"), _who, _paper, st.sampled_from(["note", "append"]), st.sampled_from(NOTES))
organize = st.one_of(
    # Rename (to another spelling, or into another tag) or delete a tag on every paper holding it.
    st.tuples(st.just("tag"), _who, st.sampled_from(TAGS), st.sampled_from([None, *TAGS, "Diffusion"])),
    # Rename or delete a batch (by the start of its name: the replica's own or one landed from another).
    st.tuples(st.just("batch"), _who, st.sampled_from(["a page", "b page", "c page"]),
              st.sampled_from([None, "monday", "to triage"])),
)
# Two or three replicas change one paper between syncs (each as an "act" step).
together = st.tuples(_paper, st.lists(st.one_of(
    st.tuples(_who, st.sampled_from(["star", "read", "remove"]), st.just("")),
    st.tuples(_who, st.sampled_from(["tag", "untag"]), st.sampled_from(TAGS)),
    st.tuples(_who, st.sampled_from(["note", "append"]), st.sampled_from(NOTES[1:])),
), min_size=2, max_size=3)).map(lambda t: [("act", who, t[0], what, arg) for who, what, arg in t[1]])
syncs = st.tuples(st.just("sync"), st.permutations([0, 1, 2]), st.integers(1, 3))  # these replicas, in this order
steps = st.one_of(
    flags, flags, tags, notes, together, together, syncs, syncs, imports, organize,
    # s / r on a selection of papers: one action.
    st.tuples(st.just("many"), _who, st.lists(_paper, min_size=2, max_size=4, unique=True),
              st.sampled_from(["starred", "read"])),
    st.tuples(st.sampled_from(["undo", "undo", "redo"]), _who),
    # True time moves on; one replica's wall clock jumps (maybe backwards).
    st.tuples(st.just("time"), _who, st.integers(-5_000, 5_000), st.integers(0, 90_000)),
    st.tuples(st.just("reopen"), _who),
)
# First some imports, often followed by a sync of all (so all hold papers to change at once), then anything.
scenarios = st.tuples(
    st.lists(imports, min_size=1, max_size=3),
    st.lists(st.tuples(st.just("sync"), st.permutations([0, 1, 2]), st.just(3)), max_size=1),
    st.lists(steps, min_size=6, max_size=25),
).map(lambda parts: parts[0] + parts[1] + [s for step in parts[2] for s in (step if isinstance(step, list) else [step])])
# Bytes of a device's own sync files before it compacts them (None: the default, never reached here).
compactions = st.sampled_from([None, None, 1_500, 6_000])

# One clock a day ahead, one an hour behind, one right.
OFFSETS = {"a": DAY, "b": -3_600_000, "c": 0}


class Outcome:
    def __init__(self, replicas: list[Replica], folder: Path) -> None:
        self.views = {r.name: r.view() for r in replicas}
        self.shown = {r.name: r.shown() for r in replicas}
        self.batches = {r.name: r.batches() for r in replicas}
        self.tag_order = {r.name: r.tag_order() for r in replicas}
        self.histories = {r.name: r.note_histories() for r in replicas}
        self.expected, self.expected_batches, self.expected_histories = reference(folder, replicas)


def run(steps: list[tuple], tmp: Path, compact_at: int | None = None) -> Outcome:
    """Play ``steps`` on three replicas, sync everyone twice, and check the
    last round changed nothing: what they show, and what one replica folding
    every change in stamp order shows."""
    if compact_at is not None:
        with mock.patch.dict(os.environ, {"PAPERQUEUE_SYNC_COMPACT_AT": str(compact_at)}):
            return run(steps, tmp)
    world = World()
    folder = tmp / "shared"
    replicas = [Replica(name, tmp / name, folder, world, offset) for name, offset in OFFSETS.items()]
    pages = 0
    try:
        for step in steps:
            kind = step[0]
            if kind == "import":
                _kind, who, fmt, indices, restore, states = step
                pages += 1
                path = write_page(tmp / "pages", pages, fmt, indices, states if fmt == "json" else None)
                replicas[who].import_page(path, restore=restore)
            elif kind == "act":
                _kind, who, index, what, arg = step
                replica = replicas[who]
                key = replica.key_of(POOL[index])
                if key is None:
                    continue  # not in this queue (yet)
                if what in ("star", "read", "remove"):
                    getattr(replica, what)(key)
                elif what in ("tag", "untag"):
                    getattr(replica, what)(key, arg)
                else:
                    replica.note(key, arg, append=what == "append")
            elif kind == "many":
                _kind, who, indices, field = step
                keys = [key for i in indices if (key := replicas[who].key_of(POOL[i])) is not None]
                if keys:
                    replicas[who].change_many(keys, field)
            elif kind == "tag":
                _kind, who, tag, new = step
                replicas[who].organize(lambda store: rename_tag(store, tag, new) if new else delete_tag(store, tag))
            elif kind == "batch":
                _kind, who, ref, new = step
                replicas[who].organize(lambda store: rename_batch(store, ref, new) if new else delete_batch(store, ref))
            elif kind in ("undo", "redo"):
                replicas[step[1]].step(redo=kind == "redo")
            elif kind == "sync":
                for who in step[1][: step[2]]:
                    replicas[who].sync()
            elif kind == "time":
                _kind, who, jitter, advance = step
                world.now += advance
                replicas[who].jitter = jitter
            elif kind == "reopen":
                replicas[step[1]].reopen()
        world.now += 1_000
        for replica in replicas * 2:
            replica.sync()
        for replica in replicas:
            summary = replica.sync()
            assert not summary.changed_here, f"{replica.name}: a third sync still changed: {summary.line()}"
        return Outcome(replicas, folder)
    finally:
        for replica in replicas:
            replica.close()


def _fresh() -> Path:
    return Path(tempfile.mkdtemp(prefix="pq-replicas-"))


def check_states(outcome: Outcome) -> None:
    views = {name: plain(view) for name, view in outcome.views.items()}
    a, b, c = views["a"], views["b"], views["c"]
    assert sorted(a) == sorted(b) == sorted(c), "the three queues hold different papers"
    assert a == b == c, "the three queues show different states"
    # Equal to folding every change in stamp order (papers no change named: untouched).
    expected = {title: outcome.expected.get(title, DEFAULT) for title in a}
    assert a == expected, "the queues differ from every change applied in stamp order"
    order = outcome.tag_order
    assert order["a"] == order["b"] == order["c"], "the three queues show tags in different orders"
    notes = outcome.histories
    assert notes["a"] == notes["b"] == notes["c"], "the three queues show different note histories"
    expected_notes = {title: outcome.expected_histories.get(title, []) for title in a}
    assert notes["a"] == expected_notes, "the note histories differ from every change folded in stamp order"


def check_keys(outcome: Outcome) -> None:
    keys = {name: sorted(row["key"] for row in view.values()) for name, view in outcome.views.items()}
    assert keys["a"] == keys["b"] == keys["c"], "one paper, one key, everywhere"


def check_batches(outcome: Outcome) -> None:
    shown = outcome.shown
    assert shown["a"] == shown["b"] == shown["c"], "the three queues show different papers (hidden: deleted batches)"
    assert outcome.batches["a"] == outcome.batches["b"] == outcome.batches["c"], "the three queues show different batches"
    assert outcome.batches["a"] == outcome.expected_batches


# Repeatable in CI: the same examples every run, no example database.
REPEATABLE = settings(max_examples=100, derandomize=True, database=None, deadline=None, print_blob=True,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# The batch and key properties: fewer examples (their states are checked above).
FEWER = settings(REPEATABLE, max_examples=40)


@REPEATABLE
@given(scenarios, compactions)
def test_three_stores_with_skewed_clocks_show_the_same_states(steps: list[tuple], compact_at: int | None) -> None:
    tmp = _fresh()
    try:
        check_states(run(steps, tmp, compact_at))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@FEWER
@given(scenarios)
def test_three_stores_show_the_same_papers_and_batches(steps: list[tuple]) -> None:
    tmp = _fresh()
    try:
        check_batches(run(steps, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@FEWER
@given(scenarios)
def test_three_stores_use_the_same_keys(steps: list[tuple]) -> None:
    tmp = _fresh()
    try:
        check_keys(run(steps, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- what the property tests found, each as a plain test --------------------------------------------


@pytest.fixture
def three(tmp_path):
    world = World()
    replicas = [Replica(name, tmp_path / name, tmp_path / "shared", world, offset) for name, offset in OFFSETS.items()]
    yield world, replicas
    for replica in replicas:
        replica.close()


def sync_all(replicas: list[Replica]) -> None:
    for replica in replicas * 2:
        replica.sync()


def test_a_star_a_json_export_carries_for_a_new_paper_travels(three, tmp_path):
    _world, (a, b, _c) = three
    carried = {1: {"starred": True, "starred_at": "2024-03-14T09:00:00Z", "tags": ["ml"], "note": "from the export"}}
    a.import_page(write_page(tmp_path / "pages", 1, "json", [0, 1, 2], carried))
    assert a.view()[POOL[1].ident]["starred"] == (True, "2024-03-14T09:00:00Z")  # A shows the star
    sync_all([a, b])
    on_b = b.view()[POOL[1].ident]
    assert (on_b["starred"], on_b["tags"], on_b["note"]) == ((True, "2024-03-14T09:00:00Z"), ["ml"], "from the export")


def test_one_page_imported_on_two_devices_shows_both_batches_on_both(three, tmp_path):
    _world, (a, b, _c) = three
    a.import_page(write_page(tmp_path / "pages", 1, "page", [0, 1, 2]))
    b.import_page(write_page(tmp_path / "pages", 2, "page", [0, 1, 2]))
    sync_all([a, b])
    assert a.batches() == b.batches()


def test_undoing_an_import_on_one_device_hides_the_same_papers_on_all(three, tmp_path):
    _world, (a, b, c) = three
    a.import_page(write_page(tmp_path / "pages", 1, "page", [0, 1, 2]))
    b.import_page(write_page(tmp_path / "pages", 2, "page", [0, 1, 2]))
    sync_all([a, b, c])
    assert b.step(redo=False)  # undo B's import: its batch is deleted, on every device
    sync_all([a, b, c])
    assert a.shown() == b.shown() == c.shown()


def test_a_pasted_page_and_an_atom_feed_of_the_same_papers_give_one_key_everywhere(three, tmp_path):
    world, (a, b, c) = three
    a.import_page(write_page(tmp_path / "pages", 1, "page", [0, 1, 2]))
    world.now += 60_000
    b.import_page(write_page(tmp_path / "pages", 2, "atom", [1, 2, 3]))
    sync_all([a, b, c])
    keys = {r.name: sorted(row["key"] for row in r.view().values()) for r in (a, b, c)}
    assert keys["a"] == keys["b"] == keys["c"]


def test_a_paper_removed_under_its_title_key_stays_removed_once_it_takes_the_arxiv_key(three, tmp_path):
    """A knows three papers from a pasted page (title keys), B from an arXiv
    feed (arXiv keys, made first: B's clock is behind). A removes one. Once
    A takes B's keys, A must still show it removed, as B and C do."""
    _world, (a, b, c) = three
    a.import_page(write_page(tmp_path / "pages", 1, "page", [0, 1, 2]))
    b.import_page(write_page(tmp_path / "pages", 2, "atom", [0, 1, 2]))
    assert a.remove(a.key_of(POOL[0]))
    sync_all([a, b, c])
    removed = {r.name: r.view()[POOL[0].ident]["removed"] for r in (a, b, c)}
    assert removed == {"a": True, "b": True, "c": True}


def test_notes_edited_at_once_under_two_keys_of_one_paper_keep_the_other_text(three, tmp_path):
    """A knows a paper from a pasted page (title key), B from an arXiv feed
    (arXiv key). Both edit its note before syncing: the later edit (A's,
    its clock a day ahead) is the note, and B's text stays in the note's
    history on every device ("never silently drop text")."""
    from paperqueue.core.sync.notes import load_note_history

    _world, (a, b, c) = three
    a.import_page(write_page(tmp_path / "pages", 1, "page", [0, 1, 2]))
    b.import_page(write_page(tmp_path / "pages", 2, "atom", [0, 1, 2]))
    assert b.note(b.key_of(POOL[1]), "from the desktop", append=False)
    assert a.note(a.key_of(POOL[1]), "from the laptop", append=False)
    sync_all([a, b, c])
    for replica in (a, b, c):
        key = replica.key_of(POOL[1])
        assert replica.store.state(key).note == "from the laptop"
        assert [v.text for v in load_note_history(replica.home, key)] == ["from the desktop"], replica.name


def test_a_device_that_syncs_last_shows_both_batches_of_one_page(three, tmp_path):
    _world, (a, b, c) = three
    a.import_page(write_page(tmp_path / "pages", 1, "page", [0, 1, 2]))
    b.import_page(write_page(tmp_path / "pages", 2, "page", [0, 1, 2]))
    a.sync()
    b.sync()
    sync_all([a, b, c])
    # Today A and B show both batches, C only "a page 1".
    assert a.batches() == b.batches() == c.batches() == ["a page 1", "b page 1"]


def test_papers_of_a_deleted_batch_stay_shown_by_the_other_devices_batch(three, tmp_path):
    _world, (a, b, c) = three
    a.import_page(write_page(tmp_path / "pages", 1, "page", [0, 1, 2]))
    b.import_page(write_page(tmp_path / "pages", 2, "page", [0, 1, 3, 4, 5]))
    assert a.step(redo=False)  # A undoes its import before any sync: "a page 1" is deleted
    sync_all([a, b, c])
    # Today A and B show the five papers of "b page 1", C only 3, 4 and 5.
    assert len(a.shown()) == 5
    assert a.shown() == b.shown() == c.shown()
