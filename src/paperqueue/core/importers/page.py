"""Parser for copied "trending papers" pages: title, blank line, abstract, ...

Pipeline (all streaming, linear time):

1. Lines.  Each item of the input iterable is one line, with or without its
   terminator; ``\\r\\n``, ``\\r`` and ``\\n`` inside an item also split it
   (a ``\\r\\n`` split across two items counts once).  Items must be lines,
   not arbitrary fixed-size chunks.  Every line is run through
   :func:`clean_text` first, so an escape sequence can neither hide nor fake
   structure, then whitespace is collapsed.  A line that is empty after that
   is blank.
2. Blocks: runs of non-blank lines.  Page chrome lines (see
   :data:`CHROME_PATTERNS`) are dropped from the start and end of every
   block (author lines too, see :func:`is_author_line`); a block that was
   all chrome disappears.  Chrome lines inside a
   block are left alone, so an abstract's text is never rewritten.
   *One-paragraph-per-line mode*: a block containing a line longer than
   :data:`MAX_TITLE` characters cannot be a hard-wrapped paragraph (wrapped
   lines are short), so it is a page copied with single newlines; each of its
   lines becomes a block of its own (chrome lines dropped).
3. Pairing.  Text that *reads as a title*: at most :data:`MAX_TITLE`
   characters, with a letter or digit, not ending in ``,``/``;``, and not
   ending in ``.`` unless the end is an abbreviation (``et al.``, ``e.g.``,
   ``U.S.``, an initial, an ellipsis ...); ``?`` and ``!`` endings are fine.
   A *title-like* block is a single line that reads as a title, or a
   multi-line block whose joined text does when the block after it reads as
   an abstract (a title hard-wrapped over several lines).

   - No title pending: a multi-line block is first tried as "title line +
     abstract" (pages copied with single newlines): the first line reads as
     a title and does not end like wrapped prose (``,;:-`` or a function word
     such as "of"/"the"), and the rest, minus leading chrome lines, does not
     read as a title and does not start with a lowercase letter.  Otherwise
     a title-like block becomes the pending title.  Anything else is noise
     and skipped (a lone wrapped paragraph, a single line of prose).
   - Title pending: the next block is its abstract however short ("We
     propose X." is an abstract), multi-line blocks included.  The one
     exception is a title-like block B followed by a block that reads as an
     abstract, or (single-line B only) by nothing: B is the next title and
     the pending one gets an empty abstract.  If the block after B is
     title-like too, B is taken as a short abstract without final period.
     So ``T1 T2 A2`` gives ``(T1, ""), (T2, A2)``; ``T1 T2 T3 A3`` gives
     ``(T1, T2), (T3, A3)``; ``T1 T2`` at the end gives two empty abstracts.
   - A title still pending at the end gets an empty abstract.

Known limits, all ambiguous by nature: a multi-line block right after a
pending title is its abstract even if it was meant as "title + abstract"
(a hard-wrapped abstract is the likelier reading); a page copied with single
newlines is only recognised per line when some line is longer than
:data:`MAX_TITLE` (real abstracts are); hard-wrapped lines are joined with a
space, so a word hyphenated across lines keeps "- ".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from paperqueue.core.identity import extract_links, find_arxiv_id
from paperqueue.core.importers.record import ParsedPaper
from paperqueue.core.text import clean_text, collapse_space

__all__ = [
    "CHROME_PATTERNS",
    "MAX_TITLE",
    "NoPapersError",
    "ParsedPaper",
    "is_author_line",
    "is_chrome",
    "iter_page",
    "looks_like_page",
    "parse_page",
]

MAX_TITLE = 300


class NoPapersError(ValueError):
    """The text holds no title/abstract pair with a non-empty abstract."""


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_COUNT = r"(?=[\d.,]*\d)[\d.,]+[km]?"
_DATE = (
    rf"(?:{_MONTH} {_DAY}(?:,? \d{{4}})?|{_DAY} {_MONTH}(?:,? \d{{4}})?"
    rf"|{_MONTH},? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
)

#: Whole-line patterns (matched case-insensitively against the cleaned,
#: whitespace-collapsed line) that are page furniture, never titles or
#: abstracts.  Extend here.
CHROME_PATTERNS: tuple[str, ...] = (
    r"new",
    r"get trending papers in your email inbox!?",
    r"subscribe",
    r"(?:trending|daily) papers",
    r"by ?ak and the research community",
    _DATE,
    r"published on .{1,60}",
    r"submitted by(?: .{1,100})?",
    # A bare count (upvotes, comments): "42", "1,234", "1.2k".
    _COUNT,
    # Upvote buttons and counters: "▲ 42", "Upvote 42", "42 upvotes",
    # "3 comments", "· 5 authors".
    rf"(?:[\u25b2\u25b4\u2b06\u2191\u21e7]|upvoted?|upvotes)(?: ?{_COUNT})?",
    rf"{_COUNT} ?(?:upvotes?|comments?|authors?)",
)
_CHROME_MAX = 120  # no chrome line is longer; skip the regex for longer lines
# An optional "·" / "•" separator may lead any chrome line.
_CHROME_RE = re.compile(
    r"(?:[\u00b7\u2022] ?)?(?:" + "|".join(f"(?:{p})" for p in CHROME_PATTERNS) + ")",
    re.IGNORECASE,
)


def is_chrome(line: str) -> bool:
    """True if the (cleaned, collapsed) *line* is page chrome: one of
    :data:`CHROME_PATTERNS`, or an author line (:func:`is_author_line`)."""
    if len(line) <= _CHROME_MAX and _CHROME_RE.fullmatch(line) is not None:
        return True
    return is_author_line(line)


# Author lines: "Alice Smith, Bob Jones, and Carol Li · 5 authors".
_AUTHORS_MAX = 2000
_AUTHORS_TAIL_RE = re.compile(
    r"(?:,? (?:[\u00b7\u2022] ?)?(?:\d+ authors?|\+ ?\d+|et al\.?))\Z", re.IGNORECASE
)
_NAME_TOKEN_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019.-])*")
_PARTICLES = frozenset(
    "van von der den de del della di da du dos das le la bin ibn al el ter zu y".split()
)
# Capitalised words that are common in titles and rare as names: a
# comma-separated run of two-word phrases made of them is a title.
_TITLE_WORDS = frozenset(
    """a an and are as at beyond by can do does for from how in is it learning into language large
    learn less model models more multi network networks neural new not of on one only open our
    over real self small the through to towards toward two under via vision visual we what when
    where why with without you your all need data deep video image images text agent agents
    reasoning efficient fast faster better good robust simple scaling scale generation
    generative diffusion transformer transformers attention policy control search retrieval
    sparse dense hybrid alignment training inference memory space time world general universal
    zero shot few high low quality graph graphs token tokens benchmark benchmarks dataset
    datasets tuning instruction augmented adaptive dynamic foundation modeling modelling
    representation representations optimization reinforcement supervised unsupervised
    understanding""".split()
)


def _is_name(part: str) -> bool:
    tokens = part.split()
    if not 2 <= len(tokens) <= 5:
        return False
    named = 0
    for token in tokens:
        if token in _PARTICLES:
            continue
        if (
            not token[0].isupper()
            or not _NAME_TOKEN_RE.fullmatch(token)
            or (len(token) > 1 and token.isupper() and "." not in token)  # acronym
            or token.lower().rstrip(".") in _TITLE_WORDS
        ):
            return False
        named += 1
    return named >= 2


def is_author_line(line: str) -> bool:
    """True for a line that is only a comma-separated list of two or more
    person-like names ("Alice Smith, Bob Jones, and Carol Li", optionally
    ending in "et al." or "· 5 authors").  A name is 2-5 words, each
    capitalised (or a particle such as "van"), no digits, no acronyms, no
    common title words; so "Lions, Tigers, and Bears: ..." stays a title."""
    if len(line) > _AUTHORS_MAX or "," not in line:
        return False
    line = _AUTHORS_TAIL_RE.sub("", line)
    parts = [part.strip() for part in line.split(",")]
    if parts and parts[-1].lower().startswith(("and ", "& ")):
        parts[-1] = parts[-1].partition(" ")[2]
    return len(parts) >= 2 and all(_is_name(part) for part in parts)


_ALNUM_RE = re.compile(r"[^\W_]")
# "et al.", "etc.", "vs.", "Inc.", an initial ("Plan B."), "e.g."/"U.S.A.",
# an ellipsis.  Only ever applied to lines of at most MAX_TITLE characters.
_ABBREV_END_RE = re.compile(
    r"(?:\b(?:al|etc|vs|inc|ltd|co|corp|jr|sr|st|dr|no|vol|fig|eq|approx|cf|resp)"
    r"|\b[A-Z]|\b[A-Za-z]\.[A-Za-z]|\.\.)\.\Z",
    re.IGNORECASE,
)
_WRAPPED_END_RE = re.compile(
    r"(?:[,;:\-\u2010-\u2014]|\b(?:a|an|and|as|at|by|for|from|in|into|is|of|on|or|"
    r"the|to|via|with))\Z",
    re.IGNORECASE,
)


def _is_title(line: str) -> bool:
    if not line or len(line) > MAX_TITLE or not _ALNUM_RE.search(line):
        return False
    last = line[-1]
    if last in ",;":
        return False
    return last != "." or _ABBREV_END_RE.search(line) is not None


def _split_block(block: tuple[str, ...]) -> tuple[str, str] | None:
    """(title, abstract) for a "title\\nabstract" block, None for noise."""
    first = block[0]
    if not _is_title(first) or _WRAPPED_END_RE.search(first):
        return None
    rest = " ".join(_strip_chrome(block[1:]))
    if not rest:
        return None
    if _is_title(rest) or rest[0].islower():
        return None
    return first, rest


_NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def _lines(items: Iterable[str]) -> Iterator[str]:
    """Cleaned, collapsed lines ("" for blank) from line-ish items."""
    after_cr = False
    for item in items:
        if after_cr and item.startswith("\n"):
            item = item[1:]
            if not item:
                after_cr = False
                continue
        after_cr = item.endswith("\r")
        parts = item.split("\n") if "\r" not in item else _NEWLINE_RE.split(item)
        if len(parts) > 1 and parts[-1] == "":
            parts.pop()
        for part in parts:
            if part.isascii() and part.isprintable() and "  " not in part:
                # The common case: nothing to clean or collapse.
                yield part.strip()
            else:
                yield collapse_space(clean_text(part))


def _strip_chrome(lines: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    start, end = 0, len(lines)
    while start < end and is_chrome(lines[start]):
        start += 1
    while end > start and is_chrome(lines[end - 1]):
        end -= 1
    return tuple(lines[start:end])


def _blocks(items: Iterable[str]) -> Iterator[tuple[str, ...]]:
    """Non-chrome blocks of lines; see the module docstring, step 2."""
    current: list[str] = []
    per_line = False  # one-paragraph-per-line mode for the current block
    for line in _lines(items):
        if not line:
            if current:
                block = _strip_chrome(current)
                if block:
                    yield block
            current, per_line = [], False
        elif per_line:
            if not is_chrome(line):
                yield (line,)
        elif len(line) > MAX_TITLE:
            per_line = True
            for held in current:
                if not is_chrome(held):
                    yield (held,)
            current = []
            yield (line,)
        else:
            current.append(line)
    if current:
        block = _strip_chrome(current)
        if block:
            yield block


def _paper(title: str, abstract: str) -> ParsedPaper:
    return ParsedPaper(
        title=title,
        abstract=abstract,
        arxiv_id=find_arxiv_id(title + " " + abstract),
        links=tuple(extract_links(abstract)),
    )


def iter_page(lines: Iterable[str]) -> Iterator[ParsedPaper]:
    """Stream papers from the lines of a page; see the module docstring.

    Never raises for bad input and may yield nothing; papers can have an
    empty abstract.  Memory use is bounded by the largest block.
    """
    blocks = ((b, " ".join(b)) for b in _blocks(lines))
    pending: str | None = None
    cur = next(blocks, None)
    while cur is not None:
        nxt = next(blocks, None)
        block, text = cur
        # The next block reads as an abstract (not a title, not the end).
        abstract_next = nxt is not None and not _is_title(nxt[1])
        title_like = (
            _is_title(text)
            and (len(block) == 1 or (abstract_next and not is_chrome(text)))
        )
        if pending is None:
            pair = _split_block(block) if len(block) > 1 else None
            if pair is not None:
                yield _paper(*pair)
            elif title_like:
                pending = text
        elif title_like and (nxt is None or abstract_next):
            yield _paper(pending, "")
            pending = text
        else:
            yield _paper(pending, text)
            pending = None
        cur = nxt
    if pending is not None:
        yield _paper(pending, "")


def parse_page(text: str) -> list[ParsedPaper]:
    """All papers in *text*; raises NoPapersError when none has an abstract."""
    papers = list(iter_page([text]))
    if not any(p.abstract for p in papers):
        raise NoPapersError("no title/abstract pairs found")
    return papers


def looks_like_page(text_head: str) -> bool:
    """Cheap format check: the head holds at least one title/abstract pair."""
    return any(p.abstract for p in iter_page([text_head]))
