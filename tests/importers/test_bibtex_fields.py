"""BibTeX fields, one rule each: where arXiv ids are found (and where not),
crossref, editors, classes, links, entry types and venues, and how problem
lines are counted."""

from __future__ import annotations

import pytest

from paperqueue.core.importers.bibtex import parse_bibtex
from paperqueue.core.importers.detect import MAX_PROBLEMS, parse_text
from paperqueue.core.importers.record import PartlyRead, not_understood


def one(fields: str, kind: str = "article"):
    papers, problems = parse_bibtex(f"@{kind}{{key,\n  title = {{A Title}},\n{fields}\n}}\n")
    assert len(papers) == 1, problems
    return papers[0]


@pytest.mark.parametrize(
    "fields",
    ["journal = {Ar{X}iv:1607.06450}", "number = {arXiv:1607.06450v5}", "volume = {arXiv:1607.06450}",
     "eprint = {1607.06450}, eprinttype = {arxiv}", "eprint = {1607.06450}, archivePrefix = {ar{X}iv}",
     "howpublished = {\\url{https://arxiv.org/abs/1607.06450}}", "note = {Preprint arXiv: 1607.06450}",
     "url = {https://arxiv.org/pdf/1607.06450v2.pdf}", "journal = {CoRR}, volume = {abs/1607.06450}",
     "journal = {ArXiv}, volume = {abs/1607.06450}", "booktitle = {ar{X}iv:1607.06450}",
     "pages = {arXiv:1607.06450}", "eprint = {arXiv:1607.06450}, eprinttype = {arXiv}",
     "eprint = {cs.LG/1607.06450}, eprinttype = {arXiv}", "arxivid = {1607.06450}",
     "doi = {10.48550/arXiv.1607.06450}"],
)
def test_arxiv_id_in_any_field_that_carries_it(fields: str) -> None:
    assert one(fields).arxiv_id == "1607.06450"


@pytest.mark.parametrize(
    "fields",
    ["abstract = {We improve on arXiv:1607.06450.}", "eprint = {12345}, eprinttype = {pubmed}",
     "journal = {Nature}, volume = {1607.06450}", "keywords = {arXiv:1607.06450}"],
)
def test_no_arxiv_id_from_the_abstract_or_other_archives(fields: str) -> None:
    assert one(fields).arxiv_id is None


def test_title_citing_another_paper_gives_no_id() -> None:
    papers, _ = parse_bibtex("@misc{k, title = {A reply to arXiv:1607.06450}}")
    assert papers[0].arxiv_id is None


@pytest.mark.parametrize("parent_first", [False, True])
def test_crossref_gives_year_booktitle_not_identity(parent_first: bool) -> None:
    child = ("@inproceedings{c, title = {Child}, author = {Ann Lee}, crossref = {P}, "
             "doi = {10.1234/child}}\n")
    parent = ("@proceedings{p, title = {Proc. of Things}, year = 2019, editor = {Bo Ek}, "
              "doi = {10.1234/proc}, url = {https://proc.example/}, eprint = {1901.00001}}\n")
    papers, problems = parse_bibtex(parent + child if parent_first else child + parent)
    assert problems == []
    kid = next(p for p in papers if p.title == "Child")
    assert (kid.published, kid.venue, kid.authors) == ("2019", "Proc. of Things", ("Ann Lee",))
    assert (kid.doi, kid.arxiv_id, kid.links) == ("10.1234/child", None, ())
    proc = next(p for p in papers if p.title == "Proc. of Things")
    assert proc.authors == ("Bo Ek",) and proc.entry_type == "proceedings"


def test_crossref_loop_stops() -> None:
    papers, problems = parse_bibtex("@misc{a, title={A}, crossref={b}}\n@misc{b, title={B}, crossref={a}, year=2000}\n")
    assert [p.published for p in papers] == ["2000", "2000"] and problems == []


def test_editors_only_when_there_are_no_authors() -> None:
    assert one("editor = {Smith, Jo and Doe, Al}", "book").authors == ("Jo Smith", "Al Doe")
    assert one("author = {Lee, Ann}, editor = {Smith, Jo}", "incollection").authors == ("Ann Lee",)


def test_classes_from_primaryclass_and_eprintclass() -> None:
    assert one("eprint = {1607.06450}, eprintclass = {cs.LG, stat.ML}").categories == ("cs.LG", "stat.ML")
    assert one("eprint = {1607.06450}, primaryClass = {hep-th}").categories == ("hep-th",)


@pytest.mark.parametrize(
    ("kind", "fields", "venue"),
    [("inproceedings", "booktitle = {Proc. {ICML}}, journal = {JMLR}", "Proc. ICML"),
     ("article", "booktitle = {Proc. {ICML}}, journal = {J. of {ML}}", "J. of ML"),
     ("article", "journaltitle = {Science}", "Science"),
     ("misc", "howpublished = {Blog}", None)],
)
def test_entry_type_and_venue(kind: str, fields: str, venue: str | None) -> None:
    paper = one(fields, kind.upper())
    assert (paper.entry_type, paper.venue) == (kind, venue)


def test_links_from_url_pdf_file_and_bibdesk() -> None:
    paper = one(
        "url = {https://doi.org/10.1234/x}, pdf = {https://pub.example/x.pdf}, "
        "file = {Online:https\\://site.example/paper.html:URL;Full Text:/home/me/x.pdf:application/pdf}, "
        "bdsk-url-1 = {https://github.com/a/b}, doi = {10.1234/x}"
    )
    assert paper.doi == "10.1234/x"
    assert paper.links == ("https://github.com/a/b", "https://pub.example/x.pdf", "https://site.example/paper.html")


def test_untitled_entry_with_an_id_is_a_paper_known_by_id() -> None:
    papers, problems = parse_bibtex("@misc{a, eprint = {1607.06450}}\n@misc{b, year = 2000}\n")
    assert [(p.title, p.arxiv_id) for p in papers] == [("", "1607.06450")]
    assert problems == ["entry 2 (line 2): no title"]


def test_warnings_are_shown_but_not_counted() -> None:
    text = "@string{ok = {Fine}}\n@string{broken = {x}\n@misc{a, title = {A}, journal = nosuchmacro # ok}\n@misc{b}\n"
    papers, problems = parse_bibtex(text)
    assert [p.title for p in papers] == ["A"]
    assert problems == ["line 2: @string: expected ',' or '}' after field 'broken'", "entry 1 (line 3): unknown @string name 'nosuchmacro'",
                        "entry 2 (line 4): no title"]
    assert [isinstance(p, PartlyRead) for p in problems] == [True, True, False]
    assert not_understood(problems) == 1


def test_a_head_without_its_brace_is_a_lost_entry() -> None:
    papers, problems = parse_bibtex("@article title = {X}\n@misc{b, title = {B}}\nmail me @ home\n")
    assert [p.title for p in papers] == ["B"]
    assert problems == ["entry 1 (line 1): no '{' after @article"]


def test_not_understood_is_counted_before_the_cap_and_without_warnings() -> None:
    """300 entries with an undefined macro and 150 without a title: 150
    not understood, though only MAX_PROBLEMS lines are kept."""
    text = "".join(f"@misc{{w{i}, title = {{T{i}}}, note = undefinedname}}\n" for i in range(300))
    text += "".join(f"@misc{{n{i}, year = 2000}}\n" for i in range(150))
    result = parse_text(text, "x.bib")
    assert len(result.papers) == 300
    assert result.not_understood == 150
    assert len(result.problems) == MAX_PROBLEMS + 1
    assert result.problems[-1] == "… and 350 more problems"
