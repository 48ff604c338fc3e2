"""Each input format: a realistic fixture and the fields that come out."""

from __future__ import annotations

import dataclasses

import pytest

from paperqueue.core.importers.detect import FORMATS, ParseResult, detect_format, parse_text
from paperqueue.core.importers.page import ParsedPaper as PageParsedPaper
from paperqueue.core.importers.record import ParsedPaper

from .conftest import assert_one_line, read_fixture

FIXTURE_FORMATS = {
    "hf_daily_papers.json": "hf",
    "arxiv_api_response.atom": "atom",
    "arxiv_cs_lg.rss": "rss",
    "arxiv_listing_rdf.xml": "rss",
    "references.bib": "bibtex",
    "ids.txt": "ids",
    "paperqueue_export.json": "pq",
}


def parse(name: str) -> ParseResult:
    result = parse_text(read_fixture(name), name)
    assert result.format == FIXTURE_FORMATS[name]
    assert result.problems == []
    for paper in result.papers:
        for text in (paper.title, paper.abstract, *paper.authors, *paper.categories, *paper.links):
            assert_one_line(text)
    return result


def test_record_is_shared_and_positional() -> None:
    assert PageParsedPaper is ParsedPaper
    paper = ParsedPaper("T", "A", "2403.01234", ("https://github.com/a/b",))
    assert (paper.title, paper.abstract, paper.arxiv_id, paper.links) == (
        "T", "A", "2403.01234", ("https://github.com/a/b",))
    assert [f.name for f in dataclasses.fields(ParsedPaper)][:4] == ["title", "abstract", "arxiv_id", "links"]
    assert hash(ParsedPaper("T", state={"starred": True}))  # state takes no part in hashing
    assert set(FIXTURE_FORMATS.values()) == set(FORMATS) - {"page"}


def test_hf_daily_papers() -> None:
    mm1, dino, old = parse("hf_daily_papers.json").papers
    assert mm1.arxiv_id == "2403.09611" and mm1.authoritative
    assert mm1.title == "MM1: Methods, Analysis & Insights from Multimodal LLM Pre-training"
    assert mm1.abstract.startswith("In this work, we discuss building performant Multimodal Large Language Models (MLLMs).")
    assert mm1.authors == ("Brandon McKinzie", "Zhe Gan", "Jean-Philippe Fauconnier")
    assert mm1.published == "2024-03-14T17:51:32Z"
    assert (mm1.upvotes, mm1.comments) == (126, 7)
    assert mm1.links == ("https://example.org/mm1",)  # githubRepo null
    assert dino.arxiv_id == "2403.10131"  # versionless
    assert dino.links == ("https://github.com/IDEA-Research/Grounding-DINO-1.5-API", "https://deepdataspace.com/home")
    assert (dino.upvotes, dino.comments) == (41, 0)
    assert old.arxiv_id == "hep-th/9901001" and old.abstract == "" and old.authors == ()


def test_arxiv_atom() -> None:
    ssm, knots = parse("arxiv_api_response.atom").papers
    assert ssm.arxiv_id == "2403.01234" and ssm.authoritative
    assert ssm.title == "Scalable Diffusion Models with State Space Backbones for High-Resolution Image Synthesis"
    assert ssm.abstract.startswith("We introduce a family of diffusion models whose backbone is a state space model. ")
    assert "$1024\\times1024$" in ssm.abstract
    assert ssm.authors == ("Ada Lovelace", "Émile Borel")
    assert (ssm.published, ssm.updated) == ("2024-03-02T09:15:00Z", "2024-03-05T18:20:11Z")
    assert ssm.categories == ("cs.CV", "cs.LG", "I.4.8")  # primary first, no repeat
    assert ssm.doi == "10.1109/CVPR.2024.00123"  # as written
    assert ssm.pdf_url == "http://arxiv.org/pdf/2403.01234v2"
    # GitHub first; the abs page and the pdf are not links; the comment's project page is.
    assert ssm.links == ("https://github.com/example/ssm-diffusion", "https://example.github.io/ssm-diffusion/")
    assert knots.arxiv_id == "math/0309136" and knots.categories == ("math.GT",)


def test_arxiv_rss() -> None:
    moe, gnn = parse("arxiv_cs_lg.rss").papers
    assert moe.arxiv_id == "2403.07891" and moe.authoritative
    assert moe.title == "Sparse Mixture-of-Experts Are Domain Generalizable Learners"
    assert moe.abstract.startswith("Human visual perception can easily generalize to out-of-distributed visual data,")
    assert "Announce Type" not in moe.abstract and "arXiv:" not in moe.abstract
    assert moe.authors == ("Bo Li", "Yifei Shen", "Jingkang Yang", "Ziwei Liu")
    assert moe.categories == ("cs.LG", "cs.CV")
    assert moe.published == "2024-03-13T04:00:00Z"
    assert moe.links == ("https://github.com/example/gmoe",)
    assert gnn.arxiv_id == "2403.08001" and gnn.authors == ("Ana Silva", "João Santos")


def test_arxiv_rdf_listing() -> None:
    tok, mt = parse("arxiv_listing_rdf.xml").papers
    assert tok.title == "Tokenizers Matter: A Study of Subword Vocabularies"
    assert tok.arxiv_id == "2306.07001" and tok.categories == ("cs.CL",)
    assert tok.abstract == ("We study how the choice of subword vocabulary affects downstream "
                            "accuracy & robustness when x < y.")
    assert tok.authors == ("Jane Doe", "Richard Roe")
    assert mt.title == "Translation Without Parallel Data" and mt.arxiv_id == "2306.07002"


def test_bibtex() -> None:
    attention, tables, robust, scholar, report = parse("references.bib").papers
    assert attention.title == "Attention Is All You Need"
    assert attention.arxiv_id == "1706.03762" and not attention.authoritative
    assert attention.authors[0] == "Ashish Vaswani" and attention.authors[-2] == "Łukasz Kaiser"
    assert attention.categories == ("cs.CL",) and attention.published == "2017"
    assert attention.links == ()  # the arxiv.org url is the paper itself
    assert tables.title == ("BERT-style Pre-training for Scientific Tables: Models & Benchmarks "
                            "— a $\\mathcal{O}(n \\log n)$ Approach")
    assert tables.authors == ("Jörg Müller", "María García", "Tomáš Čech")  # "others" dropped
    assert tables.doi == "10.48550/ARXIV.2406.01234" and tables.arxiv_id == "2406.01234"
    assert tables.links == ("https://github.com/example/tabbert",)
    assert tables.abstract == "We pre-train transformers on scientific tables. Results improve by 3–5 points."
    assert tables.published == "2024"  # year and month only: the year
    assert robust.authors == ("John Smith Jr.", "Anne-Marie O'Neil")
    assert robust.title == "Robust Estimation under Heavy-Tailed Noise"
    assert robust.published == "2023-05-17" and robust.doi == "10.5555/JMLR.2023.ABC"
    assert robust.links == () and robust.arxiv_id is None
    assert scholar.arxiv_id == "2309.03409" and scholar.authors == ("Chengrun Yang", "Xuezhi Wang")
    assert report.arxiv_id == "hep-th/9901001" and report.authors == ("Barnes and Noble Research",)


def test_id_list() -> None:
    papers = parse("ids.txt").papers
    assert [p.arxiv_id for p in papers] == [
        "2403.01234", "2403.05678", "2401.00001", "2402.11111", "2403.09611",
        "hep-th/9901001", "2310.06825"]
    assert all(p.title == "" and p.abstract == "" and not p.authoritative for p in papers)


def test_paperqueue_export_round_trip() -> None:
    mm1, plain = parse("paperqueue_export.json").papers
    assert mm1.key == "arxiv:2403.09611" and mm1.arxiv_id == "2403.09611"
    assert mm1.links == ("https://github.com/apple/ml-mm1", "https://example.org/mm1")
    assert mm1.authors == ("Brandon McKinzie", "Zhe Gan") and mm1.categories == ("cs.CV", "cs.CL")
    assert (mm1.upvotes, mm1.comments, mm1.published, mm1.updated) == (126, 7, "2024-03-14T17:51:32Z", None)
    assert dict(mm1.state) == {
        "starred": True, "read": False, "added_at": "2024-03-15T08:00:00Z",
        "starred_at": "2024-03-15T08:05:00Z", "read_at": None,
        "tags": ("multimodal", "to-present"),
        "note": "Compare with LLaVA.\nSection 3 is the key part.",
    }
    assert plain.key == "title:a-paper-without-an-arxiv-id" and plain.arxiv_id is None
    assert plain.links == ()  # the arXiv search page is not a link
    assert dict(plain.state) == {"starred": False, "read": True, "read_at": "2024-03-20T21:00:00Z", "tags": ()}


def test_paperqueue_export_plain_list() -> None:
    text = '[{"key": "arxiv:2403.01234", "title": "T", "arxiv_id": "2403.01234v2", "starred": true}]'
    result = parse_text(text)
    assert result.format == "pq"
    [paper] = result.papers
    assert paper.arxiv_id == "2403.01234" and paper.state == {"starred": True}


def test_hf_other_shapes() -> None:
    row = '{"paper": {"id": "2403.01234", "title": "T", "summary": "S"}, "numComments": 2}'
    for text in (row, '{"papers": [' + row + "]}", '{"id": "2403.01234", "title": "T", "summary": "S"}'):
        result = parse_text(text)
        assert result.format == "hf"
        assert [(p.arxiv_id, p.title, p.abstract) for p in result.papers] == [("2403.01234", "T", "S")]


MISLEADING = {
    "hf_daily_papers.json": "papers.txt",
    "arxiv_api_response.atom": "feed.txt",
    "arxiv_cs_lg.rss": "feed.json",
    "arxiv_listing_rdf.xml": "listing.bib",
    "references.bib": "references.json",
    "ids.txt": "ids.bib",
    "paperqueue_export.json": "export.xml",
}


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_detected_by_content(name: str) -> None:
    text = read_fixture(name)
    assert detect_format(text) == FIXTURE_FORMATS[name]
    assert detect_format(text, MISLEADING[name]) == FIXTURE_FORMATS[name]
    assert detect_format("\ufeff\n\n  " + text, MISLEADING[name]) == FIXTURE_FORMATS[name]
    assert parse_text(text, MISLEADING[name]).papers == parse_text(text, name).papers


def test_page_detection(sample_text: str) -> None:
    assert detect_format(sample_text, "trending.json") == "page"
    result = parse_text(sample_text)
    assert result.format == "page" and len(result.papers) == 79 and result.problems == []


def test_extension_breaks_ties() -> None:
    assert detect_format("nothing recognisable here", "refs.bib") == "bibtex"
    assert detect_format("nothing recognisable here", "refs.txt") == "page"


def test_hard_wrapped_and_dirty_feed_text() -> None:
    # ESC cannot occur in XML 1.0 at all; C1 controls and bidi overrides can.
    feed = read_fixture("arxiv_api_response.atom").replace(
        "<name>Ada Lovelace</name>", "<name>Ada\n   \x9b31mLovelace\x9b0m</name>").replace(
        "Scalable Diffusion", "Scalable\u202e \t Diffusion")
    paper = parse_text(feed).papers[0]
    assert paper.authors[0] == "Ada Lovelace"
    assert paper.title.startswith("Scalable Diffusion Models with")


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_detected_from_the_head_alone(name: str) -> None:
    # Callers may sniff only the start of a big file.
    assert detect_format(read_fixture(name)[:300]) == FIXTURE_FORMATS[name]
