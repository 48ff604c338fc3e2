"""No parser takes more than ~2 s on any 1 MB input, however nasty."""

from __future__ import annotations

import json
import time

import pytest

from paperqueue.core.importers.arxiv_feed import parse_atom, parse_rss
from paperqueue.core.importers.bibtex import parse_bibtex
from paperqueue.core.importers.detect import UnreadableError, parse_text
from paperqueue.core.importers.hf_json import parse_hf
from paperqueue.core.importers.id_list import parse_ids
from paperqueue.core.importers.pq_json import parse_pq

MB = 1_000_000
ATOM = '<feed xmlns="http://www.w3.org/2005/Atom">'
HF_ROW = {"paper": {"id": "2403.01234", "title": "A Title", "summary": "An abstract. " * 5,
                    "authors": [{"name": "Alice Smith"}] * 3, "upvotes": 3}, "numComments": 1}

NASTY = {
    # JSON
    "json-deep-lists": "[" * MB,
    "json-deep-hf": '[{"paper": ' * (MB // 11),
    "json-deep-objects": '{"a":' * (MB // 5),
    "json-many-rows": json.dumps([HF_ROW] * (MB // 250)),
    "json-huge-title": json.dumps([{"paper": {"id": "2403.01234", "title": "\\u001b[1m" * (MB // 10)}}]),
    "json-huge-pq": json.dumps({"paperqueue": 1, "papers": [{"key": "k", "title": "t " * (MB // 2),
                                                             "tags": ["x"] * (MB // 10)}]}),
    "json-huge-number": '[{"paper": {"id": "2403.01234", "title": "T", "upvotes": ' + "9" * MB + "}}]",
    # XML
    "xml-deep-nesting": ATOM + "<entry><title>" + "<b>" * (MB // 7) + "</b>" * (MB // 7) + "</title></entry></feed>",
    "xml-unclosed-nesting": ATOM + "<a>" * (MB // 3),
    "xml-huge-line": ATOM + "<entry><title>" + "word " * (MB // 5) + "</title></entry></feed>",
    "xml-many-entries": ATOM + "<entry><id>http://arxiv.org/abs/2403.01234v1</id><title>T</title>"
    "<summary>S https://github.com/a/b</summary></entry>" * (MB // 120) + "</feed>",
    "rss-html-description": "<rss><channel><item><title>T</title><description>"
    + "&lt;p&gt;x &lt;a href='y'&gt;" * (MB // 30) + "</description></item></channel></rss>",
    "rss-title-suffixes": "<rss><channel><item><title>" + "(arXiv:1 [a] " * (MB // 13) + "</title></item></channel></rss>",
    "rss-creators": "<rss xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><item><title>T</title><dc:creator>"
    + "A, " * (MB // 3) + "</dc:creator></item></channel></rss>",
    # BibTeX
    "bib-million-braces": "@misc{k, title={" + "{" * MB,
    "bib-million-closing": "@misc{k, title={T}" + "}" * MB,
    "bib-entry-starts-one-line": "@a{" * (MB // 3),
    "bib-entry-starts-lines": "\n@a{" * (MB // 4),
    "bib-accents": "@misc{k, title = {" + "\\'" * (MB // 2) + "}}",
    "bib-dollars": "@misc{k, title = {" + "$" * MB + "}}",
    "bib-many-authors": "@misc{k, title={T}, author={" + "A and " * (MB // 6) + "}}",
    "bib-nested-authors": "@misc{k, title={T}, author={" + "{a, and " * (MB // 8) + "}}",
    "bib-concatenation": "@misc{k, title = " + "a # " * (MB // 4) + "}",
    "bib-whitespace": "@misc{k, title = {T}," + " " * MB + "}",
    "bib-comments": "@misc{k,\n" + "% comment\n" * (MB // 10) + "title={T}}",
    "bib-quotes": '@misc{k, title = "' + '{"' * (MB // 2),
    "bib-backslashes": "@misc{k, title = {" + "\\" * MB + "}}",
    # id lists
    "ids-one-line": "2403.01234 " * (MB // 11),
    "ids-many-lines": "2403.01234\n" * (MB // 11),
    "ids-url-prefixes": "2403.01234\n" + "https://arxiv.org/abs/" * (MB // 22),
    "ids-bad-lines": "2403.01234\n" * 10 + "x\n" * (MB // 2),
    "ids-bad-digit-lines": "2403.01234\n" * 10 + "1\n" * (MB // 2),
    # pages
    "page-author-lines": ("Alice Smith, Bob Jones, " * 40 + "Carol Li\n\n") * (MB // 1000),
    "page-one-author-line": "Title\n\n" + "Alice Smith, " * (MB // 13),
    "page-chrome": "\u25b2 42\nUpvote 12\n\u00b7 5 authors\n" * (MB // 28),
}

PARSERS = {
    "json": (parse_hf, parse_pq), "xml": (parse_atom,), "rss": (parse_rss,),
    "bib": (parse_bibtex,), "ids": (parse_ids,),
}


def _timed(call, *args) -> float:
    start = time.perf_counter()
    try:
        call(*args)
    except (UnreadableError, ValueError):
        pass
    return time.perf_counter() - start


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nasty_input_is_fast(name: str) -> None:
    text = NASTY[name]
    assert len(text) > 0.9 * MB
    assert _timed(parse_text, text) < 2.0
    # The format's own parser too, whatever detection made of the text.
    for parser in PARSERS.get(name.partition("-")[0], ()):
        assert _timed(parser, text) < 2.0, parser.__name__


def test_every_parser_on_other_formats_nasty_input() -> None:
    for key in ("json-deep-lists", "xml-unclosed-nesting", "bib-million-braces", "ids-one-line"):
        for parser in (parse_hf, parse_pq, parse_atom, parse_rss, parse_bibtex, parse_ids):
            assert _timed(parser, NASTY[key]) < 2.0, (key, parser.__name__)
