"""BibTeX (and biblatex) files, with a small parser of our own.

Why not bibtexparser: we need a problem line per broken entry with its line
number and recovery after it, a hard linear-time bound on hostile input (a
million ``{``), and LaTeX-to-text without pulling in pylatexenc.

Parsing: the text is cut into chunks at each line whose first non-blank
character is ``@``, one entry per chunk, so a broken entry (unbalanced
braces, a missing comma) costs only itself: ``entry 4 (line 37): unbalanced
braces``, and the rest still import.  Each chunk is scanned once, left to
right: linear.  The price: a value cannot hold a line starting with ``@``.
``@string`` macros and month names expand, ``#`` concatenates, ``@comment``,
``@preamble`` and text between entries are skipped, ``%`` lines between
fields are allowed; for a repeated field the first wins.

Fields::

    title, abstract         -> title, abstract (LaTeX to text)
    author                  -> authors: "Last, First and First Last and others"
                               gives ("First Last", "First Last")
    eprint (archivePrefix / eprinttype arXiv or none), arxivid, an arXiv DOI
      (10.48550/arXiv.ID), an arxiv.org url, "arXiv:ID" in journal/note
                            -> arxiv_id
    doi (or a doi.org url)  -> doi;   url (not arXiv, not doi.org) -> links
    primaryClass            -> categories
    date / year, month, day -> published: "YYYY-MM-DD" only for a full date,
                               otherwise "YYYY"

LaTeX to text: accents (``{\\"o}``, ``\\'e``, ``\\v{c}``, ``\\c c``, ``{\\'\\i}``)
compose, ``\\ss \\o \\ae \\l`` give their letters, ``\\& \\% \\_`` their
characters, ``--``/``---`` dashes, ``~`` a space, ````` `` ''````` curly quotes;
formatting commands (``\\textit{…}``, ``{\\em …}``) and grouping braces go,
their text stays; ``\\cite{…}``, ``\\ref{…}``, ``\\footnote{…}`` go whole;
math ``$…$`` is kept verbatim, as arXiv shows it.  Not ``authoritative``.
"""

from __future__ import annotations

import re
from datetime import date

from paperqueue.core.identity import find_arxiv_id, parse_arxiv_id
from paperqueue.core.importers.latex import latex_to_text
from paperqueue.core.importers.record import (
    ParsedPaper,
    arxiv_id_from_doi,
    clean_doi,
    clean_names,
    order_links,
    shown,
)
from paperqueue.core.text import one_line

__all__ = ["latex_to_text", "parse_bibtex"]

# -- parsing -------------------------------------------------------------------

_CHUNK_RE = re.compile(r"^[ \t]*@", re.MULTILINE)
_TYPE_RE = re.compile(r"[ \t]*@[ \t]*([A-Za-z][\w-]*)\s*([{(])")
_SPACE_RE = re.compile(r"(?:\s|%[^\n]*)*")
_KEY_RE = re.compile(r"[^\s,{}()=\"#%]*")
_NAME_RE = re.compile(r"[A-Za-z_][\w:.+/-]*")
_NUMBER_RE = re.compile(r"\d+")
_BRACES_RE = re.compile(r"\\[{}]|[{}]")
_QUOTED_RE = re.compile(r'\\[{}]|[{}"]')
_FULL_DATE_RE = re.compile(r"\s*(\d{4})-(\d\d)-(\d\d)")
_YEAR_RE = re.compile(r"(\d{4})")
_MONTHS = ("january february march april may june july august september october "
           "november december").split()


class _Malformed(Exception):
    pass


class _Scanner:
    """Reads values and fields left to right; *end* bounds the current chunk.
    ``macros`` grows with each ``@string``; ``unknown`` collects undefined
    macro names for the entry being read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.macros = {name[:3]: name.capitalize() for name in _MONTHS}
        self.unknown: list[str] = []

    def skip(self, pos: int) -> int:
        return _SPACE_RE.match(self.text, pos).end()

    def closing(self, pos: int, end: int, quoted: bool) -> int:
        """Index of the ``}`` (or ``"``) closing a value whose body starts at pos."""
        depth = 0
        for m in (_QUOTED_RE if quoted else _BRACES_RE).finditer(self.text, pos, end):
            token = m.group()
            if token == "{":
                depth += 1
            elif token == "}":
                if depth == 0:
                    if quoted:
                        raise _Malformed("unbalanced braces")
                    return m.start()
                depth -= 1
            elif token == '"' and depth == 0:
                return m.start()
        raise _Malformed("unbalanced braces" if not quoted or depth else "unterminated quoted value")

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
            pos = self.skip(pos)
            if pos < end and text[pos] == closer:
                return fields
            name = _NAME_RE.match(text, pos, end)
            after = self.skip(name.end()) if name else pos
            if not name or after >= end or text[after] != "=":
                found = shown(text[pos : min(end, pos + 20)]) if pos < end else "the end"
                raise _Malformed(f"expected a field name or {closer!r}, found {found}")
            value, pos = self.value(after + 1, end)
            fields.setdefault(name.group().lower(), value)
            if pos < end and text[pos] == ",":
                pos += 1
            elif pos >= end or text[pos] != closer:
                raise _Malformed(f"expected ',' or {closer!r} after field {name.group().lower()!r}")

    def entry(self, pos: int, end: int, closer: str) -> dict[str, str]:
        """Fields of an entry whose body starts at pos: key, comma, fields."""
        after = self.skip(_KEY_RE.match(self.text, self.skip(pos), end).end())
        follow = self.text[after] if after < end else ""
        if follow == ",":
            return self.fields(after + 1, end, closer)
        if follow == closer:
            return {}
        if follow == "=":  # no key at all: the fields start at once
            return self.fields(pos, end, closer)
        raise _Malformed("expected ',' after the entry key")


# -- entries to papers -------------------------------------------------------------

_NAME_SPLIT_RE = re.compile(r"[{}]| and ", re.IGNORECASE)
_COMMA_RE = re.compile(r"[{}]|,")
_URL_ESCAPE_RE = re.compile(r"\\([_%&#$~])|[{}]|\\url")


def _depth0_split(text: str, pattern: re.Pattern[str]) -> list[str]:
    pieces, depth, start = [], 0, 0
    for m in pattern.finditer(text):
        token = m.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            pieces.append(text[start : m.start()])
            start = m.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces]


def _person(name: str) -> str:
    """"von Last, Jr, First" / "Last, First" / "First Last" -> "First Last"."""
    parts = _depth0_split(name, _COMMA_RE)
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    elif len(parts) >= 3:
        parts = [*parts[2:], parts[0], parts[1]]
    return latex_to_text(" ".join(part for part in parts if part))


def _month(value: str) -> int | None:
    text = one_line(latex_to_text(value)).lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return next((n for n, name in enumerate(_MONTHS, 1) if len(text) >= 3 and name.startswith(text)), None)


def _published(fields: dict[str, str]) -> str | None:
    full = _FULL_DATE_RE.match(fields.get("date", ""))
    year = full or _YEAR_RE.search((fields.get("date") or fields.get("year") or "")[:100])
    if year is None:
        return None
    if full:
        numbers = (int(full.group(1)), int(full.group(2)), int(full.group(3)))
    else:
        day = re.fullmatch(r"\s*(\d{1,2})\s*", fields.get("day", "")[:40])
        month = _month(fields.get("month", "")[:40])
        numbers = (int(year.group(1)), month or 0, int(day.group(1)) if day else 0)
    try:
        return date(*numbers).isoformat()
    except ValueError:
        return f"{numbers[0]:04d}"


def _url(value: str) -> str:
    return one_line(_URL_ESCAPE_RE.sub(lambda m: m.group(1) or "", value))


def _paper(fields: dict[str, str]) -> ParsedPaper | str:
    title = one_line(latex_to_text(fields.get("title", "")))
    if not title:
        return "no title"
    url = _url(fields.get("url", ""))
    doi = clean_doi(_url(fields.get("doi", ""))) or clean_doi(url)
    prefix = one_line(fields.get("archiveprefix", "") or fields.get("eprinttype", "")).lower()
    eprint = _url(fields.get("eprint", "")) if prefix in ("", "arxiv") else ""
    arxiv_id = (
        parse_arxiv_id(eprint)
        or parse_arxiv_id(_url(fields.get("arxivid", "")))
        or arxiv_id_from_doi(doi)
        or parse_arxiv_id(url)
        or find_arxiv_id(" ".join(fields.get(f, "") for f in ("journal", "note", "howpublished"))[:10000])
    )
    names = _depth0_split(one_line(fields.get("author", "")), _NAME_SPLIT_RE)
    return ParsedPaper(
        title=title,
        abstract=one_line(latex_to_text(fields.get("abstract", ""))),
        arxiv_id=arxiv_id,
        links=order_links([] if clean_doi(url) else [url]),
        authors=clean_names(_person(name) for name in names if name.lower() != "others"),
        published=_published(fields),
        doi=doi,
        categories=clean_names([_url(fields.get("primaryclass", ""))]),
    )


def parse_bibtex(text: str) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines (``entry N (line L): reason``)."""
    papers: list[ParsedPaper] = []
    problems: list[str] = []
    scanner = _Scanner(text)
    starts = [m.start() for m in _CHUNK_RE.finditer(text)]
    line, last, number = 1, 0, 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        line += text.count("\n", last, start)
        last = start
        head = _TYPE_RE.match(text, start, end)
        kind = head.group(1).lower() if head else "comment"  # a stray "@" is text between entries
        if kind in ("comment", "preamble"):
            continue
        closer = "}" if head.group(2) == "{" else ")"
        scanner.unknown = []
        if kind == "string":
            try:
                scanner.macros.update(scanner.fields(head.end(), end, closer))
            except _Malformed as error:
                problems.append(f"line {line}: @string: {error}")
            continue
        number += 1
        where = f"entry {number} (line {line})"
        try:
            paper = _paper(scanner.entry(head.end(), end, closer))
        except _Malformed as error:
            problems.append(f"{where}: {error}")
            continue
        problems.extend(f"{where}: unknown @string name {shown(name)}" for name in scanner.unknown[:3])
        if isinstance(paper, str):
            problems.append(f"{where}: {paper}")
        else:
            papers.append(paper)
    return papers, problems
