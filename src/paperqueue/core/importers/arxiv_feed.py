"""arXiv Atom API responses and arXiv RSS listing feeds.

XML is parsed only through ``defusedxml.ElementTree`` with entity
declarations forbidden: an entity bomb (billion laughs, quadratic blowup)
fails at its first ``<!ENTITY`` declaration, before anything is expanded, and
an external entity (``<!ENTITY x SYSTEM "file:///etc/passwd">``) is refused
at its declaration, so no file or URL is ever opened.  Both give
:class:`UnreadableError`.  A file is read as a stream (:func:`iter_atom`,
:func:`iter_rss`: ``iterparse`` with the same refusals, each entry's element
dropped from the tree once read), so memory does not grow with the feed;
:func:`parse_atom` / :func:`parse_rss` read text already in memory.  (feedparser is not used: it wants to fetch URLs,
sanitise HTML and guess encodings, none of which a pasted file needs, and its
XML handling is harder to pin down.)

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

RSS 2.0 (rss.arxiv.org) and RSS 1.0 / RDF (the older listing)::

    link, "arXiv:ID" preamble, guid
      (oai:arXiv.org:ID), title suffix  -> arxiv_id
    title                              -> title, minus "(arXiv:ID [cs.LG] …)"
    description                        -> abstract, minus "arXiv:ID Announce
                                          Type: new Abstract:" and HTML tags
    dc:creator ("A, B and C")          -> authors ("et al." and "(909 additional
                                          authors not shown)" dropped; "LHCb
                                          collaboration: R. Aaij" gives both)
    category (title suffix class first) -> categories
    pubDate / dc:date                  -> published (else the channel's date:
                                          RDF items carry none)
    arxiv:DOI                          -> doi
    arxiv:journal_reference            -> venue (TeX decoded)
    link, when not an arXiv page       -> links (a journal's or a blog's
                                          feed), with the URLs in the abstract
    arxiv:announce_type (else the
      "Announce Type:" preamble)       -> kept or skipped by ``types``

``parse_rss(text, types)`` keeps only the items whose announce type (new,
cross, replace, replace-cross) is in *types*; an item that says none (old
RDF listings, other feeds) is kept.  Skipped items are no problem lines:
they were understood, and not wanted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import TextIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException, EntitiesForbidden

from paperqueue.core.identity import extract_links, parse_arxiv_id
from paperqueue.core.importers.latex import tex_in_prose
from paperqueue.core.importers.record import (
    collect,
    ParsedPaper,
    UnreadableError,
    checked_doi,
    clean_categories,
    clean_names,
    iso_datetime,
    order_links,
    shown,
)
from paperqueue.core.text import one_line

__all__ = ["channel_date", "iter_atom", "iter_rss", "load_xml", "parse_atom", "parse_rss", "xml_events", "xml_root_tag"]

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
# Element namespaces of RSS 2.0 (none), RSS 1.0 and RSS 0.9.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_RSS_NAMESPACES = ("", "{http://purl.org/rss/1.0/}", "{http://my.netscape.com/rdf/simple/0.9/}")


def _refusal(error: Exception) -> UnreadableError:
    """The one-line reason for a refused or broken XML document."""
    if isinstance(error, EntitiesForbidden):
        if error.sysid or error.pubid:
            source = shown(error.sysid or error.pubid)
            return UnreadableError(f"XML external entity refused ({source}); nothing was read")
        return UnreadableError("XML entity expansion refused (possible entity bomb)")
    if isinstance(error, DefusedXmlException):
        return UnreadableError(f"XML refused ({type(error).__name__})")
    return UnreadableError(f"XML is not well-formed ({one_line(str(error))[:120]})")


def load_xml(text: str) -> Element:
    """The root element of *text*; :class:`UnreadableError` for XML that is
    not well-formed or that declares entities."""
    text = _SURROGATE_RE.sub("\ufffd", text.lstrip("\ufeff"))  # expat wants UTF-8
    try:
        return SafeElementTree.fromstring(
            text, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, ParseError) as error:
        raise _refusal(error) from None


def xml_events(stream: TextIO) -> Iterator[tuple[str, Element]]:
    """("start" | "end", element) for the XML text read from *stream* in
    pieces, with the same refusals as :func:`load_xml` (an entity
    declaration is refused where it stands, before anything past it is read)."""
    try:
        yield from SafeElementTree.iterparse(
            stream, ("start", "end"), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, ParseError) as error:
        raise _refusal(error) from None


def xml_root_tag(stream: TextIO) -> str:
    """The tag of the root element, parsing only up to its start."""
    for _event, element in xml_events(stream):
        return element.tag
    raise UnreadableError("XML is not well-formed (no element found)")


def _text(element: Element | None) -> str:
    return one_line("".join(element.itertext())) if element is not None else ""


def _tex(text: str) -> str:
    """Feed text with its TeX decoded (see the module docstring)."""
    return one_line(tex_in_prose(text)) if text else text


# A doi.org URL and its DOI, up to a blank or a quote; SICI DOIs hold < and >.
_DOI_URL_RE = re.compile(r"(?i:https?://(?:dx\.)?doi\.org/)10\.\d{4,9}/[^\s\"]+")
_ANGLE = {"<": "%3C", ">": "%3E"}


def _links(texts: list[str]) -> tuple[str, ...]:
    """Links in *texts*; a DOI's ``<``/``>`` are percent-encoded first so
    the link is not cut short at them."""
    return order_links(
        _DOI_URL_RE.sub(lambda m: re.sub("[<>]", lambda c: _ANGLE[c.group()], m.group()), text)
        if "<" in text or ">" in text else text
        for text in texts
    )


def _root(source: str | Element) -> Element:
    return load_xml(source) if isinstance(source, str) else source


# -- Atom -------------------------------------------------------------------


def _atom_entry(entry: Element, where: str, problems: list[str]) -> ParsedPaper | None:
    raw_id = _text(entry.find(ATOM + "id"))
    title = _tex(_text(entry.find(ATOM + "title")))
    abstract = _tex(_text(entry.find(ATOM + "summary")) or _text(entry.find(ATOM + "content")))
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
        links=_links([*hrefs, abstract, _tex(_text(entry.find(ARXIV + "comment")))]),
        authors=clean_names(_tex(_text(a.find(ATOM + "name"))) for a in entry.findall(ATOM + "author")),
        published=iso_datetime(_text(entry.find(ATOM + "published"))),
        updated=iso_datetime(_text(entry.find(ATOM + "updated"))),
        doi=checked_doi(_text(entry.find(ARXIV + "doi")), where, problems) or checked_doi(doi_link, where, problems),
        categories=clean_categories(categories, where, problems),
        pdf_url=pdf_url,
        venue=_tex(_text(entry.find(ARXIV + "journal_ref"))) or None,
        authoritative=arxiv_id is not None,
    )


def parse_atom(source: str | Element) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines from an Atom feed (text or parsed root)."""
    root = _root(source)
    if root.tag != ATOM + "feed":
        raise UnreadableError(f"XML root is {shown(root.tag)}, not an Atom feed")
    return collect(root.findall(ATOM + "entry"), _atom_entry)


def _read(read: Callable[[Element, str, list[str]], ParsedPaper | None], element: Element, where: str,
          add: Callable[[str], None]) -> ParsedPaper | None:
    lines: list[str] = []
    paper = read(element, where, lines)
    for line in lines:
        add(line)
    return paper


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
            paper = _read(_atom_entry, element, f"entry {number}", add)
            root.remove(element)
            if paper is not None:
                yield paper
        depth -= 1


# -- RSS ----------------------------------------------------------------------

_HTML_TAG_RE = re.compile(
    r"</?(?:p|a|br|i|b|em|strong|sub|sup|span|div|ul|ol|li|code|tt|font|hr)\b[^<>]{0,1000}>",
    re.IGNORECASE,
)
_PREAMBLE_RE = re.compile(
    r"arXiv:(\S+) +Announce Type: *(\S+) +Abstract: *", re.IGNORECASE
)
_TITLE_SUFFIX_RE = re.compile(r" ?\(arXiv:([^\s\[\]()]+) ?\[([^\[\]()]*)\][^()]{0,40}\)\Z")
_GUID_RE = re.compile(r"oai:arXiv\.org:(\S+)", re.IGNORECASE)
_AUTHOR_SPLIT_RE = re.compile(r"[,:]| and ")
# What arXiv writes instead of the rest of a long author list.
_NOT_SHOWN_RE = re.compile(r"\(\s*[\d,]+\s+(?:additional|more)\s+authors?\s+not\s+shown\s*\)", re.IGNORECASE)
_NOT_A_NAME = frozenset({"et al", "et al.", "others", "and others", "et. al.", "al."})


def _creators(text: str) -> list[str]:
    """The names in one dc:creator (or author) value."""
    if "(" in text:
        text = _NOT_SHOWN_RE.sub(",", text)
    names = []
    for name in _AUTHOR_SPLIT_RE.split(text):
        name = _tex(name.strip().removeprefix("and ").strip())
        if name.casefold() not in _NOT_A_NAME:
            names.append(name)
    return names


def _html_text(element: Element | None) -> str:
    """Text of an element whose content may be escaped HTML."""
    if element is None:
        return ""
    raw = "".join(element.itertext())
    stripped = _HTML_TAG_RE.sub(" ", raw)
    return one_line(html.unescape(stripped) if stripped != raw else raw)


def _prism(kids: dict[str, list[Element]], name: str) -> str:
    """A PRISM field of a journal's item (namespace basic/2.0, basic/3.0 or
    the old RSS module), as text."""
    for tag, elements in kids.items():
        if tag.endswith("}" + name) and ("prismstandard.org/namespaces" in tag or "/modules/prism/" in tag):
            return _text(elements[0])
    return ""


def _journal_doi(kids: dict[str, list[Element]]) -> str:
    """The DOI a journal's table of contents gives an item: ``prism:doi``,
    else a ``dc:identifier`` written ``doi:10....``."""
    doi = _prism(kids, "doi")
    if doi:
        return doi
    for element in kids.get(DC + "identifier", []):
        text = _text(element)
        if text[:4].lower() == "doi:":
            return text[4:].strip()
    return ""


def _children(item: Element) -> dict[str, list[Element]]:
    """Children by tag, with the RSS namespaces reduced to local names."""
    found: dict[str, list[Element]] = {}
    for child in item:
        tag = child.tag if isinstance(child.tag, str) else ""
        for namespace in _RSS_NAMESPACES[1:]:
            if tag.startswith(namespace):
                tag = tag[len(namespace):]
        found.setdefault(tag, []).append(child)
    return found


def _rss_item(item: Element, where: str, problems: list[str], channel_date: str = "",
              types: frozenset[str] | None = None) -> ParsedPaper | None:
    kids = _children(item)

    def first(tag: str) -> Element | None:
        return kids.get(tag, [None])[0]

    announced = _text(first(ARXIV + "announce_type")).lower()
    title = _text(first("title"))
    link = _text(first("link"))
    ids = [link, item.get(RDF + "about", "")]
    categories: list[str | None] = []
    suffix = _TITLE_SUFFIX_RE.search(title)
    if suffix:
        title = title[: suffix.start()].strip()
        title = title[:-1].rstrip() if title.endswith(".") and not title.endswith("..") else title
        ids.append("arXiv:" + suffix.group(1))
        categories.append(suffix.group(2).split(" ")[0])
    abstract = _html_text(first("description"))
    preamble = _PREAMBLE_RE.match(abstract)
    if preamble:
        abstract = abstract[preamble.end():]
        ids.append("arXiv:" + preamble.group(1))
        announced = announced or preamble.group(2).lower()
    if types is not None and announced and announced not in types:
        return None  # understood, not wanted
    guid = _GUID_RE.fullmatch(_text(first("guid")))
    if guid:
        ids.append(guid.group(1))
    arxiv_id = next((found for found in map(parse_arxiv_id, ids) if found), None)
    if not title:
        problems.append(f"{where}: no title")
        return None
    title, abstract = _tex(title), _tex(abstract)
    authors = [
        name
        for element in kids.get(DC + "creator", []) + kids.get("author", [])
        for name in _creators(_html_text(element))
    ]
    categories += [_text(c) for c in kids.get("category", []) + kids.get(DC + "subject", [])]
    published = _text(first("pubDate")) or _text(first(DC + "date")) or channel_date
    return ParsedPaper(
        title=title,
        abstract=abstract,
        arxiv_id=arxiv_id,
        links=_links([link, abstract]),
        authors=clean_names(authors),
        published=iso_datetime(published),
        doi=checked_doi(_text(first(ARXIV + "DOI")) or _journal_doi(kids), where, problems),
        categories=clean_categories(categories, where, problems),
        venue=_tex(_text(first(ARXIV + "journal_reference")) or _prism(kids, "publicationName")) or None,
        authoritative=arxiv_id is not None,
    )


def parse_rss(source: str | Element, types: set[str] | frozenset[str] | None = None
              ) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines from an RSS 2.0 or RSS 1.0 (RDF) feed; with
    *types*, only the items announced as one of them (see the module
    docstring)."""
    root = _root(source)
    if root.tag == "rss":
        channel = root.find("channel")
        items = channel.findall("item") if channel is not None else []
    elif root.tag == RDF + "RDF":
        items = [child for child in root if child.tag in {ns + "item" for ns in _RSS_NAMESPACES}]
        channel = next((child for child in root if child.tag in {ns + "channel" for ns in _RSS_NAMESPACES}), None)
    else:
        raise UnreadableError(f"XML root is {shown(root.tag)}, not an RSS feed")
    date = ""
    if channel is not None:
        kids = _children(channel)
        date = next((_text(kids[tag][0]) for tag in ("pubDate", DC + "date", "lastBuildDate") if tag in kids), "")

    wanted = None if types is None else frozenset(kind.lower() for kind in types)

    def read(item: Element, where: str, problems: list[str]) -> ParsedPaper | None:
        return _rss_item(item, where, problems, date, wanted)

    return collect(items, read, "item")


_ITEM_TAGS = frozenset(ns + "item" for ns in _RSS_NAMESPACES)
_CHANNEL_TAGS = frozenset(ns + "channel" for ns in _RSS_NAMESPACES)
_DATE_TAGS = ("pubDate", DC + "date", "lastBuildDate")


def _is_item(root: Element, parent: Element | None, channel: Element | None, element: Element) -> bool:
    """Whether *element* (a child of *parent*) is one of the feed's items,
    as :func:`parse_rss` finds them."""
    if root.tag == "rss":
        return parent is not None and parent is channel and element.tag == "item"
    return parent is root and element.tag in _ITEM_TAGS


def _walk_rss(stream: TextIO) -> Iterator[tuple[str, Element]]:
    """("date", element) for the channel's children that can give the
    items' date, ("channel", element) when the channel ends and ("item",
    element) for each item, in document order, each when it ends; an item
    is dropped from the tree after it was handed out."""
    parents: list[Element] = []
    channel: Element | None = None
    for event, element in xml_events(stream):
        if event == "start":
            if not parents and element.tag not in ("rss", RDF + "RDF"):
                raise UnreadableError(f"XML root is {shown(element.tag)}, not an RSS feed")
            if channel is None and len(parents) == 1:
                if element.tag == "channel" if parents[0].tag == "rss" else element.tag in _CHANNEL_TAGS:
                    channel = element
            parents.append(element)
            continue
        parents.pop()
        if not parents:
            return
        root, parent = parents[0], parents[-1]
        if element is channel:
            yield "channel", element
        elif parent is channel and channel is not None and _local(element.tag) in _DATE_TAGS:
            yield "date", element
        if _is_item(root, parent, channel, element):
            yield "item", element
            parent.remove(element)


def _local(tag: object) -> str:
    """A child's tag with the RSS namespaces taken off, as :func:`_children` does."""
    tag = tag if isinstance(tag, str) else ""
    for namespace in _RSS_NAMESPACES[1:]:
        if tag.startswith(namespace):
            tag = tag[len(namespace):]
    return tag


def channel_date(stream: TextIO) -> str:
    """The date an RSS feed's channel gives its items (its first pubDate,
    else dc:date, else lastBuildDate), reading no further than needed."""
    found: dict[str, str] = {}
    for kind, element in _walk_rss(stream):
        if kind == "channel":
            break
        if kind == "date":
            tag = _local(element.tag)
            found.setdefault(tag, _text(element))
            if tag == _DATE_TAGS[0]:
                break
    return next((found[tag] for tag in _DATE_TAGS if tag in found), "")


def iter_rss(stream: TextIO, date: str, add: Callable[[str], None]) -> Iterator[ParsedPaper]:
    """The papers of an RSS 2.0 or RSS 1.0 (RDF) feed read from *stream*
    item by item; *date* is :func:`channel_date`'s.  The same papers and
    problem lines as :func:`parse_rss` on the whole text."""

    def read(item: Element, where: str, problems: list[str]) -> ParsedPaper | None:
        return _rss_item(item, where, problems, date)

    number = 0
    for kind, element in _walk_rss(stream):
        if kind == "item":
            number += 1
            paper = _read(read, element, f"item {number}", add)
            if paper is not None:
                yield paper
