"""Issue 9 item 14: invisible characters never reach the list, and what is
left is measured the same by Rich (Textual's cell_len) and by the terminal.

Measured in tmux 3.3a (see the report of issue 9): a zero-width space,
joiner, BOM, tag character or U+FFF9-FFFB take no cell in either, but a
joiner between letters makes Rich skip the next letter ("a\\u200db": Rich 1,
tmux 2), a skin-tone modifier or an emoji variation selector makes them
disagree (Rich 2, tmux 4 for a thumbs-up with a tone; Rich 2, tmux 1 for
a heart with VS16), Hangul fillers take 0 cells in Rich and 1-2 in tmux.
So these are removed; a joiner stays only between two emoji (an emoji ZWJ
sequence: 2 cells in both)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from paperqueue.core.text import clean_text, one_line

INVISIBLE = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\u2061", "\u2064", "\ufeff", "\u00ad", "\u034f", "\u180e",
    "\U000e0001", "\U000e0041", "\U000e007f", "\ufff9", "\ufffa", "\ufffb", "\u202a", "\u202e", "\u2066",
    "\u2069", "\ufe0e", "\ufe0f", "\ufe00", "\U000e0100", "\u115f", "\u1160", "\u3164", "\uffa0",
    "\U0001f3fb", "\U0001f3ff", "\u206a", "\u206f", "\U0001d173",
]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_are_removed(ch: str) -> None:
    assert one_line(f"Deep{ch} Learning{ch}{ch}") == "Deep Learning"
    assert clean_text(f"a{ch}b\n{ch}c") == "ab\nc"
    assert one_line(f"{ch}") == ""


@pytest.mark.parametrize(
    "text",
    ["👩\u200d💻", "👨\u200d👩\u200d👧", "👩\u200d❤\u200d👨", "🏳\u200d🌈", "🇫🇷 flag", "日本語", "e\u0301", "👍 ok"],
)
def test_emoji_sequences_and_wide_text_stay(text: str) -> None:
    assert one_line(text) == text


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("a\u200db", "ab"),
        ("日\u200d本", "日本"),
        ("👍\u200da", "👍a"),
        ("a\u200d👍", "a👍"),
        ("👩\u200d\u200d💻", "👩\u200d💻"),
        ("👩🏽\u200d💻", "👩\u200d💻"),
        ("❤\ufe0f title", "❤ title"),
        ("1\ufe0f\u20e3", "1\u20e3"),
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "🏴"),
        ("\u200d👩", "👩"),
        ("👩\u200d", "👩"),
    ],
)
def test_joiners_and_selectors_only_where_both_measure_them_alike(raw: str, kept: str) -> None:
    assert one_line(raw) == kept


# Rich's cell_len agrees with a per-character sum once a string is clean,
# but for emoji ZWJ sequences (2 cells each, as tmux draws them).
def _naive(text: str) -> int:
    parts = text.split("\u200d")
    return sum(cell_len(c) for c in parts[0]) + sum(sum(cell_len(c) for c in p) - cell_len(p[0]) for p in parts[1:] if p)


@given(st.text(alphabet=st.sampled_from([*INVISIBLE, "a", "b", " ", "日", "👍", "👩", "💻", "❤", "\u0301", "1", "\u20e3"]), max_size=30))
def test_clean_text_is_measured_per_character(text: str) -> None:
    clean = one_line(text)
    assert one_line(clean) == clean
    assert cell_len(clean) == _naive(clean)
    assert not any(ch in clean for ch in INVISIBLE if ch != "\u200d")
