"""arXiv Atom API responses (read safely by :mod:`xml_safe`).

Atom (``{http://www.w3.org/2005/Atom}feed``)::

    id (…/abs/2403.01234v2)            -> arxiv_id (versionless)
    title, summary                     -> title, abstract (whitespace collapsed)
    author/name                        -> authors
    published, updated                 -> published, updated ("…Z" UTC)
    arxiv:primary_category, category   -> categories (primary first)
    link[title=pdf]                    -> pdf_url
    arxiv:doi (or link[title=doi])     -> doi
    arxiv:journal_ref                  -> venue (TeX decoded)
    other links + URLs in the summary
      and in arxiv:comment             -> links (GitHub first, arXiv pages dropped)

TeX in titles, abstracts, comments and author names is decoded with
:func:`~paperqueue.core.importers.latex.tex_in_prose` (``Sch\\"utze`` ->
``Schütze``; math ``$…$`` kept verbatim; ``\\href``/``\\url`` and ``\\_`` in
URLs give the one right URL).  A doi.org URL in the text keeps every
character of its DOI (``<`` and ``>`` of SICI DOIs are percent-encoded), so
no truncated link is made.

An arXiv API error entry (id …/api/errors#…) is a problem line.  An entry
with no arXiv id (a non-arXiv Atom feed) is kept, not ``authoritative``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TextIO
from xml.etree.ElementTree import Element

from paperqueue.core.identity import extract_links, parse_arxiv_id
from paperqueue.core.importers.record import (
    ParsedPaper,
    UnreadableError,
    checked_doi,
    clean_categories,
    clean_names,
    collect,
    iso_datetime,
    shown,
)
from paperqueue.core.importers.xml_safe import (
    ARXIV,
    ATOM,
    RDF,
    element_text,
    feed_links,
    load_xml,
    read_entry,
    root_of,
    tex_text,
    xml_events,
    xml_root_tag,
)
from paperqueue.core.text import one_line

__all__ = ["ATOM", "RDF", "iter_atom", "load_xml", "parse_atom", "xml_events", "xml_root_tag"]


# -- Atom -------------------------------------------------------------------


def _atom_entry(entry: Element, where: str, problems: list[str]) -> ParsedPaper | None:
    raw_id = element_text(entry.find(ATOM + "id"))
    title = tex_text(element_text(entry.find(ATOM + "title")))
    abstract = tex_text(element_text(entry.find(ATOM + "summary")) or element_text(entry.find(ATOM + "content")))
    if "arxiv.org/api/errors" in raw_id:
        problems.append(f"{where}: arXiv API error: {shown(abstract or title, 100)}")
        return None
    arxiv_id = parse_arxiv_id(raw_id)
    pdf_url = doi_link = None
    hrefs: list[str] = []
    for link in entry.findall(ATOM + "link"):
        href = one_line(link.get("href", ""))
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            pdf_url = pdf_url or next(iter(extract_links(href)), None)
        elif link.get("title") == "doi":
            doi_link = href
        else:
            arxiv_id = arxiv_id or parse_arxiv_id(href)
            hrefs.append(href)
    if not title:
        problems.append(f"{where}: no title")
        return None
    primary = entry.find(ARXIV + "primary_category")
    categories = [primary.get("term") if primary is not None else None]
    categories += [c.get("term") for c in entry.findall(ATOM + "category")]
    return ParsedPaper(
        title=title,
        abstract=abstract,
        arxiv_id=arxiv_id,
        links=feed_links([*hrefs, abstract, tex_text(element_text(entry.find(ARXIV + "comment")))]),
        authors=clean_names(tex_text(element_text(a.find(ATOM + "name"))) for a in entry.findall(ATOM + "author")),
        published=iso_datetime(element_text(entry.find(ATOM + "published"))),
        updated=iso_datetime(element_text(entry.find(ATOM + "updated"))),
        doi=checked_doi(element_text(entry.find(ARXIV + "doi")), where, problems) or checked_doi(doi_link, where, problems),
        categories=clean_categories(categories, where, problems),
        pdf_url=pdf_url,
        venue=tex_text(element_text(entry.find(ARXIV + "journal_ref"))) or None,
        authoritative=arxiv_id is not None,
    )


def parse_atom(source: str | Element) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines from an Atom feed (text or parsed root)."""
    root = root_of(source)
    if root.tag != ATOM + "feed":
        raise UnreadableError(f"XML root is {shown(root.tag)}, not an Atom feed")
    return collect(root.findall(ATOM + "entry"), _atom_entry)


def iter_atom(stream: TextIO, add: Callable[[str], None]) -> Iterator[ParsedPaper]:
    """The papers of an Atom feed read from *stream* entry by entry (each
    entry dropped once read); problem lines go to *add*.  The same papers
    and lines as :func:`parse_atom` on the whole text."""
    depth = number = 0
    root: Element | None = None
    for event, element in xml_events(stream):
        if event == "start":
            depth += 1
            if depth == 1:
                root = element
                if root.tag != ATOM + "feed":
                    raise UnreadableError(f"XML root is {shown(root.tag)}, not an Atom feed")
            continue
        if depth == 2 and element.tag == ATOM + "entry" and root is not None:
            number += 1
            paper = read_entry(_atom_entry, element, f"entry {number}", add)
            root.remove(element)
            if paper is not None:
                yield paper
        depth -= 1
