"""One paper however it arrives (an id list, a pasted page, a BibTeX file),
and paperqueue's JSON export read back keeps the batches it named."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from paperqueue.core.export import export
from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

IDS = "arXiv:1607.06450v1\n"
PAGE = """Layer Normalization

Training state-of-the-art, deep neural networks is computationally expensive. One way to reduce the training time is to normalize the activities of the neurons.
"""
# How a popular textbook's bibliography writes an arXiv preprint.
BIB = """@article{ba2016layer,
  title={Layer normalization},
  author={Ba, Jimmy Lei and Kiros, Jamie Ryan and Hinton, Geoffrey E},
  journal={arXiv preprint arXiv:1607.06450},
  year={2016}
}
"""
SOURCES = {"ids.txt": IDS, "page.txt": PAGE, "refs.bib": BIB}


# When the id list and the page both come before the BibTeX file, the queue
# already holds two papers (one known by id alone, one by title alone) and
# the BibTeX entry that links them folds one into the other (tests/test_fold.py).
ORDERS = list(itertools.permutations(SOURCES))


@pytest.mark.parametrize("order", ORDERS, ids="-then-".join)
def test_id_list_page_and_bibtex_are_one_paper(pq_home: Path, tmp_path: Path, order: tuple[str, ...]) -> None:
    store = Store.open(pq_home)
    for name in order:
        path = tmp_path / name
        path.write_text(SOURCES[name], encoding="utf-8")
        import_file(store, path)
    assert len(store.papers) == 1, sorted(store.papers)
    (paper,) = store.papers.values()
    assert paper.arxiv_id == "1607.06450"
    assert paper.title.lower() == "layer normalization"
    details = store.details(paper.key)
    assert details.abstract.startswith("Training state-of-the-art")
    assert details.authors[0].startswith("Ba") or details.authors[0].endswith("Ba")
    store.close()


def _import_named(store: Store, tmp_path: Path, name: str, text: str, batch: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    import_file(store, path, name=batch)


def test_json_export_read_back_keeps_its_batch_names(tmp_path: Path) -> None:
    first = Store.open(tmp_path / "first")
    _import_named(first, tmp_path, "a.bib", "@article{a, title={Alpha paper}}\n@article{b, title={Both paper}}\n", "monday reading")
    _import_named(first, tmp_path, "b.bib", "@article{b, title={Both paper}}\n@article{c, title={Gamma paper}}\n", "tuesday reading")
    dump = tmp_path / "queue.json"
    dump.write_text(export(first, "json"), encoding="utf-8")
    first.close()

    second = Store.open(tmp_path / "second")
    import_file(second, dump, name="restored")
    by_title = {p.title: {second.batch_name(b) for b in p.batches} for p in second.papers.values()}
    assert by_title["Alpha paper"] >= {"monday reading"}
    assert by_title["Both paper"] >= {"monday reading", "tuesday reading"}
    assert by_title["Gamma paper"] >= {"tuesday reading"} and "monday reading" not in by_title["Gamma paper"]
    monday = json.loads(export(second, "json", batch="monday reading"))
    assert sorted(row["title"] for row in monday) == ["Alpha paper", "Both paper"]
    second.close()

    # Reopened, the named batches are still there (they are on disk).
    second = Store.open(tmp_path / "second")
    tuesday = json.loads(export(second, "json", batch="tuesday reading"))
    assert sorted(row["title"] for row in tuesday) == ["Both paper", "Gamma paper"]
    # Reading the same export again makes no second "monday reading".
    import_file(second, dump, name="restored again")
    names = [second.batch_name(b) for b in second.batch_info]
    assert names.count("monday reading") == 1 and names.count("tuesday reading") == 1
    second.close()


def test_json_export_into_the_queue_it_came_from_changes_no_batch(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "home")
    _import_named(store, tmp_path, "a.bib", "@article{a, title={Alpha paper}}\n", "monday reading")
    dump = tmp_path / "queue.json"
    dump.write_text(export(store, "json"), encoding="utf-8")
    before = dict(store.batch_info)
    result = import_file(store, dump, name="again")
    assert (result.new, result.existing, result.merged) == (0, 1, 0)
    # Nothing new: no batch is made (and none from the export's batch names).
    assert {store.batch_name(b) for b in store.batch_info} == {"monday reading"}
    assert store.batch_info == before
    store.close()
