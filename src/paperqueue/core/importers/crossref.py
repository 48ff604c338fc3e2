"""Crossref ``/works/<doi>`` JSON (one work).

Accepted shapes: the whole response ``{"status": "ok", "message-type":
"work", "message": {...}}`` or the work object alone.  Field mapping::

    title[0]                        -> title (markup removed)
    abstract (a JATS fragment)      -> abstract as text: a leading
                                       <jats:title>Abstract</jats:title> dropped,
                                       paragraphs joined by a blank
    author[].given + family (or name) -> authors
    container-title[0]              -> venue
    issued (else published-print,
      published-online, created)    -> published (YYYY, YYYY-MM or YYYY-MM-DD)
    DOI                             -> doi (as Crossref writes it)
    type                            -> entry_type (journal-article -> article,
                                       proceedings-article -> inproceedings, ...)
    an arXiv DOI (10.48550/arXiv.*) -> arxiv_id

The markup is read with :class:`html.parser.HTMLParser` (the standard
library's tolerant tag tokenizer): it never fetches anything, expands only
HTML's own character references, and copes with the unclosed or unknown
tags publishers deposit.  Nothing is taken from tag names but where text
starts and stops.
"""

from __future__ import annotations

from html.parser import HTMLParser

from paperqueue.core.importers.record import (
    ParsedPaper,
    UnreadableError,
    arxiv_id_from_doi,
    clean_doi,
    clean_names,
    iso_datetime,
    load_json,
)
from paperqueue.core.text import one_line

__all__ = ["crossref_work", "markup_text", "parse_crossref"]

# Crossref work types and the BibTeX entry types the exports write for them.
_ENTRY_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "dissertation": "phdthesis",
    "report": "techreport",
    "posted-content": "misc",
    "dataset": "misc",
}
_HEADINGS = frozenset({"abstract", "summary", "graphical abstract"})
_BLOCKS = frozenset({"p", "title", "sec", "list-item", "break", "br", "div", "li"})


class _Text(HTMLParser):
    """The text of a markup fragment; block elements end a sentence with a
    blank, and a first title that only says "Abstract" is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._title: list[str] | None = None
        self._seen_text = False

    @staticmethod
    def _local(tag: str) -> str:
        return tag.rpartition(":")[2].lower()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        local = self._local(tag)
        if local == "title" and not self._seen_text and self._title is None:
            self._title = []
        elif local in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        local = self._local(tag)
        if local == "title" and self._title is not None:
            heading = one_line("".join(self._title))
            self._title = None
            if heading.casefold().rstrip(":.") not in _HEADINGS:
                self.parts.append(" " + heading + " ")
        elif local in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
            return
        if data.strip():
            self._seen_text = True
        self.parts.append(data)


def markup_text(markup: str) -> str:
    """One line of text from a JATS or HTML fragment."""
    if "<" not in markup and "&" not in markup:
        return one_line(markup)
    reader = _Text()
    reader.feed(markup)
    reader.close()
    return one_line("".join(reader.parts))


def _first(value: object) -> str:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), "")
    return value if isinstance(value, str) else ""


def _date(work: dict) -> str | None:
    for name in ("issued", "published", "published-print", "published-online", "created"):
        value = work.get(name)
        parts = value.get("date-parts") if isinstance(value, dict) else None
        if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
            continue
        numbers = parts[0][:3]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            continue
        text = f"{numbers[0]:04d}" + "".join(f"-{n:02d}" for n in numbers[1:])
        found = iso_datetime(text)
        if found:
            return found
    return None


def _authors(work: dict) -> tuple[str, ...]:
    names = []
    for author in work.get("author") or ():
        if not isinstance(author, dict):
            continue
        given, family = author.get("given"), author.get("family")
        parts = [part for part in (given, family) if isinstance(part, str) and part.strip()]
        name = " ".join(parts) if parts else author.get("name")
        if isinstance(name, str):
            names.append(markup_text(name))
    return clean_names(names)


def crossref_work(data: object) -> dict:
    """The work object of a Crossref response; UnreadableError otherwise."""
    if isinstance(data, dict) and isinstance(data.get("message"), dict):
        if data.get("message-type") not in (None, "work"):
            raise UnreadableError(f"a Crossref {one_line(str(data.get('message-type')))[:40]}, not a work")
        data = data["message"]
    if not isinstance(data, dict) or not ("DOI" in data or "title" in data):
        raise UnreadableError("JSON is not a Crossref work")
    return data


def parse_crossref(source: str | object) -> ParsedPaper:
    """The paper of a Crossref work (JSON text or its decoded value).
    Raises :class:`UnreadableError` for another shape or a work with no
    title."""
    work = crossref_work(load_json(source) if isinstance(source, str) else source)
    title = markup_text(_first(work.get("title")))
    subtitle = markup_text(_first(work.get("subtitle")))
    if subtitle and title and not title.endswith(subtitle):
        title = f"{title}: {subtitle}"
    if not title:
        raise UnreadableError("the Crossref work has no title")
    doi = clean_doi(work.get("DOI"))
    abstract = work.get("abstract")
    kind = work.get("type")
    return ParsedPaper(
        title=title,
        abstract=markup_text(abstract) if isinstance(abstract, str) else "",
        arxiv_id=arxiv_id_from_doi(doi),
        authors=_authors(work),
        published=_date(work),
        doi=doi,
        entry_type=_ENTRY_TYPES.get(kind) if isinstance(kind, str) else None,
        venue=markup_text(_first(work.get("container-title"))) or None,
    )
