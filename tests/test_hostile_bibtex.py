"""Issue 9 item 10: a DOI, URL or category from a feed can never add an
entry or a field to an exported BibTeX file, nor a TeX command to run.

Identifiers are checked where every importer reads them (record.py): a
value that is not a DOI or a subject class is left out and said so.  The
exporter escapes every value anyway, so a bad value already in a store
from an older version still cannot close its braces."""

from __future__ import annotations

import json

import pytest
from pybtex.database import parse_string

from paperqueue.core.export_bibtex import to_bibtex
from paperqueue.core.importers.arxiv_feed import parse_atom
from paperqueue.core.importers.rss_feed import parse_rss
from paperqueue.core.importers.bibtex_fields import paper_of
from paperqueue.core.importers.pq_json import parse_pq
from paperqueue.core.importers.record import PartlyRead, clean_categories, clean_doi, not_understood
from paperqueue.core.models import Paper, PaperDetails, PaperState

EVIL_DOI = "10.1234/x}}@misc{evil,title={Evil},note={\\write18{touch /tmp/pwned}}}"
EVIL_DOI_NO_SPACE = "10.1234/x}},@misc{evil,note={\\write18{id}}}"
EVIL_CLASS = "cs.CL},note={\\write18{id}},x={"


def atom(doi: str, term: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<entry><id>http://arxiv.org/abs/2403.01234v1</id><title>Good paper</title>
<summary>An abstract.</summary><author><name>Ann Smith</name></author>
<arxiv:doi>{doi.replace("&", "&amp;").replace("<", "&lt;")}</arxiv:doi>
<arxiv:primary_category term="{term.replace('"', "&quot;")}"/><category term="cs.LG"/>
</entry></feed>"""


@pytest.mark.parametrize("doi", [EVIL_DOI, EVIL_DOI_NO_SPACE, "10.1234/a b", "10.1234/a{b", "10.12/x", "10.1234/x\ty"])
def test_a_doi_with_braces_or_blanks_is_not_a_doi(doi: str) -> None:
    assert clean_doi(doi) is None


@pytest.mark.parametrize(
    "doi",
    ["10.1109/CVPR.2024.00123", "10.48550/arXiv.2403.01234", "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI3>3.0.CO;2-0",
     "10.1000.10/abc", "https://doi.org/10.1145/3292500.3330701"],
)
def test_real_dois_still_pass(doi: str) -> None:
    assert clean_doi(doi) == doi.removeprefix("https://doi.org/")


def test_categories_keep_subject_classes_and_drop_the_rest() -> None:
    problems: list[str] = []
    good = ["cs.CL", "math.AP", "hep-th", "q-bio.NC", "stat.ML", "physics.optics", "astro-ph.GA",
            "cond-mat.mes-hall", "math-ph", "cs", "physics:quant-ph", "I.4.8", "F.4.1; F.4.m; K.2", "03B70, 68Q99"]
    kept = clean_categories([*good, EVIL_CLASS, "cs.CL extra", "x={y}", "a\\b", ""], "entry 1", problems)
    assert kept == tuple(good)
    assert len(problems) == 4 and all(isinstance(p, PartlyRead) for p in problems)
    assert all(p.startswith("entry 1: category ") for p in problems)


def test_atom_injection_is_left_out_and_counted() -> None:
    papers, problems = parse_atom(atom(EVIL_DOI_NO_SPACE, EVIL_CLASS))
    (paper,) = papers
    assert paper.doi is None
    assert paper.categories == ("cs.LG",)
    assert len(problems) == 2 and not_understood(problems) == 0, problems
    assert any("DOI" in p for p in problems) and any("category" in p for p in problems)


def test_rss_category_injection_is_left_out() -> None:
    rss = f"""<rss version="2.0"><channel><item><title>T (arXiv:2403.07891v1 [cs.LG])</title>
    <link>https://arxiv.org/abs/2403.07891</link><description>D</description>
    <category>{EVIL_CLASS}</category><category>cs.CV</category></item></channel></rss>"""
    (paper,), problems = parse_rss(rss)
    assert paper.categories == ("cs.LG", "cs.CV")
    assert len(problems) == 1 and not_understood(problems) == 0


def test_paperqueue_json_injection_is_left_out() -> None:
    row = {"key": "k1", "title": "T", "doi": EVIL_DOI_NO_SPACE, "categories": [EVIL_CLASS, "cs.CL"]}
    (paper,), problems = parse_pq(json.dumps([row]))
    assert paper.doi is None and paper.categories == ("cs.CL",)
    assert len(problems) == 2 and not_understood(problems) == 0


def test_bibtex_fields_injection_is_left_out() -> None:
    problems: list[str] = []
    fields = {"title": "T", "doi": "10.1234/x @misc", "primaryclass": "cs.CL,x=\\{y\\}"}
    paper = paper_of("misc", fields, fields, problems, "entry 1")
    assert paper.doi is None and paper.categories == ("cs.CL",)
    assert len(problems) == 2 and not_understood(problems) == 0


# -- export: whatever is stored, the file parses to exactly what was exported --


def hostile_rows() -> list[tuple[Paper, PaperDetails, PaperState]]:
    title = "Good}}@misc{evil, note={\\write18{id}}} $\\write18{rm -rf x}$ \\input{/etc/passwd}"
    return [
        (
            Paper("k1", title, arxiv_id="2403.01234", doi=EVIL_DOI_NO_SPACE.replace("}", "}\\"),
                  links=("https://example.org/a}}@misc{b,x={\\write18{id}}",)),
            PaperDetails(abstract="} } @misc{c, title={x}} \\immediate\\write18{id}", authors=("A} and {B", "Ann Smith"),
                         categories=(EVIL_CLASS,), venue="V}}@misc{d,", entry_type="misc},@misc{e,"),
            PaperState(tags=("t}}@misc{f,",), note="n}}\n@misc{g,\nnote={\\write18{id}}"),
        ),
        (Paper("k2", "Second"), PaperDetails(), PaperState()),
    ]


def test_exported_bibtex_parses_to_exactly_the_entries_exported() -> None:
    text = to_bibtex(None, hostile_rows())
    data = parse_string(text, "bibtex")
    assert len(data.entries) == 2
    first, second = data.entries.values()
    assert first.type == "article" and second.type == "misc"
    assert set(first.fields) == {"title", "eprint", "archivePrefix", "doi", "url", "bdsk-url-1", "abstract",
                                 "journal", "keywords", "note"}
    assert len(first.persons["author"]) == 2
    assert set(second.fields) == {"title"}
    # No field value can hold a TeX command from the input: each backslash
    # in the output starts one of the escapes the exporter writes.
    for value in [*first.fields.values(), *second.fields.values()]:
        for command in ("\\write", "\\immediate", "\\input"):
            assert command not in value, (command, value)
    assert "primaryClass" not in first.fields, "a category that is no subject class is not written"
    assert "%7D" in first.fields["doi"] and "%5C" in first.fields["doi"]
    assert "{" not in first.fields["url"] and "\\" not in first.fields["bdsk-url-1"]


def test_a_bibtex_file_with_an_injected_doi_says_what_it_left_out(tmp_path, capsys) -> None:
    from paperqueue.cli import main

    bib = tmp_path / "evil.bib"
    bib.write_text(
        "@article{a, title={A Real Title}, year={2020},\n"
        "  doi={10.1234/x \\write18{rm -rf ~}},\n"
        "  primaryClass={cs.LG}}\n"
        "@article{b, title={Another Title}, doi={10.1000/xyz123}, year={2021}}\n",
        encoding="utf-8",
    )
    code = main(["import", str(bib)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "2 new" in out and "0 entries not understood" in out, out
    assert "doi" in err.lower(), err
    assert main(["export", "--format", "json"]) == 0
    exported = capsys.readouterr().out
    assert "10.1000/xyz123" in exported and "write18" not in exported
