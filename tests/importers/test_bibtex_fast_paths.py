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

from hypothesis import assume, given, settings
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
@given(_BODY, _BODY)
def test_a_value_reads_the_same_alone_and_concatenated(title: str, note: str) -> None:
    """``{X}`` takes the fast path; ``{X} # {}`` the general one."""
    assume(_first_close(title + "}") == len(title) and _first_close(note + "}") == len(note))
    fast = f"@misc{{k, title = {{{title}}}, note = {{{note}}},\n  url = {{https://a.io/{note}}}}}\n"
    general = f"@misc{{k, title = {{{title}}} # {{}}, note = {{{note}}} # {{}},\n  url = {{https://a.io/{note}}} # {{}}}}\n"
    assert parse_bibtex(fast) == parse_bibtex(general)
