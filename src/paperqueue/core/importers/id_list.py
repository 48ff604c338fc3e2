"""A plain list of arXiv ids or URLs, one per line.

Each line may be::

    2403.01234            2403.01234v3          arXiv:2403.01234v3
    hep-th/9901001        arXiv:math.GT/0309136
    hep-ph0605279         math.GT0309136      (old ids without the slash, as
                          arXiv's bulk files and datasets built from them
                          name papers: read as hep-ph/0605279)
    https://arxiv.org/abs/2403.01234v2          (any arxiv.org subdomain)
    https://arxiv.org/pdf/2403.01234v2.pdf      https://arxiv.org/html/2403.01234
    https://huggingface.co/papers/2403.01234    (also hf.co, alphaxiv.org/abs/)
    doi:10.48550/arXiv.2403.01234               https://doi.org/10.48550/arXiv.…

optionally behind a list bullet ("- ", "* ", "• ", "1. ") and followed by
a comment (" # …"); lines starting with ``#`` and blank lines are ignored.
Every id becomes ``ParsedPaper(title="", arxiv_id=id)``; an id seen before
is not repeated.  A line that is none of these is a problem line:
``line 7: not an arXiv id or URL: 'foo'`` (the first :data:`MAX_PROBLEMS`
are spelled out, the rest counted in one last line).

Speed: the common forms (a bare new-style id, ``arXiv:…``, an arxiv.org
URL) are recognised by one compiled pattern per line; only other lines take
the general path, and a line with fewer than four digits in a row (no id
has fewer) is refused before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from paperqueue.core.identity import parse_arxiv_id
from paperqueue.core.importers.record import ParsedPaper, arxiv_id_from_doi, clean_doi, shown
from paperqueue.core.text import one_line

__all__ = ["iter_lines", "parse_id_line", "parse_ids", "share_of_ids"]

_MAX_LINE = 500  # no id or URL of one is longer
_BULLET_RE = re.compile(r"(?:[-*\u2022]|\d{1,4}[.)])\s+")
_COMMENT_RE = re.compile(r"\s#.*\Z", re.DOTALL)
_MIRROR_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co|alphaxiv\.org/abs|alphaxiv\.org/overview)"
    r"(?:/papers)?/([^\s/?#]+)/?(?:[?#]\S*)?",
    re.IGNORECASE,
)
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_DIGITS_RE = re.compile(r"\d{4}")  # every id has four digits in a row
# The common forms, whole line: optional blanks, "arXiv:" or an arxiv.org
# abs/pdf/html URL, a new-style id, a version, ".pdf", a slash.
_FAST_RE = re.compile(
    r"[ \t]*(?:(?:(?i:arxiv)[ \t]*:[ \t]*)?(\d{4}\.\d{4,5})(?:[vV]\d+)?"
    r"|(?:(?i:https?)://)?(?:(?i:www|export)\.)?(?i:arxiv\.org)/(?i:abs|pdf|html)/"
    r"(\d{4}\.\d{4,5})(?:[vV]\d+)?(?:\.(?i:pdf))?/?)[ \t]*"
)
# Old archives (including the retired ones) that ids without the slash name.
_ARCHIVES = (
    "acc-phys|adap-org|alg-geom|ao-sci|astro-ph|atom-ph|bayes-an|chao-dyn|chem-ph|cmp-lg|comp-gas|cond-mat"
    "|cs|dg-ga|funct-an|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math|math-ph|mtrl-th|nlin|nucl-ex|nucl-th"
    "|patt-sol|physics|plasm-ph|q-alg|q-bio|quant-ph|solv-int|supr-con"
)
# YYMMNNN from 9108 to 0703, when these ids were given.
_SLASHLESS_RE = re.compile(
    rf"(?:(?i:arxiv)[ \t]*:[ \t]*)?((?i:{_ARCHIVES})(?:\.[A-Za-z]{{2}}(?:-[A-Za-z]+)?)?)"
    r"((?:9[1-9]|0[0-7])(?:0[1-9]|1[0-2])\d{3})(?:[vV]\d+)?"
)
MAX_PROBLEMS = 100  # problem lines spelled out; the rest are counted


def parse_id_line(line: str) -> str | None:
    """The versionless arXiv id a line names, or None."""
    fast = _FAST_RE.fullmatch(line)
    if fast:
        return fast.group(1) or fast.group(2)
    return _slow_id(line)


def _slow_id(line: str) -> str | None:
    """:func:`parse_id_line` for the lines the common pattern does not take."""
    if len(line) > 4 * _MAX_LINE or not _DIGITS_RE.search(line):
        return None
    text = one_line(line)
    if not text or len(text) > _MAX_LINE:
        return None
    text = _COMMENT_RE.sub("", text)
    bullet = _BULLET_RE.match(text)
    if bullet:
        text = text[bullet.end():]
    text = text.strip().strip("<>").rstrip(",;")
    found = parse_arxiv_id(text)
    if found is None:
        mirror = _MIRROR_RE.fullmatch(text)
        if mirror:
            found = parse_arxiv_id(mirror.group(1))
    if found is None and "10.48550" in text:
        found = arxiv_id_from_doi(clean_doi(text))
    if found is None:
        old = _SLASHLESS_RE.fullmatch(text)
        if old:
            found = parse_arxiv_id(f"{old.group(1)}/{old.group(2)}")
    return found


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for lines that are neither blank nor comments."""
    for number, line in enumerate(_NEWLINE_RE.split(text), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line


def share_of_ids(text: str) -> float:
    """The share of non-blank, non-comment lines of *text* naming an id
    (0.0 when there are none)."""
    lines = [line for _, line in iter_lines(text)]
    if not lines:
        return 0.0
    return sum(parse_id_line(line) is not None for line in lines) / len(lines)


def parse_ids(text: str) -> tuple[list[ParsedPaper], list[str]]:
    """Papers (known by id only) and problem lines."""
    papers: list[ParsedPaper] = []
    problems: list[str] = []
    seen: set[str] = set()
    more = 0
    fast = _FAST_RE.fullmatch
    lines = text.split("\n") if "\r" not in text else _NEWLINE_RE.split(text)
    for number, line in enumerate(lines, 1):
        match = fast(line)
        if match:
            found = match.group(1) or match.group(2)
        else:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            found = _slow_id(line)
        if found is None:
            if len(problems) < MAX_PROBLEMS:
                problems.append(f"line {number}: not an arXiv id or URL: {shown(line)}")
            else:
                more += 1
        elif found not in seen:
            seen.add(found)
            papers.append(ParsedPaper(title="", arxiv_id=found))
    if more:
        problems.append(f"… and {more} more lines that are not arXiv ids or URLs")
    return papers, problems
