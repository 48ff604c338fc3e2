"""Tests for paperqueue.core.identity: arXiv ids, titles, keys, links."""

from __future__ import annotations

import re

import pytest
from linear import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st

from paperqueue.core.identity import (
    ARXIV_NEW,
    ARXIV_OLD,
    arxiv_abs_url,
    arxiv_search_url,
    extract_links,
    find_arxiv_id,
    normalise_title,
    paper_key,
    parse_arxiv_id,
)


def test_id_patterns() -> None:
    assert re.fullmatch(ARXIV_NEW, "2403.01234")
    assert re.fullmatch(ARXIV_NEW, "0704.0001")
    assert not re.fullmatch(ARXIV_NEW, "2403.123")
    for old in ("hep-th/9901001", "math.GT/0309136", "cs/0112017"):
        assert re.fullmatch(ARXIV_OLD, old)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See arXiv:2403.01234 for details.", "2403.01234"),
        ("Preprint (arXiv: 2403.01234v2).", "2403.01234"),
        ("ARXIV:2403.0123", "2403.0123"),
        ("at https://arxiv.org/abs/2403.01234.", "2403.01234"),
        ("pdf: https://arxiv.org/pdf/2403.01234v1.pdf", "2403.01234"),
        ("pdf: arxiv.org/pdf/2403.01234v3", "2403.01234"),
        ("html https://arxiv.org/html/2403.01234v1#S2", "2403.01234"),
        ("http://export.arxiv.org/abs/2403.01234v4", "2403.01234"),
        ("www.ArXiv.org/Abs/2403.01234", "2403.01234"),
        ("old arXiv:hep-th/9901001v2 paper", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
        ("arXiv:cs/0112017", "cs/0112017"),
        ("arXiv:HEP-TH/9901001", "hep-th/9901001"),
        ("first arXiv:2401.00001 then arXiv:2402.00002", "2401.00001"),
    ],
)
def test_find_arxiv_id(text: str, expected: str) -> None:
    assert find_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We improve by 2403.01234 points.",  # bare number in prose
        "doi:10.1234/2403.01234",
        "https://doi.org/10.48550/2403.01234",
        "arXiv:2403.012345",  # six digits
        "arXiv:12403.01234",
        "arXiv preprint 2403.01234",  # no colon
        "https://notarxiv.org/abs/2403.01234",
        "https://arxiv.org/list/cs.LG/2403.01234",
        "arXiv:hep-th/990100",  # old style needs seven digits
        "",
    ],
)
def test_find_arxiv_id_negative(text: str) -> None:
    assert find_arxiv_id(text) is None


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("2403.01234", "2403.01234"),
        (" 2403.01234v3 ", "2403.01234"),
        ("arXiv:2403.01234v3", "2403.01234"),
        ("arxiv: 2403.01234", "2403.01234"),
        ("https://arxiv.org/abs/2403.01234", "2403.01234"),
        ("https://arxiv.org/abs/2403.01234v2?context=cs", "2403.01234"),
        ("http://arxiv.org/pdf/2403.01234v3.pdf", "2403.01234"),
        ("arxiv.org/pdf/2403.01234", "2403.01234"),
        ("/pdf/2403.01234v3.pdf", "2403.01234"),
        ("https://arxiv.org/html/2403.01234v1/", "2403.01234"),
        ("https://export.arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("cs/0112017v2", "cs/0112017"),
    ],
)
def test_parse_arxiv_id(s: str, expected: str) -> None:
    assert parse_arxiv_id(s) == expected


@pytest.mark.parametrize(
    "s",
    ["", "hello", "2403.123", "2403.012345", "10.1234/2403.01234",
     "see 2403.01234", "https://example.org/abs/2403.01234", "2403.01234 extra"],
)
def test_parse_arxiv_id_negative(s: str) -> None:
    assert parse_arxiv_id(s) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Attention Is All You Need!", "attention is all   you need"),
        ("LaTeX-free", "latex free"),
        ("Café Naïve", "cafe naive"),
        ("Ｆｕｌｌｗｉｄｔｈ ﬁne", "fullwidth fine"),  # NFKC
        ("Straße", "STRASSE"),  # casefold
        ("  --Leading/trailing__  ", "leading trailing"),
    ],
)
def test_normalise_title_equal(a: str, b: str) -> None:
    assert normalise_title(a) == normalise_title(b)


def test_normalise_title_values() -> None:
    assert normalise_title("Attention Is All You Need!") == "attention is all you need"
    assert normalise_title("GPT-4V: 3D-aware") == "gpt 4v 3d aware"
    assert normalise_title("日本語の論文") == "日本語の論文"
    assert normalise_title("!!! ...") == ""


def test_paper_key() -> None:
    assert paper_key("2403.01234", "Whatever") == "arxiv:2403.01234"
    assert paper_key("arXiv:2403.01234v2", "x") == "arxiv:2403.01234"
    assert paper_key(None, "Attention Is All You Need!") == "title:attention-is-all-you-need"
    assert paper_key("", "Pointer  Networks") == "title:pointer-networks"
    assert paper_key(None, "Café") == paper_key(None, "cafe")
    with pytest.raises(ValueError):
        paper_key(None, "?!")
    with pytest.raises(ValueError):
        paper_key(None, "")


def test_urls() -> None:
    assert arxiv_abs_url("2403.01234") == "https://arxiv.org/abs/2403.01234"
    assert (
        arxiv_search_url("Attention & You: 100%?")
        == "https://arxiv.org/search/?query=Attention+%26+You%3A+100%25%3F&searchtype=title"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Project page: https://xxu068.github.io/flexgen.github.io/.",
         ["https://xxu068.github.io/flexgen.github.io/"]),
        ("at https://hiss-csp.github.io.", ["https://hiss-csp.github.io"]),
        ("(see https://github.com/a/b).", ["https://github.com/a/b"]),
        ("[link](https://example.com/x)", ["https://example.com/x"]),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("(https://en.wikipedia.org/wiki/Foo_(bar)).", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ('"https://a.io/q?x=1&y=2", then', ["https://a.io/q?x=1&y=2"]),
        ("<https://a.io/p>", ["https://a.io/p"]),
        ("'https://a.io/p';", ["https://a.io/p"]),
        ("HTTP://A.IO/x!?", ["HTTP://A.IO/x"]),
        ("a https://a.io b http://b.io c https://a.io", ["https://a.io", "http://b.io"]),
        ("https://a.io/x\x1b[31m", ["https://a.io/x"]),
        ("https://a.io/\u202eexe", ["https://a.io/"]),
        ("nothing here, ftp://x.io, https://, https://.", []),
    ],
)
def test_extract_links(text: str, expected: list[str]) -> None:
    assert extract_links(text) == expected


def test_extract_links_pathological_is_linear() -> None:
    for make in (lambda n: "https://a" + ")" * n, lambda n: "https://" * (n // 8),
                 lambda n: "(" * (n // 2) + "https://x.io" + ")" * (n // 2)):
        assert_linear(extract_links, make(1_000_000), make(2_000_000), "extract_links")


def _balanced_end(url: str) -> bool:
    for close, open_ in (")(", "]["):
        if url.endswith(close) and url.count(close) > url.count(open_):
            return False
    return True


_URLISH = st.lists(
    st.sampled_from(["https://", "http://", "a", "b.io", "/", ".", ",", ")", "(",
                     "]", "[", "!", "?", "'", '"', " ", "\n", "<", ">", "é", "\x1b"]),
    max_size=40,
).map("".join)


@given(st.one_of(st.text(), _URLISH))
@settings(max_examples=400, deadline=None)
def test_extract_links_properties(text: str) -> None:
    links = extract_links(text)
    assert len(links) == len(set(links))
    for url in links:
        assert re.match(r"(?i)https?://[^/?#]", url)
        assert not re.search(r'[\s<>"\x00-\x1f\x7f-\x9f]', url)
        assert url[-1] not in ".,;:!?'\""
        assert _balanced_end(url)
        assert url in text


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_normalise_title_properties(title: str) -> None:
    norm = normalise_title(title)
    assert norm == norm.strip()
    assert "  " not in norm
    assert normalise_title(norm) == norm
