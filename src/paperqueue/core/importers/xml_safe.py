"""XML for the feed formats (:mod:`arxiv_feed` Atom, :mod:`rss_feed` RSS),
read safely, and the helpers both use.

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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TextIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException, EntitiesForbidden

from paperqueue.core.importers.latex import tex_in_prose
from paperqueue.core.importers.record import (
    ParsedPaper,
    UnreadableError,
    order_links,
    shown,
)
from paperqueue.core.text import one_line

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


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


def element_text(element: Element | None) -> str:
    return one_line("".join(element.itertext())) if element is not None else ""


def tex_text(text: str) -> str:
    """Feed text with its TeX decoded (see the module docstring)."""
    return one_line(tex_in_prose(text)) if text else text


# A doi.org URL and its DOI, up to a blank or a quote; SICI DOIs hold < and >.
_DOI_URL_RE = re.compile(r"(?i:https?://(?:dx\.)?doi\.org/)10\.\d{4,9}/[^\s\"]+")
_ANGLE = {"<": "%3C", ">": "%3E"}


def feed_links(texts: list[str]) -> tuple[str, ...]:
    """Links in *texts*; a DOI's ``<``/``>`` are percent-encoded first so
    the link is not cut short at them."""
    return order_links(
        _DOI_URL_RE.sub(lambda m: re.sub("[<>]", lambda c: _ANGLE[c.group()], m.group()), text)
        if "<" in text or ">" in text else text
        for text in texts
    )


def root_of(source: str | Element) -> Element:
    return load_xml(source) if isinstance(source, str) else source


def read_entry(read: Callable[[Element, str, list[str]], ParsedPaper | None], element: Element, where: str,
          add: Callable[[str], None]) -> ParsedPaper | None:
    lines: list[str] = []
    paper = read(element, where, lines)
    for line in lines:
        add(line)
    return paper
