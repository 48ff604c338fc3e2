"""Property tests: parse_text on anything raises nothing but UnreadableError,
never hangs, and hands out only clean, non-empty titles."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperqueue.core.importers.detect import FORMATS, UnreadableError, detect_format, parse_text

from .conftest import CONTROL_RE, assert_one_line, read_fixture

# Pieces of every format, so random text reaches every parser.
_PIECES = st.sampled_from([
    "\n", "\n\n", "\r\n", " ", "\t", "{", "}", "[", "]", '"', ",", ":", "=", "#", "%", "@", "$", "\\",
    '"paper": {', '"id": "2403.01234"', '"title": ', '"key": "k"', '"summary": "S"', '"authors": [',
    '{"paperqueue": 1, "papers": [', "null", "true", "12",
    '<?xml version="1.0"?>', '<feed xmlns="http://www.w3.org/2005/Atom">', "<entry>", "</entry>",
    "<title>", "</title>", "<summary>", "</summary>", "<id>http://arxiv.org/abs/2403.01234v2</id>",
    "<rss>", "<channel>", "<item>", "</item>", "<description>", "</description>",
    "arXiv:2403.01234v1 Announce Type: new Abstract: ", "<!DOCTYPE x [", '<!ENTITY a "b">', "&a;", "&amp;",
    "@article{", "@misc(", "@string{", "title = {", "author = {", "A and B", "eprint = {2403.01234}",
    "{\\\"o}", "\\'e", "\\textit{", "--", "~",
    "2403.01234", "arXiv:2403.01234v3", "https://arxiv.org/abs/2403.01234", "hep-th/9901001",
    "https://huggingface.co/papers/2403.01234", "# comment", "foo",
    "Title", "An abstract.", "Alice Smith, Bob Jones", "\u25b2 42", "Submitted by x",
    "\x1b[31m", "\x1b]0;x\x07", "\x9b", "\u202e", "\x85", "\x00", "\ufeff", "\ud800", "é", "日本",
])
_STRUCTURED = st.lists(_PIECES, max_size=60).map("".join)

_JSON_KEYS = st.sampled_from([
    "paper", "id", "title", "summary", "authors", "name", "publishedAt", "upvotes", "numComments",
    "githubRepo", "projectPage", "papers", "paperqueue", "key", "arxiv_id", "abstract", "links",
    "primary_link", "tags", "note", "starred", "read", "added_at", "read_at", "categories", "doi",
])
_JSON_LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                | st.sampled_from(["2403.01234", "hep-th/9901001", "https://github.com/a/b",
                                   "2024-03-12T10:00:00Z", "", " ", "\x1b[1mX"]) | st.text(max_size=20))
_JSON = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_JSON_KEYS, inner, max_size=6),
    max_leaves=30,
).map(json.dumps)

_ANY_TEXT = st.one_of(
    st.text(max_size=400),
    st.binary(max_size=400).map(lambda b: b.decode("utf-8", errors="replace")),
    _STRUCTURED,
    _JSON,
)


def check(text: str) -> None:
    try:
        fmt = detect_format(text)
        result = parse_text(text)
    except UnreadableError as error:
        message = str(error)
        assert message and "\n" not in message and not CONTROL_RE.search(message)
        return
    assert result.format == fmt and fmt in FORMATS
    assert result.papers
    for paper in result.papers:
        assert_one_line(paper.title)
        if result.format == "ids" or (result.format in ("pq", "bibtex") and paper.arxiv_id):
            assert paper.title or paper.arxiv_id
        else:
            assert paper.title
        for text_field in (paper.abstract, *paper.authors, *paper.categories, *paper.links):
            assert_one_line(text_field)
        for optional in (paper.arxiv_id, paper.doi, paper.pdf_url, paper.published, paper.updated, paper.key):
            assert optional is None or (optional and not CONTROL_RE.search(optional))
    for problem in result.problems:
        assert "\n" not in problem and not CONTROL_RE.search(problem)


@given(_ANY_TEXT)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_text_on_anything(text: str) -> None:
    check(text)


@given(st.lists(_JSON, min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_json_rows(rows: list[str]) -> None:
    check("[" + ", ".join(rows) + "]")
    check('[{"paper": ' + rows[0] + "}]")


_FIXTURE_NAMES = ["hf_daily_papers.json", "arxiv_api_response.atom", "arxiv_cs_lg.rss",
                  "arxiv_listing_rdf.xml", "references.bib", "ids.txt", "paperqueue_export.json"]


@given(st.sampled_from(_FIXTURE_NAMES), st.data())
@settings(max_examples=400, deadline=None)
def test_mutated_fixtures(name: str, data: st.DataObject) -> None:
    text = read_fixture(name)
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 40)))
        text = text[:start] + data.draw(st.one_of(st.just(""), _PIECES, st.text(max_size=5))) + text[end:]
    check(text)
