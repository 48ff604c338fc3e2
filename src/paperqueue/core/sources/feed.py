"""Any RSS or Atom feed by its URL (journal tables of contents, bioRxiv,
blogs), read by the same importer as feed files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element

from paperqueue.core.importers.arxiv_feed import load_xml, parse_atom
from paperqueue.core.importers.rss_feed import parse_rss
from paperqueue.core.importers.detect import xml_format
from paperqueue.core.importers.record import ParsedPaper, UnreadableError
from paperqueue.core.sources.common import Fetched, Get, SourceError, body_text, conditional_headers, fetched, remember

__all__ = ["feed_root", "fetch_feed", "parse_feed_text"]


def feed_root(text: str, url: str) -> tuple[str, Element]:
    """(``"atom"`` | ``"rss"``, root element) of a feed's text; SourceError
    for anything else (not XML, not well-formed, cut short, entities)."""
    if not text.lstrip("\ufeff \t\r\n").startswith("<"):
        raise SourceError(url, "not an RSS or Atom feed (the answer is not XML)")
    try:
        root = load_xml(text)
        return xml_format(root.tag), root
    except UnreadableError as error:
        raise SourceError(url, str(error)) from None


def parse_feed_text(text: str, url: str, types: set[str] | frozenset[str] | None = None
                    ) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines of a feed's text (RSS items filtered by
    announce *types* when given)."""
    kind, root = feed_root(text, url)
    try:
        return parse_atom(root) if kind == "atom" else parse_rss(root, types)
    except UnreadableError as error:
        raise SourceError(url, str(error)) from None


def fetch_feed(get: Get, url: str, validators: Mapping[str, Any] | None) -> Fetched:
    """The papers of the feed at *url*; a 304 is ``not_modified`` (0 new),
    an empty feed 0 papers."""
    validators = dict(validators or {})
    response = get(url, conditional_headers(validators, url))
    if response.not_modified:
        return fetched([], [], validators, 1, not_modified=True)
    papers, problems = parse_feed_text(body_text(response, url), url)
    http: dict[str, dict[str, str]] = {}
    remember(http, url, response)
    return fetched(papers, problems, {"http": http} if http else {}, 1)
