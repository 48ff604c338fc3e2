"""The search index after an import: new papers are searchable at once
(from the table without prefix indexes), and moving them into the prefix
table later (settling, chunk by chunk) never changes an answer."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from paperqueue.core.importing import import_file
from paperqueue.core.search import SearchIndex, query_words
from paperqueue.core.store import Store, layout

_WORDS = ("alpha", "alphabet", "beta", "betting", "a", "an", "ant", "gamma", "gam", "Zürich", "zurich", "naïve",
          "delta", "deltoid", "x", "xyz", "über", "model", "modest", "of", "o")


def _texts(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        title = f"Paper {seed}-{number} on {rng.choice(_WORDS)} and {rng.choice(_WORDS)}"
        abstract = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
        rows.append((title, abstract))
    return rows


def _page(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(f"{title}\n\n{abstract}\n\n" for title, abstract in rows), encoding="utf-8")
    return path


# Typed queries, every keystroke: 1-, 2- and 3-character last words, accents, several words.
_QUERIES = [text[:i] for text in ("alphabet", "an", "gamma delta", "zurich", "Über", "naive m", "of o", "x", "betting zz")
            for i in range(1, len(text) + 1)]


def _answers(index: SearchIndex) -> dict[str, set[int]]:
    return {query: index.search(query_words(query)) for query in _QUERIES}


def _truth(store: Store, tmp_path: Path) -> dict[str, set[int]]:
    """The answers of an index built from scratch (all in the prefix table)."""
    fresh = SearchIndex(tmp_path / "truth.sqlite")
    fresh.rebuild(((p.id, p.title, d.abstract) for p, d in store.iter_details()), store.generation)
    try:
        return _answers(fresh)
    finally:
        fresh.discard()


def test_answers_are_the_same_before_during_and_after_settling(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, _page(tmp_path / "one.txt", _texts(120, seed=1)))
    index = SearchIndex(pq_home / layout.SEARCH)
    truth = _truth(store, tmp_path)
    assert any(len(ids) > 20 for ids in truth.values()) and any(not ids for ids in truth.values())
    assert index.unsettled(), "an import leaves its papers for settling"
    assert _answers(index) == truth
    assert index.settle(store, chunk=50, stop=lambda: True) is False, "told to stop: moves nothing"
    assert index.settle(store, chunk=50, limit=1) is False, "one chunk of three moved"
    assert index.unsettled()
    assert _answers(index) == truth, "half settled"
    # Another import while part of the first is still unsettled.
    import_file(store, _page(tmp_path / "two.txt", _texts(40, seed=2)))
    truth = _truth(store, tmp_path)
    assert _answers(index) == truth
    assert index.settle(store, chunk=50) is True
    assert not index.unsettled()
    assert _answers(index) == truth, "settled"
    # Settled papers and a new import side by side.
    import_file(store, _page(tmp_path / "three.txt", _texts(10, seed=3)))
    truth = _truth(store, tmp_path)
    assert _answers(index) == truth
    assert index.settle(store) is True and _answers(index) == truth
    index.close()
    store.close()


def _hf(path: Path, arxiv_id: str, title: str, abstract: str) -> Path:
    path.write_text(json.dumps([{"paper": {"id": arxiv_id, "title": title, "summary": abstract}}]), encoding="utf-8")
    return path


@pytest.mark.parametrize("chunks_first", [0, 1, None], ids=["while-fresh", "when-half-settled", "when-settled"])
def test_a_changed_abstract_is_searched_by_its_new_words(pq_home: Path, tmp_path: Path, chunks_first: int | None) -> None:
    store = Store.open(pq_home)
    rows = [("Quokka habitats", "Arxiv 2403.01234: notes on marsupial burrows."), *_texts(30, seed=4)]
    import_file(store, _page(tmp_path / "page.txt", rows))
    index = SearchIndex(pq_home / layout.SEARCH)
    if chunks_first != 0:  # the paper is in the first chunk
        assert index.settle(store, chunk=8, limit=chunks_first) is (chunks_first is None)
    (paper_id,) = index.search(query_words("marsupial"))
    # The arXiv listing's abstract replaces the pasted one.
    import_file(store, _hf(tmp_path / "hf.json", "2403.01234", "Quokka habitats", "Wombat tunnels, measured."))
    assert store.details(store.papers[next(k for k, p in store.papers.items() if p.id == paper_id)].key).abstract == (
        "Wombat tunnels, measured.")
    for _ in range(2):  # before and after settling
        assert index.search(query_words("marsupial")) == set()
        assert index.search(query_words("mar")) == set()
        assert index.search(query_words("wombat")) == {paper_id}
        assert index.search(query_words("w")) >= {paper_id}
        assert index.search(query_words("quokka w")) == {paper_id}
        assert _answers(index) == _truth(store, tmp_path)
        assert index.settle(store, chunk=8) is True
        assert not index.unsettled()
    index.close()
    store.close()


def test_settling_a_stale_index_changes_nothing(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, _page(tmp_path / "page.txt", _texts(30, seed=5)))
    index = SearchIndex(pq_home / layout.SEARCH)
    before = _answers(index)
    store.generation += 1  # as if an import committed whose index writer has not (yet)
    assert index.settle(store) is False
    store.generation -= 1
    assert index.unsettled() and _answers(index) == before
    assert index.settle(store) is True and _answers(index) == before
    index.close()
    store.close()


def test_a_rebuilt_index_is_settled(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, _page(tmp_path / "page.txt", _texts(30, seed=6)))
    index = SearchIndex(pq_home / layout.SEARCH)
    before = _answers(index)
    index.rebuild(((p.id, p.title, d.abstract) for p, d in store.iter_details()), store.generation)
    assert not index.unsettled() and _answers(index) == before
    index.close()
    store.close()


def test_an_import_while_the_index_is_held_elsewhere_completes(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    """The index thread cannot start its transaction: the import still lands
    (its search cache is thrown away, to be rebuilt), and the parser never
    blocks on batches nobody takes."""
    import sqlite3
    import threading

    from paperqueue.core import search_tables

    monkeypatch.setattr(search_tables, "BATCH", 2)
    monkeypatch.setattr(search_tables, "QUEUED_BATCHES", 1)
    monkeypatch.setattr(search_tables, "WRITER_WAIT_MS", 10)
    store = Store.open(pq_home)
    import_file(store, _page(tmp_path / "one.txt", _texts(5, seed=7)))
    holder = sqlite3.connect(pq_home / layout.SEARCH, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    outcome: list[object] = []
    worker = threading.Thread(
        target=lambda: outcome.append(import_file(store, _page(tmp_path / "two.txt", _texts(20, seed=8)))), daemon=True
    )
    worker.start()
    worker.join(timeout=20)
    holder.execute("ROLLBACK")
    holder.close()
    assert not worker.is_alive(), "the import hung"
    assert outcome and outcome[0].new == 20 and len(store.papers) == 25
    assert SearchIndex(pq_home / layout.SEARCH).generation() != store.generation, "left for a rebuild"
    store.close()
