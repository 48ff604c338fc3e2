"""Tests for paperqueue.core.importers.page (trending-papers page parser)."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from linear import assert_linear
from hypothesis import strategies as st

from paperqueue.core.importers.page import (
    NoPapersError,
    ParsedPaper,
    is_chrome,
    iter_page,
    looks_like_page,
    parse_page,
)

SAMPLE = Path(__file__).resolve().parents[1] / "seeds" / "trending-papers.txt"
CONTROL_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
CHROME = ["new", "Get trending papers in your email inbox!", "Subscribe",
          "byAK and the research community", "by AK and the research community",
          "Mar 13", "March 13", "Mar 13, 2024", "13 Mar", "Published on Mar 13",
          "Submitted by akhaliq", "42", "1,234", "1.2k", "2024-03-13", "SUBSCRIBE"]


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def papers(sample: str) -> list[ParsedPaper]:
    return parse_page(sample)


def test_sample_papers(papers: list[ParsedPaper]) -> None:
    assert len(papers) == 79
    assert papers[0].title == (
        "Pushing Auto-regressive Models for 3D Shape Generation at Capacity and Scalability"
    )
    assert papers[-1].title == (
        "Learning dynamic representations of the functional connectome in neurobiological networks"
    )
    assert all(p.abstract for p in papers)
    assert not any(is_chrome(p.title) for p in papers)
    titles = {p.title for p in papers}
    assert not titles & set(CHROME)
    assert len(titles) == 79


def test_sample_links(papers: list[ParsedPaper]) -> None:
    flexgen = next(p for p in papers if p.title.startswith("FlexGen"))
    assert "https://xxu068.github.io/flexgen.github.io/" in flexgen.links
    all_links = [link for p in papers for link in p.links]
    assert "https://hiss-csp.github.io" in all_links
    assert "https://github.com/CompVis/latent-diffusion" in all_links
    assert not any(link.endswith((".", ",", ")")) for link in all_links)


def test_sample_line_ending_and_spacing_variants(sample: str, papers: list[ParsedPaper]) -> None:
    variants = [
        sample.replace("\n", "\r\n"),
        sample.replace("\n", "\r"),
        sample.replace("\n\n", "\n\n\n\n"),
        sample.replace("\n\n", "\n \t \n\u00a0\n"),
        "\n".join("\t  " + line + "  \t" for line in sample.split("\n")),
        "\ufeff\n\n" + sample + "\n\n\n",
    ]
    for text in variants:
        assert parse_page(text) == papers


def test_sample_single_newlines(sample: str, papers: list[ParsedPaper]) -> None:
    assert parse_page(re.sub(r"\n+", "\n", sample)) == papers


def test_sample_hard_wrapped_abstracts(sample: str, papers: list[ParsedPaper]) -> None:
    blocks = [textwrap.fill(b, 78, break_long_words=False, break_on_hyphens=False)
              for b in sample.split("\n\n")]
    assert parse_page("\n\n".join(blocks)) == papers


def test_iter_page_streams_file_lines(sample: str, papers: list[ParsedPaper]) -> None:
    assert list(iter_page(io.StringIO(sample))) == papers
    crlf = sample.replace("\n", "\r\n")
    assert list(iter_page(io.StringIO(crlf, newline=""))) == papers
    assert list(iter_page(sample.splitlines())) == papers
    # "\r" and "\n" of one line ending delivered in separate items.
    items = [part for line in crlf.split("\r\n") for part in (line + "\r", "\n")]
    assert list(iter_page(items)) == papers


def test_escape_sequences_in_title_and_abstract() -> None:
    text = ("\x1b[31mRed\x1b[0m Title\x1b]0;pwned\x07\n\n"
            "An \u202eabstract\u202c with\x85 C1\nand a line break.\n")
    [paper] = parse_page(text)
    assert paper.title == "Red Title"
    assert paper.abstract == "An abstract with C1 and a line break."


def test_escape_only_line_separates_blocks() -> None:
    text = "First Title\n\x1b[0m\x1b]0;x\x07\nFirst abstract.\n\n\x1b[1m\x1b[0m\nSecond Title\n\nSecond abstract."
    assert [(p.title, p.abstract) for p in parse_page(text)] == [
        ("First Title", "First abstract."), ("Second Title", "Second abstract.")]


@pytest.mark.parametrize("chrome", CHROME)
def test_chrome_never_a_title(chrome: str) -> None:
    text = f"{chrome}\n\nReal Title\n\n{chrome}\n\nThe abstract.\n\n{chrome}\n"
    assert [(p.title, p.abstract) for p in parse_page(text)] == [("Real Title", "The abstract.")]
    assert is_chrome(chrome)


def test_chrome_lines_at_block_edges() -> None:
    text = "Subscribe\nReal Title\nSubmitted by someone\n12\nWe do things.\nMar 13"
    [paper] = parse_page(text)
    assert (paper.title, paper.abstract) == ("Real Title", "We do things.")


def test_chrome_split_over_lines_is_not_a_title() -> None:
    papers = parse_page("Published\non Mar 13\n\nProse here.\n\nReal Title\n\nAbstract.")
    assert [p.title for p in papers] == ["Real Title"]


def test_short_abstract_kept() -> None:
    text = "A Title\n\nWe propose X.\n\nAnother Title\n\nShort too.\n"
    assert [(p.title, p.abstract) for p in parse_page(text)] == [
        ("A Title", "We propose X."), ("Another Title", "Short too.")]


def test_title_title_abstract() -> None:
    papers = parse_page("Lonely Title\n\nReal Title\n\nThe abstract of the real one.")
    assert [(p.title, p.abstract) for p in papers] == [
        ("Lonely Title", ""), ("Real Title", "The abstract of the real one.")]


def test_title_run_heuristics() -> None:
    # Three title-like blocks then prose: the middle one is a short abstract.
    papers = parse_page("T One\n\nshort abstract no period\n\nT Three\n\nProse abstract.")
    assert [(p.title, p.abstract) for p in papers] == [
        ("T One", "short abstract no period"), ("T Three", "Prose abstract.")]
    # Two trailing titles both get empty abstracts.
    papers = parse_page("A\n\nAbstract a.\n\nTail One\n\nTail Two\n")
    assert [(p.title, p.abstract) for p in papers] == [
        ("A", "Abstract a."), ("Tail One", ""), ("Tail Two", "")]


def test_title_endings() -> None:
    text = ("Is It Real?\n\nYes.\n\nStop It!\n\nOk.\n\nSmith et al.\n\nAbout Smith.\n\n"
            "This is a sentence.\n\nNot a title, skipped as noise.\n")
    assert [p.title for p in parse_page(text)] == ["Is It Real?", "Stop It!", "Smith et al."]


def test_multiline_block_title_plus_abstract() -> None:
    text = "A Single-Newline Title\nThe abstract starts here\nand wraps onto a second line."
    [paper] = parse_page(text)
    assert paper.title == "A Single-Newline Title"
    assert paper.abstract == "The abstract starts here and wraps onto a second line."


def test_wrapped_titles() -> None:
    text = "Pushing Models for\n3D Shape Generation at\nScale\n\nThe abstract."
    [paper] = parse_page(text)
    assert (paper.title, paper.abstract) == (
        "Pushing Models for 3D Shape Generation at Scale", "The abstract.")
    text = "T1\n\nWrapped second\ntitle here\n\nAbstract two.\n\nT3\n\nshort wrapped\nno period"
    assert [(p.title, p.abstract) for p in parse_page(text)] == [
        ("T1", ""), ("Wrapped second title here", "Abstract two."),
        ("T3", "short wrapped no period")]


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t\n", "Just one paragraph of text.",
     "Only a title-like line",
     "A wrapped paragraph of prose that goes on\nand on over several lines, as prose\ndoes.",
     "new\n\nSubscribe\n\nbyAK and the research community\n\nMar 13\n\n42\n",
     "\x1b[31m\x1b[0m\n\n\x07\n"],
)
def test_no_papers(text: str) -> None:
    with pytest.raises(NoPapersError):
        parse_page(text)
    assert not looks_like_page(text)


def test_arxiv_ids_and_links_in_papers() -> None:
    text = ("Paper One\n\nSee arXiv:2403.01234v2 and https://github.com/a/b.\n\n"
            "Paper Two\n\nPDF at https://arxiv.org/pdf/2403.05678v1.pdf.\n\n"
            "Paper Three\n\nHTML at arxiv.org/html/2401.00001v1 (old: arXiv:hep-th/9901001).\n\n"
            "Paper Four\n\nImproves by 2403.01234 points; doi 10.1234/2403.01234.")
    papers = parse_page(text)
    assert [p.arxiv_id for p in papers] == ["2403.01234", "2403.05678", "2401.00001", None]
    assert papers[0].links == ("https://github.com/a/b",)
    assert papers[1].links == ("https://arxiv.org/pdf/2403.05678v1.pdf",)


def test_looks_like_page(sample: str) -> None:
    assert looks_like_page(sample[:3000])
    assert looks_like_page("Title\n\nAbstract.")
    assert not looks_like_page("Title only")


# Each input is made for a size (about n characters), at 1 MB and at 2 MB.
PATHOLOGICAL = {
    "garbage-line": lambda n: "x(y]z" * (n // 5),
    "brackets": lambda n: "[[[[(((" * (n // 7),
    "closing-parens-url": lambda n: "https://" + ")" * n,
    "arxiv-prefixes": lambda n: "Title\n\n" + "arXiv:" * (n // 6),
    "bracket-urls-abstract": lambda n: "Title\n\n" + "[[[[(((https://a" * (n // 16),
    "long-line-after-title": lambda n: "Title\n" + "a" * n,
    "many-short-lines": lambda n: "Title\n\n" + "a\n" * (n // 2),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_input_is_linear(name: str) -> None:
    make = PATHOLOGICAL[name]
    assert_linear(parse_page, make(1_000_000), make(2_000_000), name, expected=(NoPapersError,))


_STRUCTURE = st.sampled_from(
    ["\n", "\n\n", "\r\n", "\r", " ", "\t", "Title", "Some Title?", "An abstract.",
     "We propose X.", *CHROME, "\x1b[31m", "\x1b]0;x", "\x07", "\x9b", "\u202e",
     "\x85", "https://a.io/x).", "arXiv:2403.01234v2", "(", "et al.", "é", "日本"]
)
_PAGES = st.one_of(st.text(max_size=300),
                   st.lists(_STRUCTURE, max_size=40).map("".join))


@given(_PAGES)
@settings(max_examples=500, deadline=None)
def test_parse_page_properties(text: str) -> None:
    try:
        papers = parse_page(text)
    except NoPapersError:
        assert not looks_like_page(text)
        return
    assert looks_like_page(text)
    assert any(p.abstract for p in papers)
    for p in papers:
        assert p.title and p.title == p.title.strip()
        assert not CONTROL_RE.search(p.title)
        assert not CONTROL_RE.search(p.abstract)
        assert not is_chrome(p.title)
        assert "  " not in p.title and "  " not in p.abstract
