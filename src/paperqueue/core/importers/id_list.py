"""A plain list of arXiv ids or URLs, one per line.

Each line may be::

    2403.01234            2403.01234v3          arXiv:2403.01234v3
    hep-th/9901001        arXiv:math.GT/0309136
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
_DIGIT_RE = re.compile(r"\d")
MAX_PROBLEMS = 100  # problem lines spelled out; the rest are counted


def parse_id_line(line: str) -> str | None:
    """The versionless arXiv id a line names, or None."""
    if len(line) > 4 * _MAX_LINE or not _DIGIT_RE.search(line):
        return None  # every id has digits
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
    for number, line in iter_lines(text):
        found = parse_id_line(line)
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
