"""The rows of a full text (:class:`~.fulltext_view.FullTextView`): lines
wrapped at spaces into rows no wider than the pane or :data:`MEASURE`
(long lines are hard to follow back), list items' wrapped rows hanging
under their text, and where a search's words occur. No widgets here."""

from __future__ import annotations

import re

from rich.cells import cell_len

from paperqueue.core.text import clean_text

__all__ = ["CONTEXT_ROWS", "MEASURE", "find_matches", "hanging", "plain_lines", "text_width", "wrap_line"]

_WORD_RE = re.compile(r"^\s*\S+\s*|\S+\s*")  # a word and the spaces after it (the first: and before)
CONTEXT_ROWS = 2  # rows shown above a match that n/N brought into view
MEASURE = 100  # cells: the widest a row of text gets (a wider pane centres the column)


_HANG_RE = re.compile(r"[ \t]*(?:- )?")  # a list item's "- " and an indented line's blanks


def hanging(line: str, width: int) -> int:
    """How far a line's wrapped rows are indented: under a list item's text
    (after ``- ``, nested or not) and an indented paragraph's first word;
    at most half the row."""
    found = _HANG_RE.match(line)
    return min(found.end() if found else 0, width // 2)


def wrap_line(line: str, width: int, hang: int = 0) -> list[tuple[int, int]]:
    """``line`` cut into rows at spaces where it can be (a word longer than
    a row is cut): ``(start, end)`` offsets. The first row holds at most
    ``width`` cells, the others ``width - hang`` (they are drawn indented by
    ``hang``). An empty line is one empty row."""
    width = max(1, width)
    if not line:
        return [(0, 0)]
    if (len(line) <= width and line.isascii()) or cell_len(line) <= width:
        return [(0, len(line))]
    rest = max(1, width - hang)
    rows: list[tuple[int, int]] = []
    start, used, limit = 0, 0, width
    for found in _WORD_RE.finditer(line):
        word_start, word = found.start(), found.group()
        stripped = word.rstrip()
        need = cell_len(stripped)
        if used and used + need > limit:  # the word goes to the next row
            rows.append((start, word_start))
            start, used, limit = word_start, 0, rest
        if need > limit:  # longer than a row: cut it
            cut = start
            cells = used
            for index in range(word_start, word_start + len(stripped)):
                char = cell_len(line[index])
                if cells + char > limit and index > cut:
                    rows.append((cut, index))
                    cut, cells, limit = index, 0, rest
                cells += char
            start, used = cut, cells
            used += len(word) - len(stripped)
            continue
        used += cell_len(word)
    if start < len(line) or not rows:
        rows.append((start, len(line)))
    return rows


def find_matches(lines: list[str], query: str) -> list[tuple[int, int, int]]:
    """Where ``query``'s words occur, in order (case ignored; the words may
    be apart by any spaces): ``(line, start, end)``."""
    words = query.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
    found = []
    for number, line in enumerate(lines):
        for match in pattern.finditer(line):
            if match.end() > match.start():
                found.append((number, match.start(), match.end()))
    return found


def plain_lines(text: str) -> list[str]:
    """The text's lines with nothing a terminal would act on: no controls,
    tabs as spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.expandtabs(4).rstrip() for line in clean_text(text).split("\n")]


def text_width(width: int) -> tuple[int, int]:
    """``(rows' width, left margin)`` in a pane ``width`` cells wide: the
    text keeps to :data:`MEASURE` cells, centred in a wider pane."""
    measure = min(width, MEASURE)
    return measure, (width - measure) // 2
