"""Sanitising untrusted text before it reaches the terminal or the store.

Everything that ends up on screen (titles, abstracts, links) comes from pasted
web pages or files we do not control, so it may carry terminal escape
sequences (colour codes, window-title changes, hyperlinks, device control
strings), raw control characters, or Unicode bidi overrides that make text
display differently from what it is.  :func:`clean_text` removes all of that
and keeps every other character (accents, CJK, emoji, maths symbols).

Both functions are built from a handful of precompiled regular expressions,
each of which is linear in the input (no nested quantifiers), so a 170 MB
input is handled in one pass of C code per expression.

Choice for unterminated strings: an OSC / DCS / SOS / PM / APC string that is
never terminated swallows text up to (not including) the next newline, or to
the end of the input if there is none.  Stopping at the newline keeps a single
stray ``ESC ]`` from eating the rest of a file, and makes cleaning a whole text
equivalent to cleaning it line by line (which is what the streaming page
parser does).  A string body also stops at an ESC that does not start ST; that
ESC is then treated as the start of the next escape sequence.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "collapse_space", "one_line"]

# Introducers of multi-character sequences.  They are matched by the sequence
# alternatives below, never by the plain control-character run, so that an
# introducer always gets the chance to consume its whole sequence.
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
_OSC = r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
# DCS (P), SOS (X), PM (^), APC (_), 7-bit and 8-bit forms; ST-terminated.
_STR = r"(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c\n]*(?:\x1b\\|\x9c)?"
# Any other escape: ESC, optional intermediates, optional final byte.  Also
# covers a lone ESC at the end of the text.
_ESC = r"\x1b[\x20-\x2f]*[\x30-\x7e]?"

# Invisible characters that the terminal and Rich (Textual's cell_len)
# measure differently, or that hide text (issue 9 item 14; measured in tmux
# 3.3a): soft hyphen, combining grapheme joiner, Hangul fillers (0 cells in
# Rich, 1-2 in tmux), Khmer invisible vowels, Mongolian vowel separator,
# zero-width space and non-joiner, word joiner and invisible operators,
# deprecated format controls, interlinear annotation marks, variation
# selectors (an emoji one widens a narrow character in Rich but not in
# tmux), musical formatting controls, skin-tone modifiers (Rich 2 cells
# with the emoji, tmux 4) and tag characters.  The zero-width joiner is
# handled apart: it stays between two emoji (a ZWJ sequence, 2 cells in both).
_INVISIBLE = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u2060-\u2064\u206a-\u206f"
    "\u3164\ufe00-\ufe0f\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a\U0001f3fb-\U0001f3ff"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
# Single characters removed outright: C0 except TAB/LF and ESC, DEL, C1 except
# the introducers above, bidi controls, lone surrogates, the BOM and the
# invisible characters above.
_SINGLES = (
    "\x00-\x08\x0b-\x1a\x1c-\x1f"
    "\x7f-\x8f\x91-\x97\x99\x9a\x9c"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufeff" + _INVISIBLE
)
# Emoji that a zero-width joiner may join (Extended_Pictographic, roughly).
_EMOJI = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_ZWJ_RUN_RE = re.compile("\u200d{2,}")
_STRAY_ZWJ_RE = re.compile(f"(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])")
_INTRODUCERS = "\x1b\x90\x98\x9b\x9d\x9e\x9f"

# The leading lookahead lets the engine reject ordinary characters with one
# set test instead of trying every alternative (about 4x faster).
_CONTROL_RE = re.compile(
    f"(?=[{_SINGLES}{_INTRODUCERS}])(?:{_CSI}|{_OSC}|{_STR}|{_ESC}|[{_SINGLES}]+)"
)
# Cheap pre-check: most text contains nothing to remove.
_ANY_RE = re.compile(f"[{_SINGLES}{_INTRODUCERS}\u200d]")
# Printable (so past one_line's fast path) yet removed.
_PRINTABLE_REMOVED_RE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u3164\ufe00-\ufe0f\uffa0\U0001f3fb-\U0001f3ff\U000e0100-\U000e01ef]")
# Whitespace runs that need rewriting: any run starting with a non-space
# whitespace character, or a space followed by more whitespace.  Single ASCII
# spaces are left alone, which is most of them.
_SPACE_RE = re.compile(r"[^\S ]\s*| \s+")


def clean_text(s: str) -> str:
    """Return *s* without terminal control content.

    Removed: complete escape sequences (CSI, OSC, DCS/SOS/PM/APC strings,
    other ``ESC x`` sequences, in 7-bit and 8-bit form), every other C0
    control except ``\\n`` and ``\\t`` (so ``\\r`` goes too: callers that care
    about line structure normalise line endings first), DEL, C1 controls
    U+0080..U+009F, bidi controls (U+202A..U+202E, U+2066..U+2069, U+200E,
    U+200F, U+061C), lone surrogates, U+FEFF, the invisible characters of
    ``_INVISIBLE`` (zero-width, tags, variation selectors, skin tones...) and
    every zero-width joiner but one between two emoji.  Idempotent.
    """
    if not _ANY_RE.search(s):
        return s
    s = _CONTROL_RE.sub("", s)
    if "\u200d" in s:
        s = _STRAY_ZWJ_RE.sub("", _ZWJ_RUN_RE.sub("\u200d", s))
    return s


def collapse_space(s: str) -> str:
    """Collapse whitespace runs to one ASCII space and strip the ends.

    Unlike :func:`one_line` this does not clean control content; it exists so
    callers that already ran :func:`clean_text` need not do it twice.
    """
    return _SPACE_RE.sub(" ", s).strip()


def one_line(s: str) -> str:
    """:func:`clean_text`, then every whitespace run (newlines, tabs, NBSP and
    other Unicode spaces) becomes one ASCII space; the ends are stripped."""
    # Fast path, exact: a printable string holds no control, bidi or BOM
    # character and no whitespace but the ASCII space (every other one is
    # in a non-printable category), so only doubled spaces and the ends
    # could change -- but for the few printable characters removed anyway.
    if s.isprintable() and "  " not in s and (s.isascii() or not _PRINTABLE_REMOVED_RE.search(s)):
        return s.strip(" ")
    return collapse_space(clean_text(s))
