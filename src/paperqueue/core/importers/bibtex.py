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
from datetime import date

from paperqueue.core.identity import find_arxiv_id, parse_arxiv_id
from paperqueue.core.importers.latex import latex_to_text
from paperqueue.core.importers.record import (
    ParsedPaper,
    PartlyRead,
    arxiv_id_from_doi,
    clean_doi,
    clean_names,
    order_links,
    shown,
)
from paperqueue.core.text import one_line

__all__ = ["ENTRY_TYPES", "latex_to_text", "parse_bibtex"]

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

    def entry(self, pos: int, end: int, closer: str) -> tuple[str, dict[str, str]]:
        """Key and fields of an entry whose body starts at pos: key, comma, fields."""
        key = _KEY_RE.match(self.text, self.skip(pos), end)
        after = self.skip(key.end())
        follow = self.text[after] if after < end else ""
        if follow == ",":
            return key.group(), self.fields(after + 1, end, closer)
        if follow == closer:
            return key.group(), {}
        if follow == "=":  # no key at all: the fields start at once
            return "", self.fields(pos, end, closer)
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


def _plain(value: str) -> str:
    """A value with its case braces, ``\\url`` and TeX escapes gone (for ids and URLs)."""
    return one_line(_URL_ESCAPE_RE.sub(lambda m: m.group(1) or "", value))


# Fields that carry an arXiv id in real files, in the order they are trusted
# (never the title or abstract: they may cite other papers).
_ID_FIELDS = (
    "url", "journal", "journaltitle", "number", "volume", "note", "howpublished", "eprint",
    "booktitle", "pages", "pdf", "epub", "file", "annote", "annotation", "addendum", "series",
    "publisher", "institution", "organization",
)
_CLASS_PREFIX_RE = re.compile(r"\A\s*[A-Za-z-]+(?:\.[A-Za-z-]+)?/(?=\d{4}\.\d{4,5}(?:v\d+)?\s*\Z)")
_ARXIV_VENUE_RE = re.compile(r"\s*(?:arxiv|corr)\b", re.IGNORECASE)
_FIELD_CAP = 4000  # characters of a field looked at for an id or a link


def _arxiv_id(fields: dict[str, str], doi: str | None) -> str | None:
    """The arXiv id of an entry, from the first field that names one."""
    prefix = _plain(fields.get("archiveprefix", "") or fields.get("eprinttype", "")).lower()
    if prefix in ("", "arxiv"):
        # biblatex's "cs.LG/1708.07747": a class in front of a new-style id
        eprint = _CLASS_PREFIX_RE.sub("", _plain(fields.get("eprint", "")[:_FIELD_CAP]))
        if found := parse_arxiv_id(eprint) or find_arxiv_id(eprint):
            return found
    for name in ("arxivid", "arxiv"):
        if found := parse_arxiv_id(_plain(fields.get(name, "")[:_FIELD_CAP])):
            return found
    if found := arxiv_id_from_doi(doi):
        return found
    venue = _plain((fields.get("journal") or fields.get("journaltitle") or fields.get("publisher") or "")[:200])
    if _ARXIV_VENUE_RE.match(venue):  # journal={CoRR}, volume={abs/1607.06450}
        for name in ("volume", "number", "pages", "eprint"):
            if found := parse_arxiv_id(_plain(fields.get(name, "")[:200])):
                return found
    text = " | ".join(_plain(fields[name][:_FIELD_CAP]) for name in _ID_FIELDS if name in fields)
    return find_arxiv_id(text)


_LINK_FIELDS = ("url", "pdf", "epub", "howpublished", "file")


def _file_url(item: str) -> str:
    """A JabRef/Zotero ``file`` item ``description:path:type`` -> its path."""
    head, sep, tail = item.rpartition(":")
    kind = tail.strip().lower()
    if sep and "://" in head and (kind in ("pdf", "html", "url", "ps", "djvu", "") or "/" in kind):
        return head
    return item


def _links(fields: dict[str, str]) -> tuple[str, ...]:
    """Web links from url, bdsk-url-N, pdf, epub, howpublished and file (no
    arXiv pages; a ``url`` that is a doi.org address is the DOI, not a link)."""
    texts = []
    extra = sorted((name for name in fields if name.startswith("bdsk-url-")), key=lambda n: (len(n), n))
    for name in (_LINK_FIELDS[0], *extra, *_LINK_FIELDS[1:]):  # BibDesk's extra links after url
        if name in fields:
            text = _plain(fields[name][:_FIELD_CAP])
            if name == "file":
                text = " ".join(_file_url(item) for item in text.replace("\\:", ":").split(";"))
            elif name == "url" and clean_doi(text):
                continue
            texts.append(text)
    return order_links(texts)


# Fields a child entry takes from the entry its ``crossref`` names, when it
# has none of its own.  Never what identifies the parent (title, doi, url,
# eprint...): children of one proceedings are different papers.
_INHERITED = (
    "author", "year", "date", "month", "day", "booktitle", "journal", "journaltitle", "editor",
    "publisher", "series", "volume", "address", "location", "organization", "institution", "school",
)
_BOOK_PARTS = frozenset({"inproceedings", "incollection", "inbook", "conference", "bookinbook", "suppbook"})


def _inherit(fields: dict[str, str], by_key: dict[str, dict[str, str]], depth: int = 0) -> dict[str, str]:
    """*fields* completed from the entry its crossref names (wherever it is in the file)."""
    parent = by_key.get(one_line(_plain(fields.get("crossref", ""))).lower())
    if parent is None or parent is fields:
        return fields
    if depth < 3 and "crossref" in parent:  # biblatex allows chains; a loop stops here
        parent = _inherit(parent, by_key, depth + 1)
    full = dict(fields)
    for name in _INHERITED:
        if name in parent:
            full.setdefault(name, parent[name])
    if "title" in parent:  # the proceedings' title is the paper's booktitle
        full.setdefault("booktitle", parent["title"])
    return full


def _text(value: str) -> str:
    return one_line(latex_to_text(value))


def _paper(kind: str, fields: dict[str, str], own: dict[str, str]) -> ParsedPaper | str:
    """The paper of one entry (*fields* with what crossref gave, *own* without)."""
    title = _text(fields.get("title", ""))
    url = _plain(fields.get("url", ""))
    doi = clean_doi(_plain(fields.get("doi", ""))) or clean_doi(url)
    arxiv_id = _arxiv_id(fields, doi)
    if not title and not arxiv_id:
        return "no title"  # (an entry with an arXiv id is a paper known by its id)
    people = fields.get("author") or own.get("editor", "")  # editors when there are no authors
    names = _depth0_split(one_line(people), _NAME_SPLIT_RE)
    order = ("booktitle", "journal", "journaltitle") if kind in _BOOK_PARTS else ("journal", "journaltitle", "booktitle")
    venue = next((text for text in (_text(fields.get(name, "")) for name in order) if text), None)
    classes = _CLASS_SPLIT_RE.split(_plain(fields.get("primaryclass", "") + "," + fields.get("eprintclass", "")))
    return ParsedPaper(
        title=title,
        abstract=_text(fields.get("abstract", "")),
        arxiv_id=arxiv_id,
        links=_links(fields),
        authors=clean_names(_person(name) for name in names if name.lower() != "others"),
        published=_published(fields),
        doi=doi,
        categories=clean_names(classes),
        entry_type=kind,
        venue=venue,
    )


_CLASS_SPLIT_RE = re.compile(r"[,;\s]+")
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
    starts = [m.start() for m in _CHUNK_RE.finditer(text)]
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
        items.append((where, kind, fields, scanner.unknown))
    papers: list[ParsedPaper] = []
    problems: list[str] = []
    for item in items:
        if isinstance(item, str):
            problems.append(item)
            continue
        where, kind, fields, unknown = item
        problems.extend(PartlyRead(f"{where}: unknown @string name {shown(name)}") for name in unknown[:3])
        paper = _paper(kind, _inherit(fields, by_key) if "crossref" in fields else fields, fields)
        if isinstance(paper, str):
            problems.append(f"{where}: {paper}")
        else:
            papers.append(paper)
    return papers, problems
