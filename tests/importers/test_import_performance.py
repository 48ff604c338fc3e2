"""Every parser is linear on nasty input: three times the input costs about
three times as much (6x allowed for a loaded machine's noise), measured as a
ratio inside one run.

No wall-clock limit is asserted here (timings live in ``benchmarks/``): a
quadratic parser gives a ratio near 9 whatever the machine's speed or load.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import linear
import pytest

from paperqueue.core.importers.arxiv_feed import parse_atom
from paperqueue.core.importers.rss_feed import parse_rss
from paperqueue.core.importers.bibtex import parse_bibtex
from paperqueue.core.importers.detect import UnreadableError, parse_text
from paperqueue.core.importers.hf_json import parse_hf
from paperqueue.core.importers.id_list import parse_ids
from paperqueue.core.importers.pq_json import parse_pq

MB = 1_000_000
ATOM = '<feed xmlns="http://www.w3.org/2005/Atom">'
HF_ROW = {"paper": {"id": "2403.01234", "title": "A Title", "summary": "An abstract. " * 5,
                    "authors": [{"name": "Alice Smith"}] * 3, "upvotes": 3}, "numComments": 1}

# Each input is built for a size in bytes (about), so the same shape can be
# made at 1 MB and at 3 MB.
NASTY: dict[str, Callable[[int], str]] = {
    # JSON
    "json-deep-lists": lambda n: "[" * n,
    "json-deep-hf": lambda n: '[{"paper": ' * (n // 11),
    "json-deep-objects": lambda n: '{"a":' * (n // 5),
    "json-many-rows": lambda n: json.dumps([HF_ROW] * (n // 250)),
    "json-huge-title": lambda n: json.dumps([{"paper": {"id": "2403.01234", "title": "\\u001b[1m" * (n // 10)}}]),
    "json-huge-pq": lambda n: json.dumps({"paperqueue": 1, "papers": [{"key": "k", "title": "t " * (n // 2),
                                                                         "tags": ["x"] * (n // 10)}]}),
    "json-huge-number": lambda n: '[{"paper": {"id": "2403.01234", "title": "T", "upvotes": ' + "9" * n + "}}]",
    # XML
    "xml-deep-nesting": lambda n: ATOM + "<entry><title>" + "<b>" * (n // 7) + "</b>" * (n // 7)
    + "</title></entry></feed>",
    "xml-unclosed-nesting": lambda n: ATOM + "<a>" * (n // 3),
    "xml-huge-line": lambda n: ATOM + "<entry><title>" + "word " * (n // 5) + "</title></entry></feed>",
    "xml-many-entries": lambda n: ATOM + "<entry><id>http://arxiv.org/abs/2403.01234v1</id><title>T</title>"
    "<summary>S https://github.com/a/b</summary></entry>" * (n // 120) + "</feed>",
    "xml-tex-summaries": lambda n: ATOM + "<entry><id>http://arxiv.org/abs/2403.01234v1</id><title>T</title>"
    "<summary>Sch\\\"utze $x^2$ \\href{https://a.io/a\\_b}{https://a.io/a\\_b} \\url{https://b.io}</summary>"
    "</entry>" * (n // 170) + "</feed>",
    "xml-tex-one-summary": lambda n: ATOM + "<entry><title>T</title><summary>"
    + "\\href{https://a.io/x}{" * (n // 22) + "</summary></entry></feed>",
    "rss-html-description": lambda n: "<rss><channel><item><title>T</title><description>"
    + "&lt;p&gt;x &lt;a href='y'&gt;" * (n // 30) + "</description></item></channel></rss>",
    "rss-title-suffixes": lambda n: "<rss><channel><item><title>" + "(arXiv:1 [a] " * (n // 13)
    + "</title></item></channel></rss>",
    "rss-creators": lambda n: "<rss xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><item><title>T</title>"
    "<dc:creator>" + "A, " * (n // 3) + "</dc:creator></item></channel></rss>",
    "rss-creators-et-al": lambda n: "<rss xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><item><title>T"
    "</title><dc:creator>" + "X collaboration: A, et al. (9 additional authors not shown)" * (n // 60)
    + "</dc:creator></item></channel></rss>",
    "rss-tex-backslashes": lambda n: "<rss><channel><item><title>T</title><description>"
    + "\\" * n + "</description></item></channel></rss>",
    # BibTeX
    "bib-million-braces": lambda n: "@misc{k, title={" + "{" * n,
    "bib-million-closing": lambda n: "@misc{k, title={T}" + "}" * n,
    "bib-entry-starts-one-line": lambda n: "@a{" * (n // 3),
    "bib-entry-starts-lines": lambda n: "\n@a{" * (n // 4),
    "bib-accents": lambda n: "@misc{k, title = {" + "\\'" * (n // 2) + "}}",
    "bib-dollars": lambda n: "@misc{k, title = {" + "$" * n + "}}",
    "bib-many-authors": lambda n: "@misc{k, title={T}, author={" + "A and " * (n // 6) + "}}",
    "bib-nested-authors": lambda n: "@misc{k, title={T}, author={" + "{a, and " * (n // 8) + "}}",
    "bib-concatenation": lambda n: "@misc{k, title = " + "a # " * (n // 4) + "}",
    "bib-whitespace": lambda n: "@misc{k, title = {T}," + " " * n + "}",
    "bib-comments": lambda n: "@misc{k,\n" + "% comment\n" * (n // 10) + "title={T}}",
    "bib-quotes": lambda n: '@misc{k, title = "' + '{"' * (n // 2),
    "bib-backslashes": lambda n: "@misc{k, title = {" + "\\" * n + "}}",
    # id lists
    "ids-one-line": lambda n: "2403.01234 " * (n // 11),
    "ids-many-lines": lambda n: "2403.01234\n" * (n // 11),
    "ids-many-distinct": lambda n: "".join(f"{2301 + i % 12:04d}.{i % 100000:05d}\n" for i in range(n // 11)),
    "ids-url-prefixes": lambda n: "2403.01234\n" + "https://arxiv.org/abs/" * (n // 22),
    "ids-bad-lines": lambda n: "2403.01234\n" * 10 + "x\n" * (n // 2),
    "ids-bad-digit-lines": lambda n: "2403.01234\n" * 10 + "1\n" * (n // 2),
    "ids-old-style-lines": lambda n: "hep-ph0605279\nmath.GT/0309136v2\n" * (n // 32),
    # pages
    "page-author-lines": lambda n: ("Alice Smith, Bob Jones, " * 40 + "Carol Li\n\n") * (n // 1000),
    "page-one-author-line": lambda n: "Title\n\n" + "Alice Smith, " * (n // 13),
    "page-chrome": lambda n: "\u25b2 42\nUpvote 12\n\u00b7 5 authors\n" * (n // 28),
}

PARSERS = {
    "json": (parse_hf, parse_pq), "xml": (parse_atom,), "rss": (parse_rss,),
    "bib": (parse_bibtex,), "ids": (parse_ids,),
}


FACTOR = 3  # the large input is three times the small one: linear 3x, quadratic 9x


def assert_linear(call, small: str, large: str, label: str) -> None:
    linear.assert_linear(call, small, large, label, expected=(UnreadableError, ValueError), factor=FACTOR)


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nasty_input_is_linear(name: str) -> None:
    small, large = NASTY[name](MB), NASTY[name](FACTOR * MB)
    assert len(small) > 0.9 * MB and len(large) > 0.9 * FACTOR * len(small)
    assert_linear(parse_text, small, large, "parse_text")
    # The format's own parser too, whatever detection made of the text.
    for parser in PARSERS.get(name.partition("-")[0], ()):
        assert_linear(parser, small, large, parser.__name__)


def test_every_parser_on_other_formats_nasty_input() -> None:
    for key in ("json-deep-lists", "xml-unclosed-nesting", "bib-million-braces", "ids-one-line"):
        small, large = NASTY[key](MB), NASTY[key](FACTOR * MB)
        for parser in (parse_hf, parse_pq, parse_atom, parse_rss, parse_bibtex, parse_ids):
            assert_linear(parser, small, large, f"{key} {parser.__name__}")


def test_the_ratio_check_catches_a_quadratic_parser() -> None:
    """The check itself can fail: a parser that rescans what it has read
    (quadratic) is caught."""

    def quadratic(text: str) -> None:
        seen: list[str] = []
        for line in text.split("\n"):
            for _earlier in seen:  # walks again every line read so far: O(n^2)
                pass
            seen.append(line)
        # Both the rescan and the per-line work run in the interpreter, so their
        # ratio is the same on every CPU (a rescan by str.count ran at memory
        # speed: on a fast CPU it hid under the per-line work, ratio about 5).

    small = "ab\n" * 1_000
    with pytest.raises(AssertionError, match="not linear"):
        assert_linear(quadratic, small, small * FACTOR, "quadratic")
