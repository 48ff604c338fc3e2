"""Two known papers folded into one when a richer entry proves they are the
same: one known by its arXiv id alone, one by its title alone, and a BibTeX
entry carrying both (issue 8 item 6)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from paperqueue.cli import main
from paperqueue.core.export import export
from paperqueue.core.history import History
from paperqueue.core.importing import import_file
from paperqueue.core.models import PaperState
from paperqueue.core.queue import QueueView
from paperqueue.core.search import SearchIndex
from paperqueue.core.store import Store, layout

IDS = "arXiv:1607.06450v1\n"
PAGE = """Layer Normalization

Training state-of-the-art, deep neural networks is computationally expensive. One way to reduce the training time is to normalize the activities of the neurons.
"""
BIB = """@article{ba2016layer,
  title={Layer normalization},
  author={Ba, Jimmy Lei and Kiros, Jamie Ryan and Hinton, Geoffrey E},
  journal={arXiv preprint arXiv:1607.06450},
  year={2016}
}
"""
ID_KEY = "arxiv:1607.06450"
TITLE_KEY = "title:layer-normalization"


def _import(store: Store, tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_file(store, path)


def _two_papers(home: Path, tmp_path: Path, first: str = "ids") -> Store:
    """A queue holding the paper twice: by id alone and by title alone,
    each with some of the person's state."""
    store = Store.open(home)
    order = [("ids.txt", IDS), ("page.txt", PAGE)]
    for name, text in order if first == "ids" else reversed(order):
        _import(store, tmp_path, name, text)
    assert sorted(store.papers) == [ID_KEY, TITLE_KEY]
    store.set_state(ID_KEY, PaperState(starred=True, starred_at="2024-01-02T00:00:00Z", tags=("ml",), note="from the list"))
    store.set_state(
        TITLE_KEY,
        PaperState(read=True, read_at="2024-01-03T00:00:00Z", tags=("norm", "ml"), note="from the page"),
    )
    store.flush()
    return store


@pytest.mark.parametrize("first", ["ids", "page"])
def test_fold_keeps_one_paper_with_both_states(pq_home: Path, tmp_path: Path, first: str) -> None:
    store = _two_papers(pq_home, tmp_path, first)
    older = ID_KEY if first == "ids" else TITLE_KEY
    result = _import(store, tmp_path, "refs.bib", BIB)
    assert result.summary() == "0 new, 1 already in the queue (1 merged, 0 unchanged), 0 entries not understood, 1 folded into one"
    for opened in (store, Store.open(pq_home, lock=False)):
        assert list(opened.papers) == [older]  # the older key stays: keys are permanent
        paper = opened.papers[older]
        assert paper.arxiv_id == "1607.06450" and paper.title.lower() == "layer normalization"
        assert opened.details(older).abstract.startswith("Training state-of-the-art")
        state = opened.state(older)
        assert state.starred and state.read
        assert state.tags == ("ml", "norm") if first == "ids" else ("norm", "ml")
        notes = ("from the list", "from the page") if first == "ids" else ("from the page", "from the list")
        assert state.note == "\n\n".join(notes)
        assert not state.removed
        assert set(opened.states) == {older}
    store.close()


def test_fold_counts_one_paper_in_views_batches_and_tags(pq_home: Path, tmp_path: Path) -> None:
    store = _two_papers(pq_home, tmp_path)
    _import(store, tmp_path, "refs.bib", BIB)
    store.close()
    store = Store.open(pq_home)
    view = QueueView(store.ordered_papers(), store.states)
    assert view.counts == {"inbox": 0, "starred": 1, "read": 1, "all": 1}
    # Each of the three imports holds the one paper (read: none unread).
    (paper,) = store.papers.values()
    assert sorted(paper.batches) == sorted(store.batch_info)
    assert view.batch_unread == {}
    assert store.count == 1
    store.close()


def test_list_json_shows_the_folded_paper_once(pq_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _two_papers(pq_home, tmp_path).close()
    assert main(["import", str(_write(tmp_path, "refs.bib", BIB))]) == 0
    assert "1 folded into one" in capsys.readouterr().out
    assert main(["list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["key"] for row in rows] == [ID_KEY]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_search_finds_the_folded_paper_once(pq_home: Path, tmp_path: Path) -> None:
    store = _two_papers(pq_home, tmp_path)
    index = SearchIndex(pq_home / layout.SEARCH)
    gone = store.papers[TITLE_KEY].id
    assert gone in index.search(["training"])
    _import(store, tmp_path, "refs.bib", BIB)
    kept = store.papers[ID_KEY].id
    assert index.search(["training"]) == {kept}
    assert index.search(["layer", "normalization"]) == {kept}
    assert index.generation() == store.generation
    index.close()
    store.close()


def test_old_key_is_an_alias_for_a_json_export_made_before_the_fold(pq_home: Path, tmp_path: Path) -> None:
    store = _two_papers(pq_home, tmp_path)
    dump = _write(tmp_path, "before.json", export(store, "json"))
    _import(store, tmp_path, "refs.bib", BIB)
    store.close()
    store = Store.open(pq_home)
    result = import_file(store, dump)
    assert (result.new, result.existing) == (0, 1)
    assert list(store.papers) == [ID_KEY]
    # A new, different paper of the old title-only key's title gets a key of its own.
    other = "@book{old, title={Layer Normalization}, author={Smith, A}, year={1957}}\n"
    result = _import(store, tmp_path, "old.bib", other)
    assert result.new == 1
    assert TITLE_KEY not in store.papers and len(store.papers) == 2
    store.close()
    store = Store.open(pq_home)
    assert len(store.papers) == 2 and ID_KEY in store.papers
    store.close()


def test_undo_and_redo_of_an_old_action_on_the_folded_key(pq_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = _two_papers(pq_home, tmp_path)
    history = History(store.home)
    before = store.state(TITLE_KEY)
    after = replace(before, starred=True, starred_at="2024-01-04T00:00:00Z")
    history.record("Starred 1 paper", [(TITLE_KEY, {"key": TITLE_KEY, **before.to_record()}, after.to_record())])
    store.set_state(TITLE_KEY, after)
    seq = history.write()
    store.flush()
    history.mark_synced(seq)
    _import(store, tmp_path, "refs.bib", BIB)
    # The app's undo puts the logged state back through set_state.
    store.set_state(TITLE_KEY, before)
    store.flush()
    assert list(store.papers) == [ID_KEY] and set(store.states) == {ID_KEY}
    store.close()
    assert main(["undo"]) == 0
    assert main(["redo"]) == 0
    capsys.readouterr()
    assert main(["list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["key"] for row in rows] == [ID_KEY]
    store = Store.open(pq_home)
    assert set(store.states) == {ID_KEY} and store.state(ID_KEY).starred
    store.close()


def test_fold_within_one_file(pq_home: Path, tmp_path: Path) -> None:
    text = (
        "@misc{byid, eprint={1607.06450}, archiveprefix={arXiv}}\n"
        "@misc{bytitle, title={Layer Normalization}, url={https://example.org/ln}}\n" + BIB
    )
    store = Store.open(pq_home)
    result = _import(store, tmp_path, "one.bib", text)
    assert (result.new, result.existing, result.repeated, result.folded) == (1, 0, 2, 1)
    assert result.new + result.existing + result.repeated + result.not_understood == 3
    (paper,) = store.papers.values()
    assert paper.arxiv_id == "1607.06450" and "https://example.org/ln" in paper.links
    index = SearchIndex(pq_home / layout.SEARCH)
    assert index.search(["layer"]) == {paper.id}
    index.close()
    store.close()
    store = Store.open(pq_home)
    assert len(store.papers) == 1 and store.count == 1
    store.close()


def test_fold_of_a_known_paper_and_one_new_in_the_file(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "ids.txt", IDS)
    text = "@misc{bytitle, title={Layer Normalization}}\n" + BIB
    result = _import(store, tmp_path, "two.bib", text)
    assert (result.new, result.existing, result.repeated, result.folded) == (0, 1, 1, 1)
    assert list(store.papers) == [ID_KEY]
    store.close()


def test_no_fold_when_the_title_only_paper_contradicts(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "ids.txt", IDS)
    _import(store, tmp_path, "old.bib", "@book{old, title={Layer Normalization}, author={Smith, A}, year={1957}}\n")
    result = _import(store, tmp_path, "refs.bib", BIB)
    assert result.folded == 0 and len(store.papers) == 2
    store.close()


def test_a_fold_that_never_committed_leaves_both_papers(
    pq_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _two_papers(pq_home, tmp_path)
    states = dict(store.states)
    titles = {key: paper.title for key, paper in store.papers.items()}
    batches = {key: paper.batches for key, paper in store.papers.items()}
    real_table = Store._table

    def failing_meta(self, path, name):
        table = real_table(self, path, name)
        if name == "meta":
            def refuse(*_args, **_kwargs):
                raise OSError(28, "No space left on device")
            table.put = refuse  # type: ignore[method-assign]
        return table

    with monkeypatch.context() as patched:
        patched.setattr(Store, "_table", failing_meta)
        with pytest.raises(OSError):
            _import(store, tmp_path, "refs.bib", BIB)
    store.close()
    store = Store.open(pq_home)
    assert sorted(store.papers) == [ID_KEY, TITLE_KEY]
    assert store.states == states
    assert {key: paper.batches for key, paper in store.papers.items()} == batches
    assert store.papers[TITLE_KEY].title == titles[TITLE_KEY]
    # The same import again folds them.
    result = _import(store, tmp_path, "refs.bib", BIB)
    assert result.folded == 1 and list(store.papers) == [ID_KEY]
    store.close()
