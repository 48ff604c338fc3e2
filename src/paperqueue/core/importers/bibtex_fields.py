"""BibTeX fields to a paper: which field gives the arXiv id, the links, the
date, the names, the venue, and what a ``crossref`` parent lends.

The rules are listed in :mod:`paperqueue.core.importers.bibtex`'s
docstring; this module applies them to the fields of one entry (already
split and macro-expanded by the scanner there).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from paperqueue.core.identity import find_arxiv_id, parse_arxiv_id
from paperqueue.core.importers.latex import latex_to_text
from paperqueue.core.importers.record import (
    ParsedPaper,
    arxiv_id_from_doi,
    checked_doi,
    clean_categories,
    clean_doi,
    order_links,
)
from paperqueue.core.text import one_line

__all__ = ["MONTHS", "inherit", "paper_of"]

MONTHS = ("january february march april may june july august september october "
          "november december").split()
_FULL_DATE_RE = re.compile(r"\s*(\d{4})-(\d\d)-(\d\d)")
_YEAR_RE = re.compile(r"(\d{4})")
_DAY_RE = re.compile(r"\s*(\d{1,2})\s*")
_DATE_PARTS = frozenset({"date", "month", "day"})


_NAME_SPLIT_RE = re.compile(r"[{}]| and ", re.IGNORECASE)
_COMMA_RE = re.compile(r"[{}]|,")
_AND_RE = re.compile(" and ", re.IGNORECASE)
_BRACE_RE = re.compile("[{}]")
_PLAIN_COMMA_RE = re.compile(",")
_URL_ESCAPE_RE = re.compile(r"\\([_%&#$~])|[{}]|\\url")


def _depth0_split(text: str, pattern: re.Pattern[str], plain: re.Pattern[str]) -> list[str]:
    """*text* cut where *pattern* matches outside braces; *plain* is the
    same separator without the braces, used when there is no brace."""
    if "{" not in text and "}" not in text:
        return [piece.strip() for piece in plain.split(text)]
    pieces = plain.split(text)
    if all(_closed(piece) for piece in pieces):  # every separator is outside braces
        return [piece.strip() for piece in pieces]
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


def _closed(piece: str) -> bool:
    """True when *piece* leaves no brace open and closes none it did not
    open (so a separator after it is outside braces); False may also mean
    "not sure": the caller then takes the general path."""
    opens = piece.count("{")
    if opens != piece.count("}"):
        return False
    if opens <= 1:
        return opens == 0 or piece.find("{") < piece.find("}")
    depth = 0
    for m in _BRACE_RE.finditer(piece):
        depth += 1 if m.group() == "{" else -1
        if depth < 0:
            return False
    return True


def _person(name: str) -> str:
    """"von Last, Jr, First" / "Last, First" / "First Last" -> "First Last"."""
    parts = _depth0_split(name, _COMMA_RE, _PLAIN_COMMA_RE)
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    elif len(parts) >= 3:
        parts = [*parts[2:], parts[0], parts[1]]
    return latex_to_text(" ".join(part for part in parts if part))


@lru_cache(maxsize=8192)
def _cached_author(name: str) -> str:
    return one_line(_person(name))


def _authors(names: list[str]) -> tuple[str, ...]:
    """What :func:`clean_names` gives for the people of *names*; a name is
    converted once per run (names repeat a lot in one bibliography)."""
    people = (
        _cached_author(name) if len(name) < 200 else one_line(_person(name))
        for name in names if name.lower() != "others"
    )
    return tuple(dict.fromkeys(person for person in people if person))


def _month(value: str) -> int | None:
    text = one_line(latex_to_text(value)).lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return next((n for n, name in enumerate(MONTHS, 1) if len(text) >= 3 and name.startswith(text)), None)


def _published(fields: dict[str, str]) -> str | None:
    year = fields.get("year", "")
    if len(year) == 4 and year.isascii() and year.isdigit() and not (fields.keys() & _DATE_PARTS):
        return year  # the common case: what the general path gives for it
    full = _FULL_DATE_RE.match(fields.get("date", ""))
    year = full or _YEAR_RE.search((fields.get("date") or fields.get("year") or "")[:100])
    if year is None:
        return None
    if full:
        numbers = (int(full.group(1)), int(full.group(2)), int(full.group(3)))
    else:
        day = _DAY_RE.fullmatch(fields["day"][:40]) if "day" in fields else None
        month = _month(fields["month"][:40]) if "month" in fields else None
        numbers = (int(year.group(1)), month or 0, int(day.group(1)) if day else 0)
    if not (numbers[1] and numbers[2]):  # no full date: the year (date() would refuse it)
        return f"{numbers[0]:04d}"
    try:
        return date(*numbers).isoformat()
    except ValueError:
        return f"{numbers[0]:04d}"


def _plain(value: str) -> str:
    """A value with its case braces, ``\\url`` and TeX escapes gone (for ids and URLs)."""
    if not value:
        return ""
    if "\\" not in value and "{" not in value and "}" not in value:
        return one_line(value)  # nothing for the substitution to do
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
    if prefix in ("", "arxiv") and "eprint" in fields:
        # biblatex's "cs.LG/1708.07747": a class in front of a new-style id
        eprint = _CLASS_PREFIX_RE.sub("", _plain(fields.get("eprint", "")[:_FIELD_CAP]))
        if found := parse_arxiv_id(eprint) or find_arxiv_id(eprint):
            return found
    for name in ("arxivid", "arxiv"):
        if name in fields and (found := parse_arxiv_id(_plain(fields[name][:_FIELD_CAP]))):
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
    extra = [name for name in fields if name.startswith("bdsk-url-")]
    if len(extra) > 1:
        extra.sort(key=lambda n: (len(n), n))
    for name in (_LINK_FIELDS[0], *extra, *_LINK_FIELDS[1:]):  # BibDesk's extra links after url
        if name in fields:
            text = _plain(fields[name][:_FIELD_CAP])
            if name == "file":
                text = " ".join(_file_url(item) for item in text.replace("\\:", ":").split(";"))
            elif name == "url" and clean_doi(text):
                continue
            texts.append(text)
    return order_links(texts) if texts else ()


# Fields a child entry takes from the entry its ``crossref`` names, when it
# has none of its own.  Never what identifies the parent (title, doi, url,
# eprint...): children of one proceedings are different papers.
_INHERITED = (
    "author", "year", "date", "month", "day", "booktitle", "journal", "journaltitle", "editor",
    "publisher", "series", "volume", "address", "location", "organization", "institution", "school",
)
_BOOK_PARTS = frozenset({"inproceedings", "incollection", "inbook", "conference", "bookinbook", "suppbook"})


def inherit(fields: dict[str, str], by_key: dict[str, dict[str, str]], depth: int = 0) -> dict[str, str]:
    """*fields* completed from the entry its crossref names (wherever it is in the file)."""
    parent = by_key.get(one_line(_plain(fields.get("crossref", ""))).lower())
    if parent is None or parent is fields:
        return fields
    if depth < 3 and "crossref" in parent:  # biblatex allows chains; a loop stops here
        parent = inherit(parent, by_key, depth + 1)
    full = dict(fields)
    for name in _INHERITED:
        if name in parent:
            full.setdefault(name, parent[name])
    if "title" in parent:  # the proceedings' title is the paper's booktitle
        full.setdefault("booktitle", parent["title"])
    return full


def _text(value: str) -> str:
    return one_line(latex_to_text(value))


_cached_text = lru_cache(maxsize=4096)(_text)


def _venue(value: str) -> str:
    """:func:`_text` of a journal or booktitle, once per run for the short
    ones (a bibliography names a few venues many times)."""
    return _cached_text(value) if len(value) < 300 else _text(value)


def paper_of(
    kind: str, fields: dict[str, str], own: dict[str, str], problems: list[str] | None = None, where: str = "entry"
) -> ParsedPaper | str:
    """The paper of one entry (*fields* with what crossref gave, *own*
    without), or the reason it is none.  A DOI or class that is not one is
    left out, with a ``PartlyRead`` line in *problems* (when given)."""
    notes: list[str] = problems if problems is not None else []
    title = _text(fields.get("title", ""))
    url = _plain(fields.get("url", ""))
    doi = (checked_doi(_plain(fields["doi"]), where, notes) if "doi" in fields else None) or (
        clean_doi(url) if url else None
    )
    arxiv_id = _arxiv_id(fields, doi)
    if not title and not arxiv_id:
        return "no title"  # (an entry with an arXiv id is a paper known by its id)
    people = fields.get("author") or own.get("editor", "")  # editors when there are no authors
    names = _depth0_split(one_line(people), _NAME_SPLIT_RE, _AND_RE)
    order = ("booktitle", "journal", "journaltitle") if kind in _BOOK_PARTS else ("journal", "journaltitle", "booktitle")
    venue = next((text for text in (_venue(fields[name]) for name in order if name in fields) if text), None)
    classes = (
        _CLASS_SPLIT_RE.split(_plain(fields.get("primaryclass", "") + "," + fields.get("eprintclass", "")))
        if "primaryclass" in fields or "eprintclass" in fields else ()
    )
    return ParsedPaper(
        title=title,
        abstract=_text(fields.get("abstract", "")),
        arxiv_id=arxiv_id,
        links=_links(fields),
        authors=_authors(names),
        published=_published(fields),
        doi=doi,
        categories=clean_categories(classes, where, notes),
        entry_type=kind,
        venue=venue,
    )


_CLASS_SPLIT_RE = re.compile(r"[,;\s]+")
