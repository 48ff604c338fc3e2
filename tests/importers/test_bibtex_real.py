"""Real BibTeX files (tests/data/real/bibtex/, origins in SOURCES.md),
imported and compared with what the file holds, entry by entry.  The file
is read a second time by bibtexparser, an independent reader, for the
entry count, keys and raw field values."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pytest

from paperqueue.core.identity import normalise_title
from paperqueue.core.importers.bibtex import parse_bibtex
from paperqueue.core.importers.detect import parse_text
from paperqueue.core.importers.record import PartlyRead, not_understood
from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

REAL = Path(__file__).parent.parent / "data" / "real" / "bibtex"
FILES = sorted(REAL.glob("*.bib"))


def entries(path: Path) -> list:
    """The file's entries as bibtexparser reads them (@string etc. are not entries)."""
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    assert not library.failed_blocks
    return library.entries


def raw(entry, name: str) -> str:
    field = entry.fields_dict.get(name) or next(
        (f for key, f in entry.fields_dict.items() if key.lower() == name), None)
    return str(field.value) if field is not None else ""


def plain(value: str) -> str:
    return normalise_title(value.replace("{", "").replace("}", ""))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_entry_is_a_paper_or_counted_as_not_understood(path: Path) -> None:
    """papers + entries not understood == entries in the file, whatever the
    warnings (issue 8 item 7)."""
    text = path.read_text(encoding="utf-8")
    result = parse_text(text, path.name)
    assert len(result.papers) + result.not_understood == len(entries(path))
    # Titles built from @string names ("Proc_of_the # ...") are not compared:
    # bibtexparser leaves them unexpanded.
    titles = [None if "#" in raw(e, "title") else plain(raw(e, "title")) for e in entries(path)]
    ours = [normalise_title(p.title) for p in result.papers]
    assert [t if want is not None else None for t, want in zip(ours, titles, strict=True)] == titles


def test_textbook_ids_written_as_the_journal_are_found() -> None:
    """d2l.bib writes the arXiv id as journal={Ar{X}iv:1607.06450}: every
    such entry gets its id, and no other entry gets one (item 6)."""
    path = REAL / "d2l_en_trimmed.bib"
    papers, problems = parse_bibtex(path.read_text(encoding="utf-8"))
    assert problems == []
    expected = []
    for entry in entries(path):
        journal = raw(entry, "journal").replace("{", "").replace("}", "")
        m = re.search(r"(?i)arxiv(?::|\.org/abs/)(\d{4}\.\d{4,5})", journal)
        expected.append(m.group(1) if m else None)
    assert sum(bool(x) for x in expected) == 5  # 4 Ar{X}iv: journals and one arxiv.org/abs
    assert [p.arxiv_id for p in papers] == expected


def test_textbook_entry_and_id_list_are_one_paper(pq_home: Path, tmp_path: Path) -> None:
    """The same paper from an id list and from the BibTeX file: one paper."""
    store = Store.open(pq_home)
    ids = tmp_path / "ids.txt"
    ids.write_text("https://arxiv.org/abs/1607.06450v1\n", encoding="utf-8")
    import_file(store, ids)
    result = import_file(store, REAL / "d2l_en_trimmed.bib")
    assert result.existing == 1 and result.new == 14
    papers = [p for p in store.ordered_papers() if p.arxiv_id == "1607.06450"]
    assert len(papers) == 1 and papers[0].title == "Layer normalization"
    store.close()


def test_undefined_string_names_are_warnings_not_lost_entries() -> None:
    """biblio.bib alone (its @string files not given): 74 undefined names in
    40 entries; every entry imports, none is "not understood" (item 7)."""
    path = REAL / "iridia_biblio_head.bib"
    result = parse_text(path.read_text(encoding="utf-8"), path.name)
    assert len(result.papers) == len(entries(path)) == 40
    assert result.not_understood == 0
    assert len(result.problems) == 74
    assert all(isinstance(p, PartlyRead) and "unknown @string name" in p for p in result.problems)


def test_import_summary_counts_add_up_to_the_entries(pq_home: Path) -> None:
    store = Store.open(pq_home)
    result = import_file(store, REAL / "iridia_biblio_head.bib")
    store.close()
    assert result.not_understood == 0
    assert result.new + result.existing + result.repeated + result.not_understood == 40
    assert "0 entries not understood" in result.summary()


CHILDREN = {  # key: (year, venue, authors) as the file and its @strings give them
    "AarKorMic2005": ("2005", "Search Methodologies", ("Emile H. L. Aarts", "Jan H. M. Korst", "Wil Michiels")),
    "Abb2002selfpde": ("2002", "Proceedings of the 2002 Congress on Evolutionary Computation (CEC'02)",
                       ("Hussein A. Abbass",)),
    "LimPoz2017automopso": ("2017", "Proceedings of the 2017 Congress on Evolutionary Computation (CEC 2017)",
                            ("Ricardo Henrique Remes de Lima", "Aurora Trinidad Ramirez Pozo")),
    "AbbSarNew2001pde": ("2001", "Proceedings of the 2001 Congress on Evolutionary Computation (CEC'01)",
                         ("Hussein A. Abbass", "Ruhul Sarker", "Charles Newton")),
}


def _by_title(text: str) -> dict[str, object]:
    papers, problems = parse_bibtex(text)
    assert not_understood(problems) == 0 and problems == []
    return {p.title: p for p in papers}


def test_crossref_children_take_year_and_venue_from_their_proceedings() -> None:
    """IRIDIA's biblio.bib + crossref.bib: children name their proceedings
    by crossref; year and booktitle come from there (item 10), but never
    the parent's DOI."""
    path = REAL / "iridia_crossref_macros.bib"
    text = path.read_text(encoding="utf-8")
    by_key = {e.key: e for e in entries(path)}
    papers = _by_title(text)
    for key, (year, venue, authors) in CHILDREN.items():
        paper = next(p for t, p in papers.items() if normalise_title(t) == plain(raw(by_key[key], "title")))
        assert (paper.published, paper.venue, paper.authors) == (year, venue, authors), key
        assert paper.entry_type == by_key[key].entry_type.lower()
    simulated = next(p for t, p in papers.items() if t == "Simulated Annealing")
    assert simulated.doi == "10.1007/0-387-28356-0_7"  # its own, not the book's 10.1007/0-387-28356-0
    book = next(p for t, p in papers.items() if t.startswith("Search Methodologies"))
    assert book.authors == ("Edmund K. Burke", "Graham Kendall")  # editors: the book has no authors
    assert book.entry_type == "book"


def test_crossref_works_whichever_comes_first() -> None:
    """The same entries with every @proceedings moved before its children."""
    text = (REAL / "iridia_crossref_macros.bib").read_text(encoding="utf-8")
    chunks = re.split(r"(?m)^(?=@)", text)
    parents = [c for c in chunks if re.match(r"@(?i:proceedings|book)\b", c)]
    others = [c for c in chunks if c not in parents]
    strings = [c for c in others if c.lower().startswith("@string")]
    children = [c for c in others if c not in strings]
    moved = "".join(strings + parents + children)
    assert moved != text
    assert _by_title(moved) == _by_title(text)


def test_biblatex_eprintclass_and_journaltitle() -> None:
    """Better BibTeX's biblatex export: eprint/eprinttype, eprintclass as
    categories, journaltitle as the venue (items 6 and 10)."""
    path = REAL / "zotero_bbt_arxiv_ids_460.bib"
    papers, problems = parse_bibtex(path.read_text(encoding="utf-8"))
    assert problems == []
    for paper, entry in zip(papers, entries(path), strict=True):
        assert paper.arxiv_id == raw(entry, "eprint")
        assert paper.categories == tuple(filter(None, [raw(entry, "eprintclass")]))
        assert paper.venue == (raw(entry, "journaltitle").replace("{", "").replace("}", "") or None)
        assert paper.entry_type == entry.entry_type
        assert (paper.doi or "").lower() == raw(entry, "doi").lower()  # DOIs match in any case


def test_readme_biblatex_with_class_in_front_of_the_id() -> None:
    """Fashion-MNIST's README writes eprint = {cs.LG/1708.07747}."""
    (paper,), problems = parse_bibtex((REAL / "fashion_mnist_readme.bib").read_text(encoding="utf-8"))
    assert problems == []
    assert (paper.arxiv_id, paper.categories, paper.published) == ("1708.07747", ("cs.LG",), "2017-08-28")
    assert paper.authors == ("Han Xiao", "Kashif Rasul", "Roland Vollgraf")
    assert paper.entry_type == "online"


def test_zotero_export_keeps_ids_links_and_types() -> None:
    """A Zotero (Better BibLaTeX) library: the preprints keep their ids,
    conference versions their OpenReview / publisher links and types."""
    path = REAL / "zotero_bbt_preprints_2163.bib"
    papers, problems = parse_bibtex(path.read_text(encoding="utf-8"))
    assert problems == []
    for paper, entry in zip(papers, entries(path), strict=True):
        assert paper.arxiv_id == (raw(entry, "eprint") or None), entry.key
        url = raw(entry, "url")
        assert paper.links == (() if "arxiv.org" in url else (url,)), entry.key
        assert paper.entry_type == entry.entry_type
    shang = next(p for p in papers if p.entry_type == "inproceedings" and p.venue)
    assert shang.venue == "International Conference on Machine Learning"
