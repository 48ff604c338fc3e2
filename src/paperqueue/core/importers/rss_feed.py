"""arXiv RSS listing feeds, and other sites' RSS (read safely by
:mod:`xml_safe`).

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
from xml.etree.ElementTree import Element

from paperqueue.core.identity import parse_arxiv_id
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
    DC,
    RDF,
    element_text,
    feed_links,
    read_entry,
    root_of,
    tex_text,
    xml_events,
)
from paperqueue.core.text import one_line

__all__ = ["channel_date", "iter_rss", "parse_rss"]

# Element namespaces of RSS 2.0 (none), RSS 1.0 and RSS 0.9.
_RSS_NAMESPACES = ("", "{http://purl.org/rss/1.0/}", "{http://my.netscape.com/rdf/simple/0.9/}")


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
        name = tex_text(name.strip().removeprefix("and ").strip())
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
            return element_text(elements[0])
    return ""


def _journal_doi(kids: dict[str, list[Element]]) -> str:
    """The DOI a journal's table of contents gives an item: ``prism:doi``,
    else a ``dc:identifier`` written ``doi:10....``."""
    doi = _prism(kids, "doi")
    if doi:
        return doi
    for element in kids.get(DC + "identifier", []):
        text = element_text(element)
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

    announced = element_text(first(ARXIV + "announce_type")).lower()
    title = element_text(first("title"))
    link = element_text(first("link"))
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
    guid = _GUID_RE.fullmatch(element_text(first("guid")))
    if guid:
        ids.append(guid.group(1))
    arxiv_id = next((found for found in map(parse_arxiv_id, ids) if found), None)
    if not title:
        problems.append(f"{where}: no title")
        return None
    title, abstract = tex_text(title), tex_text(abstract)
    authors = [
        name
        for element in kids.get(DC + "creator", []) + kids.get("author", [])
        for name in _creators(_html_text(element))
    ]
    categories += [element_text(c) for c in kids.get("category", []) + kids.get(DC + "subject", [])]
    published = element_text(first("pubDate")) or element_text(first(DC + "date")) or channel_date
    return ParsedPaper(
        title=title,
        abstract=abstract,
        arxiv_id=arxiv_id,
        links=feed_links([link, abstract]),
        authors=clean_names(authors),
        published=iso_datetime(published),
        doi=checked_doi(element_text(first(ARXIV + "DOI")) or _journal_doi(kids), where, problems),
        categories=clean_categories(categories, where, problems),
        venue=tex_text(element_text(first(ARXIV + "journal_reference")) or _prism(kids, "publicationName")) or None,
        authoritative=arxiv_id is not None,
    )


def parse_rss(source: str | Element, types: set[str] | frozenset[str] | None = None
              ) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines from an RSS 2.0 or RSS 1.0 (RDF) feed; with
    *types*, only the items announced as one of them (see the module
    docstring)."""
    root = root_of(source)
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
        date = next((element_text(kids[tag][0]) for tag in ("pubDate", DC + "date", "lastBuildDate") if tag in kids), "")

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
            found.setdefault(tag, element_text(element))
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
            paper = read_entry(read, element, f"item {number}", add)
            if paper is not None:
                yield paper
