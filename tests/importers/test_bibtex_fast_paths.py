"""The BibTeX import's fast paths give exactly what the general paths give.

The import reads the common case (a braced value, text with no TeX, text
with no control character or doubled space) with cheap ``str`` tests and
``str.find``; everything else goes through the regex decoders.  These
properties compare the two on random text built from the characters that
decide which path is taken, so a fast path that drifts from the general one
is caught.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from paperqueue.core.importers.bibtex import parse_bibtex
from paperqueue.core.importers.latex import _Decoder, latex_to_text, tex_in_prose
from paperqueue.core.text import clean_text, collapse_space, one_line

_TEXT_PIECES = st.sampled_from([
    "a", "B", "é", "e\u0301", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "\x85", "\x00", "\x1b[1m", "\x7f",
    "\u202e", "\ufeff", "\\", "{", "}", "~", "$", "-", "--", "'", "''", "`", "``", "\\'e", "{\\\"o}",
    "\\textit{", "https://x.io/a", "\\_", "%", ",", "and",
])
_TEXT = st.lists(_TEXT_PIECES, max_size=20).map("".join)


@settings(max_examples=400)
@given(_TEXT)
def test_one_line_is_cleaning_then_collapsing(text: str) -> None:
    assert one_line(text) == collapse_space(clean_text(text))


@settings(max_examples=400)
@given(_TEXT)
def test_latex_decoding_skips_only_text_the_decoder_leaves_alone(text: str) -> None:
    assert latex_to_text(text) == unicodedata.normalize("NFC", _Decoder(prose=False).run(text))
    assert tex_in_prose(text) == unicodedata.normalize("NFC", _Decoder(prose=True).run(text))


def _first_close(body: str) -> int | None:
    """Where the value ends in *body*: the first ``}`` at depth 0; a brace
    right after a backslash does not count (reference, one character at a time)."""
    depth, at = 0, 0
    while at < len(body):
        char = body[at]
        if char == "\\" and body[at + 1 : at + 2] in ("{", "}"):
            at += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return at
            depth -= 1
        at += 1
    return None


_BODY = st.text(alphabet="{}\\a ,", max_size=14)
# Values whose braces balance, with escaped braces and accents in braces.
_BALANCED = st.lists(
    st.sampled_from(["a", " ", ",", "\\'e", "{a}", "{}", "{\\'\\i}", "\\{", "\\}", "{x{y}z}", "{\\}}"]), max_size=8
).map("".join)


@settings(max_examples=400)
@given(_BODY)
def test_a_braced_value_ends_where_its_braces_balance(body: str) -> None:
    text = "@misc{k, title = {" + body + "}}\n"
    close = _first_close(body + "}}")
    papers, problems = parse_bibtex(text)
    if close is None:
        assert problems == ["entry 1 (line 1): unbalanced braces"]
    elif close == len(body):
        title = one_line(latex_to_text(body))
        assert [paper.title for paper in papers] == ([title] if title else [])
        assert problems == ([] if title else ["entry 1 (line 1): no title"])


@settings(max_examples=300)
@given(_BALANCED, _BALANCED)
def test_a_value_reads_the_same_alone_and_concatenated(title: str, note: str) -> None:
    """``{X}`` takes the fast path; ``{X} # {}`` the general one."""
    assume(_first_close(title + "}") == len(title) and _first_close(note + "}") == len(note))
    fast = f"@misc{{k, title = {{{title}}}, note = {{{note}}},\n  url = {{https://a.io/{note}}}}}\n"
    general = f"@misc{{k, title = {{{title}}} # {{}}, note = {{{note}}} # {{}},\n  url = {{https://a.io/{note}}} # {{}}}}\n"
    assert parse_bibtex(fast) == parse_bibtex(general)


def _names_reference(text: str) -> list[str]:
    """Author names: cut at " and " (any case) outside braces; a stray ``}``
    does not take the depth below zero (reference, one character at a time)."""
    pieces, depth, start, at = [], 0, 0, 0
    while at < len(text):
        if text[at] == "{":
            depth += 1
        elif text[at] == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and text[at : at + 5].lower() == " and ":
            pieces.append(text[start:at])
            start = at = at + 5
            continue
        at += 1
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces]


@settings(max_examples=500, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(st.sampled_from(["{", "}", "a", "B", " and ", " AND ", " ", ",", "\\'e", "{a and b}"]), max_size=16)
       .map("".join))
def test_authors_are_cut_at_and_outside_braces_only(people: str) -> None:
    assume(_first_close(people + "}") == len(people))
    text = f"@misc{{k, title = {{T}}, author = {{{people}}} # {{}}}}\n"
    papers, _ = parse_bibtex(text)
    if papers:  # (an unbalanced field gives no paper: not what this checks)
        expected = [one_line(latex_to_text(_person_reference(name))) for name in _names_reference(one_line(people))
                    if name.lower() != "others"]
        assert list(papers[0].authors) == list(dict.fromkeys(name for name in expected if name))


def _person_reference(name: str) -> str:
    """"Last, First" -> "First Last" ("von Last, Jr, First" -> "First von Last Jr"), commas in braces kept."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(name):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(name[start:at].strip())
            start = at + 1
    parts.append(name[start:].strip())
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    elif len(parts) >= 3:
        parts = [*parts[2:], parts[0], parts[1]]
    return " ".join(part for part in parts if part)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(["{", "}", "a", " and ", " AnD ", " ", "}{"]), max_size=16).map("".join))
def test_the_name_cut_matches_the_reference_on_any_braces(people: str) -> None:
    """Inside a BibTeX value braces balance, so the parser never meets a
    stray ``}`` here; the cut must still follow the rule for any text."""
    from paperqueue.core.importers.bibtex_fields import _AND_RE, _NAME_SPLIT_RE, _depth0_split

    assert _depth0_split(people, _NAME_SPLIT_RE, _AND_RE) == _names_reference(people)


def test_a_year_alone_is_the_year_in_ascii_digits() -> None:
    years = ["2000", "0999", "\u0662\u0660\u0660\u0660", "20000", "c. 1999", "1999a"]
    text = "".join(f"@misc{{k{n}, title = {{T{n}}}, year = {{{year}}}}}\n" for n, year in enumerate(years))
    text += "@misc{m, title = {M}, year = {2001}, month = {mar}}\n@misc{d, title = {D}, year = {2001}, date = {2003}}\n"
    papers, problems = parse_bibtex(text)
    assert problems == []
    assert [paper.published for paper in papers] == ["2000", "0999", "2000", "2000", "1999", "1999", "2001", "2003"]
