"""Identity rules that mutation testing of ``core/identity.py`` showed
unchecked: how the first author's surname and the year are read when two
records share a title, and which links are kept from text.

Each test says what the person ends up with: one paper or two, the links
a paper carries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperqueue.core.identity import extract_links, first_surname, year_of
from paperqueue.core.importing import import_file
from paperqueue.core.store import Store


def _json(tmp_path: Path, name: str, papers: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(papers), encoding="utf-8")
    return path


def _papers_after(pq_home: Path, tmp_path: Path, first: dict, second: dict) -> int:
    """Import two paperqueue JSON records of one title (different keys, so
    only the title can match them) and count the papers in the queue."""
    store = Store.open(pq_home)
    try:
        import_file(store, _json(tmp_path, "one.json", [{"key": "k1", "title": "Shared Title", **first}]))
        import_file(store, _json(tmp_path, "two.json", [{"key": "k2", "title": "Shared title", **second}]))
        return len(store.papers)
    finally:
        store.close()


# -- first author ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "again"),
    [
        ("Vaswani, Ashish", "A. Vaswani"),  # "Last, First" reads the part before the comma
        ("Smith, John, Jr.", "J. Smith"),  # only the first comma splits
        ("Vaswani Jr", "Ashish Vaswani"),  # a trailing suffix after a lone surname
        ("Martin Luther King Jr", "M. L. King"),  # the suffix is the last word, not the second
        ("Martin Luther King III", "King, Martin Luther"),
    ],
)
def test_same_first_author_written_two_ways_is_one_paper(pq_home: Path, tmp_path: Path, stored: str, again: str) -> None:
    first = {"authors": [stored, "B. Other"], "published": "2017-06-12"}
    second = {"authors": [again], "published": "2017"}
    assert _papers_after(pq_home, tmp_path, first, second) == 1


def test_different_first_authors_given_last_first_stay_apart(pq_home: Path, tmp_path: Path) -> None:
    # Same given name, different surnames: "Ashish" must not be read as the surname.
    first = {"authors": ["Vaswani, Ashish"]}
    second = {"authors": ["Shazeer, Ashish"]}
    assert _papers_after(pq_home, tmp_path, first, second) == 2


def test_first_author_with_no_letters_does_not_contradict(pq_home: Path, tmp_path: Path) -> None:
    # A first author of only punctuation has no surname: nothing to compare.
    first = {"authors": ["?"], "published": "1999"}
    second = {"authors": ["--"], "published": "1999"}
    assert _papers_after(pq_home, tmp_path, first, second) == 1


@pytest.mark.parametrize(
    ("authors", "surname"),
    [
        (("Vaswani, Ashish",), "vaswani"),
        (("Ashish Vaswani",), "vaswani"),
        (("A. Vaswani",), "vaswani"),
        (("Smith, John, Jr.",), "smith"),
        (("Vaswani Jr",), "vaswani"),
        (("Martin Luther King Jr.",), "king"),
        (("Jr",), "jr"),  # a lone suffix-like word is the only name there is
        (("III",), "iii"),
        (("...",), None),
        ((), None),
    ],
)
def test_first_surname(authors: tuple[str, ...], surname: str | None) -> None:
    assert first_surname(authors) == surname


# -- year -------------------------------------------------------------------------


def test_full_dates_two_years_apart_are_two_papers(pq_home: Path, tmp_path: Path) -> None:
    first = {"published": "2017-06-12T00:00:00Z"}
    second = {"published": "2019-01-01"}
    assert _papers_after(pq_home, tmp_path, first, second) == 2


@pytest.mark.parametrize(
    ("published", "year"),
    [("2017", 2017), ("2017-06-12", 2017), ("2017-06-12T08:00:00Z", 2017), ("201", None), ("n.d.", None), (None, None)],
)
def test_year_of(published: str | None, year: int | None) -> None:
    assert year_of(published) == year


# -- links --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A host may start with any letter, upper case X included.
        ("comic: https://Xkcd.com/927.", ["https://Xkcd.com/927"]),
        ("https://X.org", ["https://X.org"]),
        # Only the first "://" tells the scheme from the rest.
        ("open https://example.org/go?u=file:///tmp/x now", ["https://example.org/go?u=file:///tmp/x"]),
        ("https://web.archive.org/web/2020/https://x.org/#top", ["https://web.archive.org/web/2020/https://x.org/#top"]),
        # Nothing after the scheme: no link.
        ("broken https:///path and https://", []),
    ],
)
def test_extract_links_hosts(text: str, expected: list[str]) -> None:
    assert extract_links(text) == expected


def test_link_to_a_host_starting_with_x_is_kept_on_import(pq_home: Path, tmp_path: Path) -> None:
    bib = tmp_path / "x.bib"
    bib.write_text("@misc{x, title={Standards}, url={https://Xkcd.com/927}, year={2011}}\n", encoding="utf-8")
    store = Store.open(pq_home)
    try:
        import_file(store, bib)
        (paper,) = store.papers.values()
        assert "https://Xkcd.com/927" in paper.links
    finally:
        store.close()


# -- titles with no letters or digits ---------------------------------------------


def test_entry_whose_title_has_no_letters_does_not_abort_the_import(pq_home: Path, tmp_path: Path) -> None:
    bib = tmp_path / "odd.bib"
    bib.write_text(
        "@misc{a, title={Real Title}, year={2001}}\n@misc{b, title={???}, year={2001}}\n@misc{c, title={Another}, year={2002}}\n",
        encoding="utf-8",
    )
    store = Store.open(pq_home)
    try:
        result = import_file(store, bib)
        titles = sorted(p.title for p in store.papers.values())
        assert "Real Title" in titles and "Another" in titles
        assert result.new + result.existing + result.repeated + result.not_understood == 3
        assert result.not_understood == 1 and "skipped" in result.problems[-1]
    finally:
        store.close()
