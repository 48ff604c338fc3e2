"""Merge behaviour that mutation testing of ``core/store/merge.py`` showed
unchecked: what a merge keeps and fills, which of several same-title papers
an entry joins, what the summary counts, batch numbers and names, progress,
and keys of folded papers. Each test looks at the queue (or its files, after
a fresh open) and the import summary."""

from __future__ import annotations

import json
from pathlib import Path

from paperqueue.core.importing import import_file
from paperqueue.core.search import SearchIndex
from paperqueue.core.store import Store, layout

LN_ID = "1607.06450"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(store: Store, tmp_path: Path, name: str, text: str, **kw):
    return import_file(store, _write(tmp_path, name, text), **kw)


def _hf(title: str, summary: str | None = "An abstract.", comments: int | None = None, arxiv_id: str = LN_ID) -> str:
    paper: dict = {"id": arxiv_id, "title": title}
    if summary is not None:
        paper["summary"] = summary
    row: dict = {"paper": paper}
    if comments is not None:
        row["numComments"] = comments
    return json.dumps([row])


def _only(store: Store):
    (paper,) = store.papers.values()
    return paper


# -- what a merge keeps and fills ----------------------------------------------


def test_categories_are_kept_when_a_merge_fills_other_details(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "a.json", json.dumps([{"key": "k1", "title": "Deep Thing", "categories": ["cs.CL", "cs.LG"]}]))
    again = _import(store, tmp_path, "b.json", json.dumps([{"key": "k1", "title": "Deep Thing", "categories": ["cs.CL", "cs.LG"]}]))
    assert again.summary().startswith("0 new, 1 already in the queue (0 merged, 1 unchanged)")
    _import(store, tmp_path, "c.bib", "@inproceedings{x, title={Deep thing}, booktitle={Proc. Things}}\n")
    store.close()
    store = Store.open(pq_home)
    details = store.details("k1")
    assert details.categories == ("cs.CL", "cs.LG")
    assert details.venue == "Proc. Things"
    store.close()


def test_comment_count_takes_the_newer_value_and_survives_a_merge_without_one(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "d1.json", _hf("Layer Normalization", comments=5))
    _import(store, tmp_path, "d2.json", _hf("Layer Normalization", comments=7))
    assert store.details(f"arxiv:{LN_ID}").comments == 7
    _import(store, tmp_path, "refs.bib", "@misc{ba, title={Layer normalization}, eprint={1607.06450}, archiveprefix={arXiv}, year={2016}}\n")
    store.close()
    store = Store.open(pq_home)
    assert store.details(f"arxiv:{LN_ID}").comments == 7
    store.close()


def test_a_doi_met_later_is_filled_in(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "a.bib", "@article{a, title={Sparse Things}, year={2001}}\n")
    result = _import(store, tmp_path, "b.bib", "@article{b, title={Sparse things}, year={2001}, doi={10.1000/AbC.9}}\n")
    assert (result.new, result.merged) == (0, 1)
    store.close()
    store = Store.open(pq_home)
    assert _only(store).doi == "10.1000/AbC.9"
    store.close()


# -- which paper an entry joins ---------------------------------------------------


def test_same_title_no_year_different_first_authors_are_two_papers(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    result = _import(
        store, tmp_path, "r.bib", "@misc{a, title={Reply}, author={Smith, John}}\n@misc{b, title={Reply}, author={Jones, Kate}}\n"
    )
    assert (result.new, result.repeated) == (2, 0)
    store.close()


def _two_of_one_title(pq_home: Path, tmp_path: Path, first: str, second: str) -> Store:
    """Two papers of one title kept apart by their DOIs."""
    store = Store.open(pq_home)
    _import(store, tmp_path, "one.bib", "@article{p1, title={Results}, doi={10.1000/one}, " + first + "}\n")
    _import(store, tmp_path, "two.bib", "@article{p2, title={Results}, doi={10.1000/two}, " + second + "}\n")
    assert len(store.papers) == 2
    return store


def _joined(store: Store, tmp_path: Path) -> str:
    """Import an entry of that title by Smith in 2001 and say which paper got its link."""
    _import(store, tmp_path, "item.bib", "@article{q, title={Results}, author={Smith, John}, year={2001}, url={https://example.org/q}}\n")
    (doi,) = [p.doi for p in store.papers.values() if "https://example.org/q" in p.links]
    return doi


def test_a_tie_goes_to_the_older_paper_when_it_agrees_on_the_year(pq_home: Path, tmp_path: Path) -> None:
    store = _two_of_one_title(pq_home, tmp_path, "year={2001}", "author={Smith, J.}")
    assert _joined(store, tmp_path) == "10.1000/one"
    store.close()


def test_a_tie_goes_to_the_older_paper_when_it_agrees_on_the_author(pq_home: Path, tmp_path: Path) -> None:
    store = _two_of_one_title(pq_home, tmp_path, "author={Smith, J.}", "year={2001}")
    assert _joined(store, tmp_path) == "10.1000/one"
    store.close()


def test_the_paper_agreeing_on_year_and_author_wins_over_year_alone(pq_home: Path, tmp_path: Path) -> None:
    store = _two_of_one_title(pq_home, tmp_path, "year={2001}", "year={2001}, author={Smith, J.}")
    assert _joined(store, tmp_path) == "10.1000/two"
    store.close()


def test_a_year_filled_in_the_same_file_then_tells_a_later_entry_apart(pq_home: Path, tmp_path: Path) -> None:
    text = "@misc{a, title={Notes}}\n@misc{b, title={Notes}, year={1990}}\n@misc{c, title={Notes}, year={2005}}\n"
    store = Store.open(pq_home)
    result = _import(store, tmp_path, "n.bib", text)
    assert (result.new, result.repeated) == (2, 1)
    assert sorted((store.details(k).published or "")[:4] for k in store.papers) == ["1990", "2005"]
    store.close()


def test_a_title_changed_by_a_merge_is_found_by_a_later_entry_in_the_same_file(pq_home: Path, tmp_path: Path) -> None:
    # An id-only entry, then the same id with its title, then the title alone.
    text = (
        "@misc{byid, eprint={1607.06450}, archiveprefix={arXiv}}\n"
        "@misc{full, title={Layer Normalization}, eprint={1607.06450}, archiveprefix={arXiv}}\n"
        "@misc{bytitle, title={Layer normalization}, url={https://example.org/ln}}\n"
    )
    store = Store.open(pq_home)
    result = _import(store, tmp_path, "one.bib", text)
    assert (result.new, result.repeated) == (1, 2)
    paper = _only(store)
    assert paper.title == "Layer Normalization" and "https://example.org/ln" in paper.links
    # And by a later import in the same session.
    again = _import(store, tmp_path, "two.bib", "@misc{t, title={LAYER NORMALIZATION}, url={https://example.org/two}}\n")
    assert (again.new, again.existing) == (0, 1)
    assert "https://example.org/two" in _only(store).links
    store.close()


# -- authoritative text -----------------------------------------------------------

PAGE = "Layer normalization\n\nTraining deep networks is expensive; normalising the activities helps.\n"


def test_arxiv_title_replaces_a_pasted_title_and_then_stays(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "page.txt", PAGE)
    _import(store, tmp_path, "hf1.json", _hf("Layer Normalization"))
    assert _only(store).title == "Layer Normalization"
    # A second source with an id fills gaps only: the first one's title stays.
    _import(store, tmp_path, "hf2.json", _hf("LAYER NORMALIZATION"))
    assert _only(store).title == "Layer Normalization"
    store.close()
    store = Store.open(pq_home)
    assert _only(store).title == "Layer Normalization"
    store.close()


def test_arxiv_title_without_abstract_also_stays(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "page.txt", PAGE)
    _import(store, tmp_path, "hf1.json", _hf("Layer Normalization", summary=None))
    _import(store, tmp_path, "hf2.json", _hf("LAYER NORMALIZATION"))
    assert _only(store).title == "Layer Normalization"
    store.close()


def test_a_bibtex_merge_does_not_make_pasted_text_authoritative(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "page.txt", PAGE)
    _import(store, tmp_path, "a.bib", "@misc{x, title={Layer normalization}, url={https://example.org/ln}}\n")
    _import(store, tmp_path, "hf1.json", _hf("Layer Normalization"))
    assert _only(store).title == "Layer Normalization"
    store.close()


# -- counts -----------------------------------------------------------------------


def test_merged_counts_each_paper_once(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "a.bib", "@misc{a, title={Alpha Paper}, year={2001}}\n@misc{b, title={Beta Paper}, year={2002}}\n")
    text = (
        "@misc{a1, title={Alpha Paper}, url={https://example.org/a1}}\n"
        "@misc{a2, title={Alpha Paper}, url={https://example.org/a2}}\n"
        "@misc{b1, title={Beta Paper}, url={https://example.org/b1}}\n"
    )
    result = _import(store, tmp_path, "b.bib", text)
    assert result.summary().startswith("0 new, 2 already in the queue (2 merged, 0 unchanged)")
    assert result.repeated == 1
    store.close()


def test_a_paper_new_in_the_file_and_met_again_keeps_both_links(pq_home: Path, tmp_path: Path) -> None:
    text = "@misc{a, title={Gamma}, url={https://example.org/1}}\n@misc{b, title={Gamma}, url={https://example.org/2}}\n"
    store = Store.open(pq_home)
    result = _import(store, tmp_path, "g.bib", text)
    assert (result.new, result.repeated) == (1, 1)
    store.close()
    store = Store.open(pq_home)
    assert set(_only(store).links) >= {"https://example.org/1", "https://example.org/2"}
    store.close()


def test_an_abstract_met_later_in_the_file_is_searchable(pq_home: Path, tmp_path: Path) -> None:
    text = "@misc{a, title={Delta Work}}\n@misc{b, title={Delta work}, abstract={About zebrafish fins.}}\n"
    store = Store.open(pq_home)
    _import(store, tmp_path, "d.bib", text)
    paper = _only(store)
    store.close()
    index = SearchIndex(pq_home / layout.SEARCH)
    assert index.search(["zebrafish"]) == {paper.id}
    index.close()


# -- batches, order, progress -------------------------------------------------------


def test_named_batches_take_the_next_numbers_and_are_recorded(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    rows = [{"key": "k1", "title": "One", "batches": ["reading group", "to cite"]}]
    first = _import(store, tmp_path, "a.json", json.dumps(rows))
    assert first.batch == 1
    later = _import(store, tmp_path, "b.bib", "@misc{z, title={Zed}}\n")
    assert later.batch == 4  # 1: the JSON import, 2 and 3: its two named batches
    store.close()
    store = Store.open(pq_home)
    assert [store.batch_name(b) for b in (2, 3)] == ["reading group", "to cite"]
    assert sorted(store.batch_info) == [1, 2, 3, 4]
    assert store.batch_name(4).startswith("b.bib")
    assert store.batch_info[2]["added_at"] and store.batch_info[3]["added_at"]
    store.close()


def test_papers_of_a_later_import_come_after_the_earlier_ones(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "a.bib", "@misc{a, title={First A}}\n@misc{b, title={First B}}\n")
    _import(store, tmp_path, "b.bib", "@misc{c, title={Second C}}\n@misc{d, title={Second D}}\n")
    store.close()
    store = Store.open(pq_home)
    seqs = {p.title: p.seq for p in store.papers.values()}
    assert len(set(seqs.values())) == 4
    assert max(seqs["First A"], seqs["First B"]) < min(seqs["Second C"], seqs["Second D"])
    store.close()


def _reading_counts(store: Store, tmp_path: Path, entries: int) -> list[int]:
    seen: list[int] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "reading" and total == 0:  # the entry count (bytes come with a total)
            seen.append(done)

    text = "".join(f"@misc{{k{i}, title={{Paper {entries} number {i}}}}}\n" for i in range(entries))
    result = _import(store, tmp_path, f"n{entries}.bib", text, progress=progress)
    assert result.new == entries
    return seen


def test_progress_reports_entries_read_and_never_more(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    assert _reading_counts(store, tmp_path, 1999) == []
    assert _reading_counts(store, tmp_path, 2000) == [2000]
    store.close()


# -- keys of folded papers -----------------------------------------------------------

IDS = "arXiv:1607.06450v1\n"
BIB = "@article{ba2016layer, title={Layer normalization}, author={Ba, Jimmy Lei}, journal={arXiv preprint arXiv:1607.06450}, year={2016}}\n"


def test_the_key_of_a_folded_paper_reaches_the_kept_one(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "ids.txt", IDS)
    _import(store, tmp_path, "page.txt", PAGE)
    assert sorted(store.papers) == [f"arxiv:{LN_ID}", "title:layer-normalization"]
    result = _import(store, tmp_path, "refs.bib", BIB)
    assert result.folded == 1
    store.close()
    store = Store.open(pq_home)
    # A record naming the old key, whose title was edited since: the key alone finds the paper.
    row = {"key": "title:layer-normalization", "title": "Layer normalisation (notes)", "tags": ["norm"]}
    again = _import(store, tmp_path, "old.json", json.dumps([row]))
    assert (again.new, again.existing) == (0, 1)
    assert list(store.papers) == [f"arxiv:{LN_ID}"]
    store.close()


def test_an_entry_after_a_fold_in_the_same_file_joins_the_kept_paper(pq_home: Path, tmp_path: Path) -> None:
    text = (
        "@misc{byid, eprint={1607.06450}, archiveprefix={arXiv}}\n"
        "@misc{bytitle, title={Layer Normalization}, url={https://example.org/ln}}\n"
        + BIB
        + "@misc{again, title={Layer Normalization}, url={https://example.org/again}}\n"
    )
    store = Store.open(pq_home)
    result = _import(store, tmp_path, "one.bib", text)
    assert (result.new, result.repeated, result.folded) == (1, 3, 1)
    paper = _only(store)
    assert {"https://example.org/ln", "https://example.org/again"} <= set(paper.links)
    store.close()


# -- keys named by a paperqueue JSON file, and what a new paper keeps ----------------------


def test_a_json_record_finds_its_paper_by_key_after_the_title_was_edited(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "a.json", json.dumps([{"key": "k1", "title": "Original Title", "published": "2001"}]))
    assert list(store.papers) == ["k1"]
    again = _import(store, tmp_path, "b.json", json.dumps([{"key": "k1", "title": "Original title, edited", "tags": ["x"]}]))
    assert (again.new, again.existing) == (0, 1)
    assert list(store.papers) == ["k1"]
    store.close()


def test_a_json_record_whose_key_is_taken_by_a_different_work_gets_its_own_key(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "a.json", json.dumps([{"key": "k1", "title": "Same Title", "doi": "10.1000/a"}]))
    # Same key and title, but another DOI: another work.
    again = _import(store, tmp_path, "b.json", json.dumps([{"key": "k1", "title": "Same Title", "doi": "10.1000/b"}]))
    assert (again.new, again.existing) == (1, 0)
    store.close()
    store = Store.open(pq_home)
    assert sorted(store.papers) == ["doi:10.1000/b", "k1"]
    assert store.papers["k1"].doi == "10.1000/a" and store.papers["doi:10.1000/b"].doi == "10.1000/b"
    store.close()


def test_an_id_only_entry_met_twice_in_one_file_is_one_paper(pq_home: Path, tmp_path: Path) -> None:
    text = "@misc{a, eprint={1607.06450}, archiveprefix={arXiv}}\n@misc{b, eprint={1607.06450v2}, archiveprefix={arXiv}}\n"
    store = Store.open(pq_home)
    result = _import(store, tmp_path, "ids.bib", text)
    assert (result.new, result.repeated) == (1, 1)
    assert list(store.papers) == [f"arxiv:{LN_ID}"]
    store.close()


def test_a_new_paper_keeps_every_detail_and_its_added_time(pq_home: Path, tmp_path: Path) -> None:
    row = {
        "key": "k1", "title": "Full Record", "categories": ["cs.CL"], "published": "2020-01-02",
        "updated": "2020-03-04", "upvotes": 9, "comments": 4, "pdf_url": "https://example.org/full.pdf",
        "added_at": "2021-05-06T07:08:09Z",
    }
    store = Store.open(pq_home)
    _import(store, tmp_path, "full.json", json.dumps([row]))
    store.close()
    store = Store.open(pq_home)
    paper = store.papers["k1"]
    assert paper.added_at == "2021-05-06T07:08:09Z"
    details = store.details("k1")
    assert details.categories == ("cs.CL",)
    assert (details.published or "").startswith("2020-01-02") and (details.updated or "").startswith("2020-03-04")
    assert (details.upvotes, details.comments, details.pdf_url) == (9, 4, "https://example.org/full.pdf")
    store.close()


def test_a_paper_first_met_in_an_arxiv_source_keeps_that_title(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    _import(store, tmp_path, "hf1.json", _hf("Layer Normalization"))
    _import(store, tmp_path, "hf2.json", _hf("LAYER NORMALIZATION"))
    assert _only(store).title == "Layer Normalization"
    store.close()
