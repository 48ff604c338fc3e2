"""Identity by title: the same normalised title is the same paper only when
nothing contradicts it (year more than one apart, first-author surname,
arXiv id, DOI). DOIs match in any case but are kept as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

REAL = Path(__file__).parent / "data" / "real" / "identity"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def years(store: Store, title: str) -> list[str | None]:
    return sorted(
        (store.details(p.key).published or "")[:4] for p in store.papers.values() if p.title == title
    )


def test_real_editorials_two_years_apart_are_two_papers(pq_home: Path) -> None:
    # Marine Ecology Progress Series: an untitled "Editorial" in 1995 and
    # another in 1997, neither with a DOI. They used to become one paper.
    store = Store.open(pq_home)
    result = import_file(store, REAL / "meps1990_editorials.bib")
    assert result.summary() == "4 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood"
    assert len(store.papers) == 4
    assert years(store, "Editorial") == ["1995", "1997"]
    # Read again, each entry finds its own paper.
    again = import_file(store, REAL / "meps1990_editorials.bib")
    assert again.summary() == "0 new, 4 already in the queue (0 merged, 4 unchanged), 0 entries not understood"
    assert len(store.papers) == 4
    store.close()


def test_a_book_and_a_later_article_of_one_title_stay_apart(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "a.bib", "@book{b, title={Finite Groups}, author={Hall, Marshall}, year={1957}}\n"))
    result = import_file(
        store,
        write(tmp_path, "b.bib", "@article{a, title={Finite groups}, author={Hall, Marshall}, year={1966}, url={https://example.org/1966}}\n"),
    )
    assert (result.new, result.existing) == (1, 0)
    keys = sorted(store.papers)
    assert keys[0] == "title:finite-groups" and keys[1].startswith("title:finite-groups~"), keys
    assert store.papers[keys[0]].links == (), "the 1966 link does not pile onto the 1957 book"
    store.close()
    # A fresh open (index built from disk) still tells them apart.
    store = Store.open(pq_home)
    again = import_file(store, write(tmp_path, "c.bib", "@article{a, title={Finite groups}, author={Hall, M.}, year={1966}}\n"))
    assert (again.new, again.existing) == (0, 1)
    assert len(store.papers) == 2
    store.close()


def test_same_title_and_year_by_different_first_authors_are_two_papers(pq_home: Path, tmp_path: Path) -> None:
    bib = (
        "@article{a, title={Book Reviews}, author={Smith, John and Doe, Jane}, year={2001}}\n"
        "@article{b, title={Book reviews}, author={Jones, Mary}, year={2001}}\n"
        "@article{c, title={Book Reviews}, author={J. Smith}, year={2002}}\n"
    )
    store = Store.open(pq_home)
    result = import_file(store, write(tmp_path, "r.bib", bib))
    assert (result.new, result.repeated) == (2, 1), "Smith 2001 and J. Smith 2002: one year apart, same surname"
    assert len(store.papers) == 2
    store.close()


@pytest.mark.parametrize("other", ["@misc{x, title={Calendar}}", "@misc{x, title={Calendar}, author={Anonymous}}"])
def test_missing_year_or_author_does_not_contradict(pq_home: Path, tmp_path: Path, other: str) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "a.bib", "@article{a, title={Calendar}, author={Anonymous}, year={1990}}\n"))
    result = import_file(store, write(tmp_path, "b.bib", other + "\n"))
    assert (result.new, result.existing) == (0, 1)
    store.close()


def test_a_page_without_years_still_merges_into_one_of_several(pq_home: Path, tmp_path: Path) -> None:
    bib = "".join(f"@article{{c{y}, title={{Calendar}}, author={{Anonymous}}, year={{{y}}}}}\n" for y in range(1900, 2000, 2))
    store = Store.open(pq_home)
    result = import_file(store, write(tmp_path, "cal.bib", bib))
    assert result.new == 50 and len(store.papers) == 50
    page = import_file(store, write(tmp_path, "page.txt", "Calendar\n\nWhat happens when, this season.\n"))
    assert (page.new, page.existing, page.merged) == (0, 1, 1)
    assert len(store.papers) == 50
    store.close()


def test_many_papers_of_one_title_each_find_themselves_after_reopening(pq_home: Path, tmp_path: Path) -> None:
    bib = "".join(f"@article{{c{y}, title={{Calendar}}, year={{{y}}}, url={{https://example.org/{y}}}}}\n" for y in range(1800, 2000, 2))
    store = Store.open(pq_home)
    assert import_file(store, write(tmp_path, "cal.bib", bib)).new == 100
    store.close()
    store = Store.open(pq_home)
    result = import_file(store, write(tmp_path, "cal.bib", bib))
    assert (result.new, result.existing, result.repeated) == (0, 100, 0)
    for paper in store.papers.values():
        year = store.details(paper.key).published
        assert paper.links == (f"https://example.org/{year}",), "each link stays with its own year"
    store.close()


def test_new_titles_do_not_read_known_details(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    # Only a title that collides needs the known paper's year and authors.
    store = Store.open(pq_home)
    first = "".join(f"@article{{a{n}, title={{First batch paper {n}}}, year={{2001}}}}\n" for n in range(300))
    import_file(store, write(tmp_path, "a.bib", first))
    reads: list[str] = []
    original = Store.details

    def counting(self: Store, key: str):
        reads.append(key)
        return original(self, key)

    monkeypatch.setattr(Store, "details", counting)
    second = "".join(f"@article{{b{n}, title={{Second batch paper {n}}}, year={{2001}}}}\n" for n in range(300))
    second += "@article{x, title={First batch paper 7}, year={2030}}\n"
    result = import_file(store, write(tmp_path, "b.bib", second))
    assert (result.new, result.existing) == (301, 0)
    assert reads == ["title:first-batch-paper-7"]
    store.close()


# -- DOIs keep their case ---------------------------------------------------------


def test_real_springer_doi_keeps_its_case_and_matches_in_any_case(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, REAL / "aquacultint1993_doi_case.bib")
    paper = store.papers["doi:10.1007/bf00692660"]  # keys stay lower case, as before
    assert paper.doi == "10.1007/BF00692660"
    assert paper.primary_link == "https://doi.org/10.1007/BF00692660"
    lower = "@article{x, title={A different title}, doi={10.1007/bf00692661}, abstract={Words.}}\n"
    result = import_file(store, write(tmp_path, "lower.bib", lower))
    assert (result.new, result.existing, result.merged) == (0, 1, 1)
    assert store.papers["doi:10.1007/bf00692661"].doi == "10.1007/BF00692661", "the first spelling stays"
    store.close()


def test_existing_lower_case_doi_matches_an_upper_case_one(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "a.bib", "@article{a, title={One}, doi={10.1000/abc}}\n"))
    result = import_file(store, write(tmp_path, "b.bib", "@article{b, title={Two}, doi={10.1000/ABC}}\n"))
    assert (result.new, result.existing) == (0, 1)
    assert store.papers["doi:10.1000/abc"].doi == "10.1000/abc"
    store.close()


def test_differing_dois_keep_same_titled_papers_apart_in_any_case(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    bib = "@article{a, title={Same}, doi={10.1000/AAA}}\n@article{b, title={Same}, doi={10.1000/aaa}}\n@article{c, title={Same}, doi={10.1000/bbb}}\n"
    result = import_file(store, write(tmp_path, "a.bib", bib))
    assert (result.new, result.repeated) == (2, 1)
    store.close()
