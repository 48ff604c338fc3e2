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
    assert sorted(paper.batches) == [1, 2]  # refs.bib brought nothing new: it made no batch
    details = store.details(paper.key)
    assert (details.upvotes, details.comments) == (12, 3)
    assert details.abstract.startswith("Training deep networks")
    store.close()


# -- when the two records disagree, and what the summary counts ------------------------------

LN_KEY = "arxiv:1607.06450"
ENTRY = "@misc{e, title={Layer Normalization}, eprint={1607.06450}, archiveprefix={arXiv}}\n"


def _id_record(**fields) -> str:
    return json.dumps([{"key": LN_KEY, "title": "", "arxiv_id": "1607.06450", **fields}])


def _queue_of_two(pq_home: Path, tmp_path: Path, id_fields: dict, title_bib: str) -> Store:
    """The paper by id alone (older, from a JSON row) and a title-only record of its title."""
    store = Store.open(pq_home)
    import_file(store, _write(tmp_path, "id.json", _id_record(**id_fields)))
    import_file(store, _write(tmp_path, "title.bib", title_bib))
    assert len(store.papers) == 2
    return store


@pytest.mark.parametrize(
    ("id_fields", "title_fields", "folds"),
    [
        ({"published": "2016"}, "year={2014}", False),  # two years apart: another work
        ({"published": "2016"}, "year={2018}", False),
        ({"published": "2016"}, "year={2015}", True),  # one year apart: the same
        ({"published": "2016"}, "year={2016}", True),
        ({"authors": ["Jimmy Lei Ba"]}, "year={2016}", True),  # only one side has a year
        ({"published": "2016"}, "author={Ba, Jimmy}", True),
        ({"authors": ["Jimmy Lei Ba"]}, "author={Smith, John}", False),  # another first author
        ({"authors": ["Jimmy Lei Ba"], "published": "2016"}, "author={Ba, J.}, year={2016}", True),
    ],
)
def test_records_that_disagree_on_year_or_first_author_are_not_folded(
    pq_home: Path, tmp_path: Path, id_fields: dict, title_fields: str, folds: bool
) -> None:
    store = _queue_of_two(pq_home, tmp_path, id_fields, "@misc{t, title={Layer Normalization}, " + title_fields + "}\n")
    result = import_file(store, _write(tmp_path, "entry.bib", ENTRY))
    assert result.folded == (1 if folds else 0)
    assert len(store.papers) == (1 if folds else 2)
    store.close()


def test_counts_of_a_file_that_met_the_folded_paper_first(pq_home: Path, tmp_path: Path) -> None:
    store = _queue_of_two(pq_home, tmp_path, {}, "@misc{t, title={Layer Normalization}}\n")
    import_file(store, _write(tmp_path, "others.bib", "@misc{o, title={Other Paper}}\n@misc{p, title={Third Paper}}\n"))
    text = (
        "@misc{p1, title={Third Paper}, url={https://example.org/p1}}\n"
        "@misc{o1, title={Other Paper}, url={https://example.org/o1}}\n"
        "@misc{o2, title={Other Paper}}\n"
        "@misc{t1, title={Layer Normalization}, url={https://example.org/t1}}\n" + ENTRY
    )
    result = import_file(store, _write(tmp_path, "mixed.bib", text))
    assert (result.new, result.existing, result.merged, result.repeated, result.folded) == (0, 3, 3, 2, 1)
    assert result.new + result.existing + result.repeated == 5
    store.close()


def test_two_folds_in_one_file_are_both_counted(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    rows = [{"key": f"arxiv:1607.0645{n}", "title": "", "arxiv_id": f"1607.0645{n}"} for n in (0, 1)]
    import_file(store, _write(tmp_path, "ids.json", json.dumps(rows)))
    import_file(store, _write(tmp_path, "t.bib", "@misc{a, title={Paper Zero}}\n@misc{b, title={Paper One}}\n"))
    text = (
        "@misc{x, title={Paper Zero}, eprint={1607.06450}, archiveprefix={arXiv}}\n"
        "@misc{y, title={Paper One}, eprint={1607.06451}, archiveprefix={arXiv}}\n"
    )
    result = import_file(store, _write(tmp_path, "both.bib", text))
    assert result.folded == 2 and "2 folded into one" in result.summary()
    assert len(store.papers) == 2
    store.close()


def test_the_kept_title_only_paper_takes_the_doi_of_the_folded_one(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, _write(tmp_path, "title.bib", "@misc{t, title={Layer normalization}}\n"))  # older: kept
    import_file(store, _write(tmp_path, "id.json", _id_record(doi="10.1000/ln.2016")))
    assert len(store.papers) == 2
    result = import_file(store, _write(tmp_path, "entry.bib", ENTRY))
    assert result.folded == 1
    (paper,) = store.papers.values()
    assert paper.key == "title:layer-normalization"
    assert paper.doi == "10.1000/ln.2016" and paper.arxiv_id == "1607.06450"
    store.close()


def test_the_folded_pages_title_text_is_kept_over_a_later_bibtex_spelling(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, _write(tmp_path, "id.json", _id_record()))
    import_file(store, _write(tmp_path, "page.txt", "Layer normalization\n\nNormalising activities helps training.\n"))
    result = import_file(store, _write(tmp_path, "entry.bib", ENTRY))
    assert result.folded == 1
    (paper,) = store.papers.values()
    assert paper.key == LN_KEY
    assert paper.title == "Layer normalization"  # the queue's own text, filled in by the fold
    store.close()


def test_an_entry_naming_the_paper_by_doi_alone_folds_it(pq_home: Path, tmp_path: Path) -> None:
    store = _queue_of_two(pq_home, tmp_path, {"doi": "10.1000/LN.2016"}, "@misc{t, title={Layer Normalization}}\n")
    result = import_file(store, _write(tmp_path, "entry.bib", "@article{e, title={Layer Normalization}, doi={10.1000/ln.2016}}\n"))
    assert result.folded == 1
    assert list(store.papers) == [LN_KEY]
    store.close()


def test_a_doi_met_earlier_in_the_same_file_folds_too(pq_home: Path, tmp_path: Path) -> None:
    rows = [
        {"key": LN_KEY, "title": "", "arxiv_id": "1607.06450", "doi": "10.1000/ln.2016"},
        {"key": "k2", "title": "Layer Normalization"},
        {"key": "k3", "title": "Layer Normalization", "doi": "10.1000/LN.2016"},
    ]
    store = Store.open(pq_home)
    result = import_file(store, _write(tmp_path, "rows.json", json.dumps(rows)))
    assert (result.new, result.repeated, result.folded) == (1, 2, 1)
    assert list(store.papers) == [LN_KEY]
    store.close()


def test_a_paper_with_its_own_doi_is_never_folded_by_title(pq_home: Path, tmp_path: Path) -> None:
    store = _queue_of_two(pq_home, tmp_path, {}, "@article{t, title={Layer Normalization}, doi={10.1000/journal.7}}\n")
    result = import_file(store, _write(tmp_path, "entry.bib", ENTRY))
    assert result.folded == 0 and len(store.papers) == 2
    store.close()


def test_no_fold_when_the_id_paper_has_another_title(pq_home: Path, tmp_path: Path) -> None:
    store = _queue_of_two(pq_home, tmp_path, {"title": "Something Else Entirely"}, "@misc{t, title={Layer Normalization}}\n")
    result = import_file(store, _write(tmp_path, "entry.bib", ENTRY))
    assert result.folded == 0 and len(store.papers) == 2
    store.close()


def _three(pq_home: Path, tmp_path: Path, second: str, third: str) -> Store:
    store = Store.open(pq_home)
    import_file(store, _write(tmp_path, "id.json", _id_record()))
    import_file(store, _write(tmp_path, "b.bib", "@misc{b, title={Layer Normalization}, url={https://example.org/b}, " + second + "}\n"))
    import_file(store, _write(tmp_path, "c.bib", "@misc{c, title={Layer Normalization}, url={https://example.org/c}, " + third + "}\n"))
    assert len(store.papers) == 3
    return store


def test_the_fold_skips_a_title_twin_that_contradicts_and_takes_the_next(pq_home: Path, tmp_path: Path) -> None:
    store = _three(pq_home, tmp_path, "year={1990}", "year={2016}")
    entry = "@misc{e, title={Layer Normalization}, eprint={1607.06450}, archiveprefix={arXiv}, year={2016}}\n"
    result = import_file(store, _write(tmp_path, "entry.bib", entry))
    assert result.folded == 1
    assert "https://example.org/c" in store.papers[LN_KEY].links
    assert "https://example.org/b" not in store.papers[LN_KEY].links
    store.close()


def test_of_two_equally_good_title_twins_the_older_is_folded(pq_home: Path, tmp_path: Path) -> None:
    store = _three(pq_home, tmp_path, "author={Smith, John}", "author={Jones, Kate}")
    result = import_file(store, _write(tmp_path, "entry.bib", ENTRY))
    assert result.folded == 1
    assert "https://example.org/b" in store.papers[LN_KEY].links
    assert "https://example.org/c" not in store.papers[LN_KEY].links
    store.close()


def test_the_kept_papers_own_counts_and_categories_stay_and_the_queue_imports_on(pq_home: Path, tmp_path: Path) -> None:
    store = _queue_of_two(
        pq_home, tmp_path, {"upvotes": 12, "comments": 3, "categories": ["cs.LG"]}, "@misc{t, title={Layer Normalization}}\n"
    )
    result = import_file(store, _write(tmp_path, "entry.bib", ENTRY))
    assert result.folded == 1
    details = store.details(LN_KEY)
    assert (details.upvotes, details.comments, details.categories) == (12, 3, ("cs.LG",))
    # The same session imports on, finding the kept paper by id and by title.
    again = import_file(
        store,
        _write(tmp_path, "more.txt", "arXiv:1607.06450\n"),
    )
    assert (again.new, again.existing) == (0, 1)
    by_title = import_file(store, _write(tmp_path, "more.bib", "@misc{m, title={Layer normalization}, url={https://example.org/m}}\n"))
    assert (by_title.new, by_title.existing) == (0, 1)
    assert list(store.papers) == [LN_KEY]
    store.close()
