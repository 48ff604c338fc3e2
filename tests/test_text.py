"""Tests for paperqueue.core.text: control-content removal and one_line."""

from __future__ import annotations

import re

import pytest
from linear import assert_linear
from hypothesis import given, settings
from hypothesis import strategies as st

from paperqueue.core.text import clean_text, collapse_space, one_line

# Everything clean_text must never let through.
FORBIDDEN_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufeff]"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[31mRed\x1b[0m Title\x1b]0;pwned\x07", "Red Title"),
        ("a\x1b[?25lb\x1b[2Jc", "abc"),  # private-mode CSI, erase display
        ("a\x1b[38;5;196mb", "ab"),
        ("a\x1b[1 qb", "ab"),  # CSI with intermediate byte
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x1b]0;title\x1b\\b", "ab"),  # OSC ended by ST
        ("a\x9d0;title\x9cb", "ab"),  # 8-bit OSC and ST
        ("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x90payload\x9cb", "ab"),  # 8-bit DCS
        ("a\x1b_apc\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d", "abcd"),
        ("a\x1bcb\x1b(Bc\x1b7d\x1b=e", "abcde"),  # two-char / nF escapes
        ("abc\x1b", "abc"),  # lone ESC at end
        ("a\x1b\x1b[31mb", "ab"),  # ESC ESC CSI: the CSI is still removed
        ("a\x1b]0;x\x1b[1mb", "ab"),  # OSC cut short by a new escape
    ],
)
def test_escape_sequences_removed(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_unterminated_osc_stops_at_newline() -> None:
    assert clean_text("keep\x1b]0;swallowed\nnext line") == "keep\nnext line"
    assert clean_text("keep\x1b]0;swallowed to the end") == "keep"
    assert clean_text("keep\x1bPdcs body\nnext") == "keep\nnext"
    assert clean_text("keep\x9fapc body\tstill\nnext") == "keep\nnext"  # 8-bit APC


def test_c0_del_c1_removed_but_newline_and_tab_kept() -> None:
    raw = "a\x00b\x07c\x08d\re\x0bf\x0cg\x7fh\x80i\x85j\x9ak\tl\nm"
    assert clean_text(raw) == "abcdefghijk\tl\nm"


@pytest.mark.parametrize(
    "ch",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
     "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"],
)
def test_bidi_controls_removed(ch: str) -> None:
    assert clean_text(f"safe{ch}txt.exe") == "safetxt.exe"


def test_surrogates_and_bom_removed() -> None:
    assert clean_text("\ufeffa\ud800b\udfffc") == "abc"


def test_other_unicode_kept() -> None:
    text = "Café naïve Ünïcödé 日本語の論文 한국어 😀👩‍🔬 ∑∫√≤≥ α-β ½ 𝔽"
    assert clean_text(text) == text


def test_clean_text_returns_clean_input_unchanged() -> None:
    text = "Plain title\n\twith a tab"
    assert clean_text(text) == text


def test_one_line_collapses_all_whitespace() -> None:
    raw = "  A\ttitle\r\nacross\n\nlines\u00a0with\u2003odd\u3000spaces\u2028 "
    assert one_line(raw) == "A title across lines with odd spaces"


def test_one_line_cleans_first() -> None:
    assert one_line("\x1b[1m Bold \x1b[0m\n\x1b]0;t\x07 end ") == "Bold end"
    assert one_line("") == ""
    assert one_line(" \n\t \x1b[0m ") == ""


def test_collapse_space_does_not_clean() -> None:
    assert collapse_space("  a \n b  ") == "a b"


def test_large_input_is_linear() -> None:
    chunk = "Some \x1b[1mbold\x1b[0m text,\u202e and\tnewlines\n" * 2000
    big = chunk * 60  # about 5 MB
    cleaned, flat = clean_text(big), one_line(big)
    assert "\x1b" not in cleaned and "\n" not in flat
    assert_linear(clean_text, big, big * 2, "clean_text")
    assert_linear(one_line, big, big * 2, "one_line")


def test_pathological_inputs_are_linear() -> None:
    for unit in ("\x1b", "\x1b[", "\x1b]", "\x9b1;", "\x1bP"):
        garbage = unit * (500_000 // len(unit))
        assert not FORBIDDEN_RE.search(one_line(garbage))
        assert_linear(one_line, garbage, garbage * 2, repr(unit))


# Text biased towards the interesting characters.
_PIECES = st.sampled_from(
    ["\x1b", "[", "]", "\\", "P", "_", "^", "X", "0", ";", "m", "\x07", "\x9b",
     "\x9c", "\x9d", "\x90", "\n", "\r", "\t", " ", "\u202e", "\u2066", "\ufeff",
     "\u00a0", "a", "é", "日", "😀", "\x85", "\x00", "\x7f"]
)
_TEXTS = st.one_of(st.text(), st.lists(_PIECES, max_size=60).map("".join))


@given(_TEXTS)
@settings(max_examples=400, deadline=None)
def test_clean_text_output_has_no_control_content(s: str) -> None:
    out = clean_text(s)
    assert not FORBIDDEN_RE.search(out)
    assert clean_text(out) == out  # idempotent


@given(_TEXTS)
@settings(max_examples=400, deadline=None)
def test_one_line_is_one_clean_line(s: str) -> None:
    out = one_line(s)
    assert not FORBIDDEN_RE.search(out)
    assert out == out.strip()
    assert not re.search(r"\s\s|[^\S ]", out)
