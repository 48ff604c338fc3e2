"""Folding two records of one paper (``core/store/fold.py``): the rules
for the person's combined state, which record a reader believes before and
after the aliases land, and what the kept paper takes from the folded one.
Written while mutation testing fold.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperqueue.core.importing import import_file
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.store.fold import combined, resolve, settled

# -- the person's state of two records --------------------------------------------


def test_starred_or_read_if_either_was_at_the_earlier_time() -> None:
    a = PaperState(starred=True, starred_at="2024-03-01T00:00:00Z", read=True, read_at="2024-05-01T00:00:00Z")
    b = PaperState(starred=True, starred_at="2024-02-01T00:00:00Z", read=True, read_at="2024-06-01T00:00:00Z")
    for kept, gone in ((a, b), (b, a)):
        state = combined(kept, gone)
        assert (state.starred, state.starred_at) == (True, "2024-02-01T00:00:00Z")
        assert (state.read, state.read_at) == (True, "2024-05-01T00:00:00Z")


def test_a_flag_set_on_one_record_only_keeps_that_records_time() -> None:
    kept = PaperState(starred=False, starred_at="2024-01-01T00:00:00Z")  # unstarred since
    gone = PaperState(starred=True, starred_at="2024-04-01T00:00:00Z", read=True, read_at="2024-04-02T00:00:00Z")
    state = combined(kept, gone)
    assert (state.starred, state.starred_at) == (True, "2024-04-01T00:00:00Z")
    assert (state.read, state.read_at) == (True, "2024-04-02T00:00:00Z")
    state = combined(gone, kept)
    assert (state.starred, state.starred_at) == (True, "2024-04-01T00:00:00Z")


def test_a_flag_set_without_a_time_keeps_no_invented_time() -> None:
    state = combined(PaperState(starred=True), PaperState(starred=False, starred_at="2020-01-01T00:00:00Z"))
    assert state.starred and state.starred_at is None
    state = combined(PaperState(read=False, read_at="2020-01-01T00:00:00Z"), PaperState(read=True))
    assert state.read and state.read_at is None
    state = combined(PaperState(), PaperState())
    assert not state.starred and not state.read and state.starred_at is None and state.read_at is None


def test_tags_united_in_order_and_notes_joined_once() -> None:
    kept = PaperState(tags=("ml", "norm"), note="read section 3")
    gone = PaperState(tags=("norm", "todo"), note="read section 3")
    state = combined(kept, gone)
    assert state.tags == ("ml", "norm", "todo")
    assert state.note == "read section 3"
    state = combined(PaperState(note="first"), PaperState(note="second"))
    assert state.note == "first\n\nsecond"
    assert combined(PaperState(), PaperState(note="only")).note == "only"


@pytest.mark.parametrize(("kept", "gone", "removed"), [(True, True, True), (True, False, False), (False, True, False), (False, False, False)])
def test_removed_only_if_both_were(kept: bool, gone: bool, removed: bool) -> None:
    assert combined(PaperState(removed=kept), PaperState(removed=gone)).removed is removed


# -- which record a reader believes ----------------------------------------------------


def test_a_fold_record_counts_only_once_its_aliases_landed() -> None:
    was = {"key": "arxiv:1", "title": "Before"}
    record = {"key": "arxiv:1", "title": "After", "fold": ["title:x", "title:y"], "was": was}
    assert settled(record, {}) == was
    assert settled(record, {"title:x": "arxiv:1"}) == was  # only part of them
    assert settled(record, {"title:x": "arxiv:1", "title:y": "arxiv:1"}) == record
    assert settled({"key": "arxiv:1", "fold": ["title:x"]}, {}) is None  # nothing it replaced
    assert settled({"key": "arxiv:1", "fold": ["title:x"], "was": "junk"}, {}) is None


def test_a_folded_papers_own_record_is_skipped() -> None:
    assert settled({"key": "title:x", "title": "X"}, {"title:x": "arxiv:1"}) is None
    plain = {"key": "title:z", "title": "Z"}
    assert settled(plain, {"title:x": "arxiv:1"}) == plain
    assert settled({"key": "arxiv:1", "fold": [], "title": "T"}, {}) == {"key": "arxiv:1", "fold": [], "title": "T"}


def test_resolve_follows_chains_across_tables_and_stops_on_a_loop() -> None:
    assert resolve("a") == "a"
    assert resolve("a", {"a": "b"}, {"b": "c"}) == "c"
    assert resolve("a", {"b": "c"}, {"a": "b"}) == "c"
    assert resolve("z", {"a": "b"}) == "z"
    assert resolve("a", {"a": "b", "b": "a"}) in {"a", "b"}  # a damaged file: bounded, no hang


# -- what the kept paper takes -------------------------------------------------------------

PAGE = "Layer Normalization\n\nTraining deep networks is expensive; normalising the activities helps.\n"
BIB = "@article{ba2016layer, title={Layer normalization}, author={Ba, Jimmy Lei}, journal={arXiv preprint arXiv:1607.06450}, year={2016}}\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_kept_paper_takes_upvotes_links_batches_and_the_earlier_added_time(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    # By title first (older, no id), then by id from a JSON row with upvotes and comments.
    import_file(store, _write(tmp_path, "page.txt", PAGE))
    row = {"key": "arxiv:1607.06450", "title": "", "arxiv_id": "1607.06450", "upvotes": 12, "comments": 3,
           "added_at": "2020-01-01T00:00:00Z", "links": ["https://github.com/example/ln"]}
    import_file(store, _write(tmp_path, "ids.json", json.dumps([row])))
    assert len(store.papers) == 2
    result = import_file(store, _write(tmp_path, "refs.bib", BIB))
    assert result.folded == 1
    store.close()
    store = Store.open(pq_home)
    (paper,) = store.papers.values()
    assert paper.key == "title:layer-normalization"  # the older key stays
    assert paper.arxiv_id == "1607.06450" and paper.title == "Layer Normalization"
    assert "https://github.com/example/ln" in paper.links
    assert paper.added_at == "2020-01-01T00:00:00Z"
    assert sorted(paper.batches) == [1, 2, 3]
    details = store.details(paper.key)
    assert (details.upvotes, details.comments) == (12, 3)
    assert details.abstract.startswith("Training deep networks")
    store.close()
