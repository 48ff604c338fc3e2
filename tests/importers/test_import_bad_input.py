"""Bad input: problems name the entry or line, good entries still import,
hostile XML is refused at once and never reaches the file system."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import pytest

from paperqueue.core.importers.detect import UnreadableError, detect_format, parse_text

from .conftest import read_fixture

# -- JSON ------------------------------------------------------------------------


def test_truncated_hf_json() -> None:
    text = read_fixture("hf_daily_papers.json")
    truncated = text[: len(text) // 2]
    assert detect_format(truncated) == "hf"
    with pytest.raises(UnreadableError, match=r"invalid JSON at line \d+ column \d+.*truncated"):
        parse_text(truncated)


def test_truncated_pq_json() -> None:
    text = read_fixture("paperqueue_export.json")
    with pytest.raises(UnreadableError, match="invalid JSON"):
        parse_text(text[:300])


@pytest.mark.parametrize(
    "text",
    ['{"hello": "world"}', "[1, 2, 3]", '[{"title": "no key, no paper"}]', "[]", "{}",
     '{"papers": [{"nothing": 1}]}', "[null]", '[\n  "2403.01234"\n]'],
)
def test_json_of_unknown_shape(text: str) -> None:
    with pytest.raises(UnreadableError, match="JSON"):
        parse_text(text, "papers.json")


def test_invalid_json_without_markers() -> None:
    with pytest.raises(UnreadableError, match="invalid JSON"):
        parse_text('[{"a": 1,,}]')


def test_hf_bad_rows_are_problems() -> None:
    good = {"paper": {"id": "2403.01234", "title": "Good", "summary": "S", "upvotes": 3}, "numComments": 1}
    rows = [
        good,
        "not an object",
        {"numComments": 2},
        {"paper": {"title": "No id"}},
        {"paper": {"id": "not-an-id", "title": "Bad id"}},
        {"paper": {"id": "2403.00002", "title": ""}},
        {"paper": {"id": "2403.00003", "title": "Wrong types", "upvotes": "many",
                   "authors": "Alice", "githubRepo": 5}, "numComments": True},
    ]
    result = parse_text(json.dumps(rows))
    assert [p.title for p in result.papers] == ["Good", "Wrong types"]
    wrong = result.papers[1]
    assert (wrong.upvotes, wrong.comments, wrong.authors, wrong.links) == (None, None, (), ())
    assert result.problems == [
        "entry 2: not an object",
        'entry 3: no "paper" object',
        "entry 4: no arXiv id",
        "entry 5: not an arXiv id: 'not-an-id'",
        "entry 6: no title",
        'entry 7: "githubRepo" is not a string',
        'entry 7: "authors" is not a list',
        'entry 7: "upvotes" is not an integer',
        'entry 7: "numComments" is not an integer',
    ]


def test_hf_all_rows_bad() -> None:
    with pytest.raises(UnreadableError, match="no papers found in this Hugging Face daily papers JSON: entry 1"):
        parse_text('[{"paper": {"id": "2403.01234"}}]')


def test_pq_bad_rows_are_problems() -> None:
    rows = [
        {"key": "arxiv:2403.01234", "title": "Fine", "starred": "yes", "tags": ["a", 3],
         "read_at": "yesterday", "upvotes": 1.5, "links": "https://github.com/a/b"},
        {"key": "", "title": "No key"},
        {"key": "title:x", "title": ""},
        {"key": "arxiv:2403.05678", "title": "", "arxiv_id": "2403.05678"},  # known by id
    ]
    result = parse_text(json.dumps(rows))
    assert result.format == "pq"
    fine, by_id = result.papers
    assert fine.state == {"tags": ("a",)} and fine.upvotes is None and fine.links == ()
    assert by_id.title == "" and by_id.arxiv_id == "2403.05678"
    assert result.problems[-2:] == ["entry 2: no key", "entry 3 ('title:x'): no title"]
    assert sorted(result.problems) == sorted([
        "entry 1 ('arxiv:2403.01234'): \"starred\" is not true/false",
        "entry 1 ('arxiv:2403.01234'): \"read_at\" is not a date: 'yesterday'",
        "entry 1 ('arxiv:2403.01234'): \"tags\" holds a value that is not a string",
        "entry 1 ('arxiv:2403.01234'): \"links\" is not a list",
        "entry 1 ('arxiv:2403.01234'): \"upvotes\" is not an integer",
        "entry 2: no key",
        "entry 3 ('title:x'): no title",
    ])


# -- XML -------------------------------------------------------------------------

ATOM_OPEN = '<feed xmlns="http://www.w3.org/2005/Atom">'
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE feed [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10)).replace("&lol0;", "&lol;")
    + f"]>\n{ATOM_OPEN}<entry><title>&lol9;</title></entry></feed>\n"
)
QUADRATIC = (
    f'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY a "{"x" * 100_000}">]>\n'
    f"{ATOM_OPEN}<entry><title>{'&a;' * 100_000}</title></entry></feed>\n"
)


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, QUADRATIC, BILLION_LAUGHS.replace(ATOM_OPEN, "<rss><channel><item>").replace("</entry></feed>", "</item></channel></rss>")],
                         ids=["billion-laughs", "quadratic-blowup", "billion-laughs-rss"])
def test_entity_bomb_refused_at_once(bomb: str) -> None:
    # Refused before any expansion: expanding would take gigabytes and hang here.
    with pytest.raises(UnreadableError, match=r"XML entity expansion refused \(possible entity bomb\)"):
        parse_text(bomb, "feed.xml")


_AUDIT: list[list[str]] = []  # the recording in progress, if any


def _audit(event: str, args: tuple) -> None:
    if _AUDIT and event in ("open", "socket.connect", "urllib.Request"):
        _AUDIT[-1].append(str(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; this one is idle unless recording


@contextlib.contextmanager
def recording_opens():
    """Paths opened and sockets connected (per audit events) inside the block."""
    _AUDIT.append([])
    try:
        yield _AUDIT[-1]
    finally:
        _AUDIT.pop()


def test_recording_opens_sees_file_reads(tmp_path: Path) -> None:
    # The check below is only worth something if the hook sees reads.
    target = tmp_path / "probe.txt"
    target.write_text("x")
    with recording_opens() as opened:
        target.read_text()
    assert opened == [str(target)]


@pytest.mark.parametrize("kind", ["general", "parameter", "rss"])
def test_external_entity_never_read(kind: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    uri = secret.as_uri()
    if kind == "general":
        text = (f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "{uri}">]>'
                f"{ATOM_OPEN}<entry><title>&x;</title><summary>&x;</summary></entry></feed>")
    elif kind == "parameter":
        text = (f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY % p SYSTEM "{uri}"> %p;]>'
                f"{ATOM_OPEN}<entry><title>T</title></entry></feed>")
    else:
        text = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                "<rss><channel><item><title>&x;</title></item></channel></rss>")
    with recording_opens() as opened, pytest.raises(UnreadableError, match="XML external entity refused") as caught:
        parse_text(text)
    assert "TOP-SECRET" not in str(caught.value)
    assert opened == []


def test_external_dtd_not_fetched() -> None:
    text = (f'<?xml version="1.0"?><!DOCTYPE feed SYSTEM "file:///etc/passwd">'
            f"{ATOM_OPEN}<entry><title>Fine</title></entry></feed>")
    with recording_opens() as opened:
        assert [p.title for p in parse_text(text).papers] == ["Fine"]
    assert opened == []


@pytest.mark.parametrize(
    ("text", "message"),
    [(f"{ATOM_OPEN}<entry><title>Cut", "XML is not well-formed"),
     ('<?xml version="1.0"?><html><body>hi</body></html>', "HTML page"),
     ('<?xml version="1.0"?><catalog><book/></catalog>', "not an Atom or RSS feed"),
     (f"{ATOM_OPEN}</feed>", "no papers found in this arXiv Atom feed"),
     ("<rss><channel></channel></rss>", "no papers found in this arXiv RSS feed")],
)
def test_unusable_xml(text: str, message: str) -> None:
    with pytest.raises(UnreadableError, match=message):
        parse_text(text)


def test_arxiv_api_error_entry() -> None:
    text = (f"{ATOM_OPEN}<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>"
            "<title>Error</title><summary>incorrect id format for 1234</summary></entry></feed>")
    with pytest.raises(UnreadableError, match="arXiv API error: 'incorrect id format for 1234'"):
        parse_text(text)


def test_atom_entry_without_title_is_a_problem() -> None:
    text = (f"{ATOM_OPEN}<entry><id>http://arxiv.org/abs/2403.00001v1</id><title> </title></entry>"
            "<entry><id>http://arxiv.org/abs/2403.00002v1</id><title>Kept</title></entry></feed>")
    result = parse_text(text)
    assert [p.arxiv_id for p in result.papers] == ["2403.00002"]
    assert result.problems == ["entry 1: no title"]


def test_non_arxiv_atom_entries_kept_without_authority() -> None:
    text = (f"{ATOM_OPEN}<entry><id>tag:blog.example,2024:1</id><title>A Blog Post</title>"
            '<link href="https://blog.example/post"/></entry></feed>')
    [paper] = parse_text(text).papers
    assert paper.arxiv_id is None and not paper.authoritative
    assert paper.links == ("https://blog.example/post",)


# -- BibTeX ----------------------------------------------------------------------

BAD_BIB = """\
@article{good1,
  title = {First Good Paper},
  year = 2020,
}

@article{broken,
  title = {Never {closed,
  year = 2021,
}

@misc{nocomma,
  title = {Missing Comma}
  year = 2022
}

@misc{notitle, year = 2022}

@misc{macro, title = "Uses " # undefinedmacro, year = 2023}

@inproceedings{good2,
  title = "Second Good Paper",
}
"""


def test_malformed_bibtex_amid_good_entries() -> None:
    result = parse_text(BAD_BIB, "refs.bib")
    assert [p.title for p in result.papers] == ["First Good Paper", "Uses", "Second Good Paper"]
    assert result.problems == [
        "entry 2 (line 6): unbalanced braces",
        "entry 3 (line 11): expected ',' or '}' after field 'title'",
        "entry 4 (line 16): no title",
        "entry 5 (line 18): unknown @string name 'undefinedmacro'",
    ]


def test_bibtex_without_entries() -> None:
    with pytest.raises(UnreadableError, match="no papers found in this BibTeX file"):
        parse_text("@comment{nothing here}\n@string{x = {y}}\n")
    with pytest.raises(UnreadableError, match=r"no papers found in this BibTeX file: entry 1 \(line 1\): unbalanced braces"):
        parse_text("@article{k, title = {open\n")


# -- id lists --------------------------------------------------------------------


def test_id_list_with_bad_lines() -> None:
    text = "2403.01234\nfoo\n\n# comment\narXiv:2403.05678\nhttps://example.com/2403.01234\n2403.09999v2\n"
    result = parse_text(text)
    assert result.format == "ids"
    assert [p.arxiv_id for p in result.papers] == ["2403.01234", "2403.05678", "2403.09999"]
    assert result.problems == [
        "line 2: not an arXiv id or URL: 'foo'",
        "line 6: not an arXiv id or URL: 'https://example.com/2403.01234'",
    ]


def test_mostly_bad_lines_are_not_an_id_list() -> None:
    assert detect_format("2403.01234\nhello there\nmore words\n") == "page"
    assert detect_format("2403.01234\n2403.01235\nhello there\n") == "ids"


def test_problem_lines_are_clean_and_short() -> None:
    result = parse_text("2403.01234\n2403.01235\n\x1b[31m" + "x" * 500 + "\u202e\n")
    [problem] = result.problems
    assert "\x1b" not in problem and "\u202e" not in problem and len(problem) < 120
