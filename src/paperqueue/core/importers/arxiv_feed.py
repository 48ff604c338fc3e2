"""arXiv Atom API responses and arXiv RSS listing feeds.

XML is parsed only through ``defusedxml.ElementTree`` with entity
declarations forbidden: an entity bomb (billion laughs, quadratic blowup)
fails at its first ``<!ENTITY`` declaration, before anything is expanded, and
an external entity (``<!ENTITY x SYSTEM "file:///etc/passwd">``) is refused
at its declaration, so no file or URL is ever opened.  Both give
:class:`UnreadableError`.  (feedparser is not used: it wants to fetch URLs,
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
    URLs in the abstract               -> links
"""

from __future__ import annotations

import html
import re
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

__all__ = ["load_xml", "parse_atom", "parse_rss"]

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
# Element namespaces of RSS 2.0 (none), RSS 1.0 and RSS 0.9.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_RSS_NAMESPACES = ("", "{http://purl.org/rss/1.0/}", "{http://my.netscape.com/rdf/simple/0.9/}")


def load_xml(text: str) -> Element:
    """The root element of *text*; :class:`UnreadableError` for XML that is
    not well-formed or that declares entities."""
    text = _SURROGATE_RE.sub("\ufffd", text.lstrip("\ufeff"))  # expat wants UTF-8
    try:
        return SafeElementTree.fromstring(
            text, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except EntitiesForbidden as error:
        if error.sysid or error.pubid:
            source = shown(error.sysid or error.pubid)
            raise UnreadableError(f"XML external entity refused ({source}); nothing was read") from None
        raise UnreadableError("XML entity expansion refused (possible entity bomb)") from None
    except DefusedXmlException as error:
        raise UnreadableError(f"XML refused ({type(error).__name__})") from None
    except ParseError as error:
        raise UnreadableError(f"XML is not well-formed ({one_line(str(error))[:120]})") from None


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
        authoritative=arxiv_id is not None,
    )


def parse_atom(source: str | Element) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines from an Atom feed (text or parsed root)."""
    root = _root(source)
    if root.tag != ATOM + "feed":
        raise UnreadableError(f"XML root is {shown(root.tag)}, not an Atom feed")
    return collect(root.findall(ATOM + "entry"), _atom_entry)


# -- RSS ----------------------------------------------------------------------

_HTML_TAG_RE = re.compile(
    r"</?(?:p|a|br|i|b|em|strong|sub|sup|span|div|ul|ol|li|code|tt|font|hr)\b[^<>]{0,1000}>",
    re.IGNORECASE,
)
_PREAMBLE_RE = re.compile(
    r"arXiv:(\S+) +Announce Type: *\S+ +Abstract: *", re.IGNORECASE
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


def _rss_item(item: Element, where: str, problems: list[str], channel_date: str = "") -> ParsedPaper | None:
    kids = _children(item)

    def first(tag: str) -> Element | None:
        return kids.get(tag, [None])[0]

    title = _text(first("title"))
    ids = [_text(first("link")), item.get(RDF + "about", "")]
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
        links=_links([abstract]),
        authors=clean_names(authors),
        published=iso_datetime(published),
        categories=clean_categories(categories, where, problems),
        authoritative=arxiv_id is not None,
    )


def parse_rss(source: str | Element) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines from an RSS 2.0 or RSS 1.0 (RDF) feed."""
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

    def read(item: Element, where: str, problems: list[str]) -> ParsedPaper | None:
        return _rss_item(item, where, problems, date)

    return collect(items, read, "item")
