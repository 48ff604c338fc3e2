"""BibTeX (and biblatex) files, with a small parser of our own.

Why not bibtexparser: we need a problem line per broken entry with its line
number and recovery after it, a hard linear-time bound on hostile input (a
million ``{``), and LaTeX-to-text without pulling in pylatexenc.

Parsing: the text is cut into chunks at each line whose first non-blank
character is ``@``, one entry per chunk, so a broken entry (unbalanced
braces, a missing comma) costs only itself: ``entry 4 (line 37): unbalanced
braces``, and the rest still import.  Each chunk is scanned once, left to
right: linear.  The price: a value cannot hold a line starting with ``@``.
Speed: a short braced field is read in one regex match, a long one with
``str.find`` from brace to brace; only other values (quoted, ``#``,
macros) take the general path.  ``one_line`` and ``latex_to_text`` skip
their regexes for text they would give back unchanged, and author names and
venues are converted once per run.  ``benchmarks/bibtex_bench.py`` times it.
``@string`` macros and month names expand, ``#`` concatenates, ``@comment``,
``@preamble`` and text between entries are skipped, ``%`` lines between
fields are allowed; for a repeated field the first wins.

Fields::

    title, abstract         -> title, abstract (LaTeX to text, see latex.py);
                               no title but an arXiv id: a paper known by its id
    author (else the entry's own editor)
                            -> authors: "Last, First and First Last and others"
                               gives ("First Last", "First Last")
    eprint (archivePrefix / eprinttype arXiv or none; "cs.LG/ID" too), arxivid,
      an arXiv DOI (10.48550/arXiv.ID), then "arXiv:ID" or an arxiv.org URL in
      url, journal, number, volume, note, howpublished, booktitle, pages, pdf,
      file... after case braces go (journal={Ar{X}iv:1607.06450}); journal
      CoRR/arXiv with volume "abs/ID"   -> arxiv_id   (never title or abstract)
    doi (or a doi.org url)  -> doi
    url, bdsk-url-N, pdf, epub, howpublished, file (http only) -> links
    primaryClass, eprintclass -> categories
    date / year, month, day -> published: "YYYY-MM-DD" only for a full date,
                               otherwise "YYYY"
    the entry type          -> entry_type (lower case)
    booktitle (in* types) or journal / journaltitle -> venue
    crossref                -> missing year, date, booktitle (or the parent's
                               title), journal, author, editor, publisher...
                               come from the entry it names, wherever it is;
                               never its title, DOI, id or links

Problem lines: an undefined ``@string`` name or a broken ``@string`` is a
:class:`PartlyRead` warning (the entry still imports); every other line is
one entry that gave no paper, so papers + not understood = entries.
"""

from __future__ import annotations

import re

from paperqueue.core.importers.bibtex_fields import MONTHS, inherit, paper_of
from paperqueue.core.importers.latex import latex_to_text
from paperqueue.core.importers.record import ParsedPaper, PartlyRead, shown

__all__ = ["ENTRY_TYPES", "latex_to_text", "parse_bibtex"]

# -- parsing -------------------------------------------------------------------

# Chunks start at each line whose first non-blank is "@".  Searched as "\n"
# then blanks (a literal first character lets the engine skip ahead fast).
_FIRST_CHUNK_RE = re.compile(r"[ \t]*@")
_CHUNK_RE = re.compile(r"\n[ \t]*@")
_TYPE_RE = re.compile(r"[ \t]*@[ \t]*([A-Za-z][\w-]*)\s*([{(])")
_SPACE_RE = re.compile(r"(?:\s|%[^\n]*)*")
_NAME_RE = re.compile(r"[A-Za-z_][\w:.+/-]*")
_NUMBER_RE = re.compile(r"\d+")
_QUOTED_RE = re.compile(r'\\[{}]|[{}"]')
# The start of a field in one match: blanks and comments, a name, "=",
# blanks.  Possessive quantifiers: nothing to backtrack into, so a failed
# match costs one pass.
_BLANKS = r"(?:\s|%[^\n]*+)*+"
_ENTRY_KEY_RE = re.compile(rf"{_BLANKS}([^\s,{{}}()=\"#%]*+){_BLANKS}")
_HEAD_RE = re.compile(rf"{_BLANKS}([A-Za-z_][\w:.+/-]*+){_BLANKS}={_BLANKS}")
# A whole short field: its head, a braced value of at most 300 characters
# holding no brace (nor ending with a backslash, which would escape the
# "}"), blanks, then "," or the closer; one match instead of several steps.
_SHORT_FIELD_RE = re.compile(
    rf"{_BLANKS}([A-Za-z_][\w:.+/-]*+){_BLANKS}={_BLANKS}\{{([^{{}}]{{0,300}}+)(?<!\\)\}}{_BLANKS}([,)}}])"
)


class _Malformed(Exception):
    pass


class _Scanner:
    """Reads values and fields left to right; *end* bounds the current chunk.
    ``macros`` grows with each ``@string``; ``unknown`` collects undefined
    macro names for the entry being read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.macros = {name[:3]: name.capitalize() for name in MONTHS}
        self.unknown: list[str] = []

    def skip(self, pos: int) -> int:
        return _SPACE_RE.match(self.text, pos).end()

    def closing(self, pos: int, end: int, quoted: bool) -> int:
        """Index of the ``}`` (or ``"``) closing a value whose body starts at pos.
        A brace right after a backslash (``\\{``) does not count."""
        if quoted:
            return self._closing_quote(pos, end)
        text, depth, close = self.text, 0, -1
        while True:  # str.find from brace to brace; each stretch is scanned once
            if close < pos:
                close = text.find("}", pos, end)
                if close < 0:
                    raise _Malformed("unbalanced braces")
            opening = text.find("{", pos, close)
            if opening >= 0:
                if text[opening - 1] != "\\":
                    depth += 1
                pos = opening + 1
                continue
            pos = close + 1
            if text[close - 1] != "\\":
                if depth == 0:
                    return close
                depth -= 1

    def _closing_quote(self, pos: int, end: int) -> int:
        depth = 0
        for m in _QUOTED_RE.finditer(self.text, pos, end):
            token = m.group()
            if token == "{":
                depth += 1
            elif token == "}":
                if depth == 0:
                    raise _Malformed("unbalanced braces")
                depth -= 1
            elif token == '"' and depth == 0:
                return m.start()
        raise _Malformed("unbalanced braces" if depth else "unterminated quoted value")

    def value(self, pos: int, end: int) -> tuple[str, int]:
        """A value: ``{…}``, ``"…"``, a number or a macro, joined by ``#``."""
        text, parts = self.text, []
        while True:
            pos = self.skip(pos)
            char = text[pos] if pos < end else ""
            if char in ("{", '"'):
                close = self.closing(pos + 1, end, char == '"')
                parts.append(text[pos + 1 : close])
                pos = close + 1
            elif m := (_NUMBER_RE.match(text, pos, end) or _NAME_RE.match(text, pos, end)):
                name = m.group()
                if name.isdigit() or name.lower() in self.macros:
                    parts.append(name if name.isdigit() else self.macros[name.lower()])
                else:
                    self.unknown.append(name)
                pos = m.end()
            else:
                raise _Malformed(f"unexpected {shown(char)} in a field value" if char else "a value is missing")
            pos = self.skip(pos)
            if pos >= end or text[pos] != "#":
                return "".join(parts), pos
            pos += 1

    def fields(self, pos: int, end: int, closer: str) -> dict[str, str]:
        """``name = value`` pairs separated by commas, up to *closer*."""
        text, fields = self.text, {}
        while True:
            short = _SHORT_FIELD_RE.match(text, pos, end)
            if short is not None and short.group(3) in (",", closer):
                fields.setdefault(short.group(1).lower(), short.group(2))
                if short.group(3) == closer:
                    return fields
                pos = short.end()
                continue
            head = _HEAD_RE.match(text, pos, end)  # blanks, name, blanks, "=", blanks
            if head is None:
                pos = self.skip(pos)
                if pos < end and text[pos] == closer:
                    return fields
                found = shown(text[pos : min(end, pos + 20)]) if pos < end else "the end"
                raise _Malformed(f"expected a field name or {closer!r}, found {found}")
            name, start = head.group(1).lower(), head.end()
            # The common value: braced, right before "," or the closer (its
            # end found with str.find).  Anything else: the general path.
            close = -1
            if text.startswith("{", start):
                close = text.find("}", start + 1, end)
                if close < 0 or text[close - 1] == "\\" or text.find("{", start + 1, close) >= 0:
                    close = self.closing(start + 1, end, False)  # braces inside
            pos = close + 1
            if close > 0 and pos < end and text[pos] not in (",", closer):
                pos = self.skip(pos)  # blanks before the comma or the closer
            if close > 0 and pos < end and text[pos] in (",", closer):
                value = text[start + 1 : close]
            else:
                value, pos = self.value(start, end)
            fields.setdefault(name, value)
            if pos < end and text[pos] == ",":
                pos += 1
            elif pos >= end or text[pos] != closer:
                raise _Malformed(f"expected ',' or {closer!r} after field {name!r}")

    def entry(self, pos: int, end: int, closer: str) -> tuple[str, dict[str, str]]:
        """Key and fields of an entry whose body starts at pos: key, comma, fields."""
        key = _ENTRY_KEY_RE.match(self.text, pos, end)  # blanks, the key, blanks
        after = key.end()
        follow = self.text[after] if after < end else ""
        if follow == ",":
            return key.group(1), self.fields(after + 1, end, closer)
        if follow == closer:
            return key.group(1), {}
        if follow == "=":  # no key at all: the fields start at once
            return "", self.fields(pos, end, closer)
        raise _Malformed("expected ',' after the entry key")


# Entry types a line starting with "@" names; a head without its "{" is a
# broken entry, not text between entries.
ENTRY_TYPES = frozenset(
    """article book booklet conference inbook incollection inproceedings manual mastersthesis misc
    phdthesis proceedings techreport unpublished online report thesis software dataset electronic
    patent www collection reference periodical suppbook suppcollection suppperiodical artwork audio
    video mvbook mvcollection mvproceedings mvreference bookinbook inreference set xdata
    image movie music performance standard""".split()
)
_HEAD_NAME_RE = re.compile(r"[ \t]*@[ \t]*([A-Za-z]+)")


def parse_bibtex(text: str) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines (``entry N (line L): reason``).

    An entry read in part (an undefined ``@string`` name) gives a
    :class:`PartlyRead` line; so does a broken ``@string`` (no entry is
    lost).  Every other line stands for one entry that gave no paper, so
    ``len(papers) + not_understood(problems)`` is the number of entries.
    """
    scanner = _Scanner(text)
    # In file order: a problem line, or (where, kind, fields, undefined names).
    items: list[str | tuple[str, str, dict[str, str], list[str]]] = []
    by_key: dict[str, dict[str, str]] = {}
    starts = [0] if _FIRST_CHUNK_RE.match(text) else []
    starts += [m.start() + 1 for m in _CHUNK_RE.finditer(text)]
    line, last, number = 1, 0, 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        line += text.count("\n", last, start)
        last = start
        head = _TYPE_RE.match(text, start, end)
        if head is None:
            name = _HEAD_NAME_RE.match(text, start, end)
            if name and name.group(1).lower() in ENTRY_TYPES:
                number += 1
                items.append(f"entry {number} (line {line}): no '{{' after @{name.group(1)}")
            continue  # otherwise a stray "@" in text between entries
        kind = head.group(1).lower()
        if kind in ("comment", "preamble"):
            continue
        closer = "}" if head.group(2) == "{" else ")"
        if scanner.unknown:
            scanner.unknown = []
        if kind == "string":
            try:
                scanner.macros.update(scanner.fields(head.end(), end, closer))
            except _Malformed as error:
                items.append(PartlyRead(f"line {line}: @string: {error}"))
            continue
        number += 1
        where = f"entry {number} (line {line})"
        try:
            key, fields = scanner.entry(head.end(), end, closer)
        except _Malformed as error:
            items.append(f"{where}: {error}")
            continue
        if key:
            by_key.setdefault(key.lower(), fields)
        unknown = scanner.unknown
        if unknown:  # (an empty list is shared by the entries: none is kept)
            scanner.unknown = []
        items.append((where, kind, fields, unknown or ()))
    papers: list[ParsedPaper] = []
    problems: list[str] = []
    for item in items:
        if isinstance(item, str):
            problems.append(item)
            continue
        where, kind, fields, unknown = item
        if unknown:
            problems.extend(PartlyRead(f"{where}: unknown @string name {shown(name)}") for name in unknown[:3])
        paper = paper_of(kind, inherit(fields, by_key) if "crossref" in fields else fields, fields)
        if isinstance(paper, str):
            problems.append(f"{where}: {paper}")
        else:
            papers.append(paper)
    return papers, problems
