"""The arXiv sources (issue 11): category listings over RSS, searches and
ids over the API, each read from recorded responses through a fake ``get``."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from paperqueue.core.net.endpoints import Endpoints
from paperqueue.core.sources import SourceError, fetch_arxiv_ids, fetch_arxiv_rss, fetch_arxiv_search

from sources_fake import FakeGet, ok, real

EP = Endpoints(
    arxiv_rss="http://127.0.0.1:9/rss",
    arxiv_api="http://127.0.0.1:9/api/query",
    hf_api="http://127.0.0.1:9/hf",
    crossref_api="http://127.0.0.1:9/cr",
)
SPEC_RSS = real("arxiv_rss_math.OC_spec_item.xml").decode()
_ITEM_RE = re.compile(r"    <item>.*?</item>\n", re.S)


def rss_day(*items: tuple[str, str]) -> str:
    """arXiv's documented RSS document with one item per (id, announce
    type), each a copy of the documented item with its id and type set."""
    item = _ITEM_RE.search(SPEC_RSS).group()
    copies = []
    for arxiv_id, kind in items:
        copy = item.replace("2203.01250", arxiv_id).replace("replace-cross", kind)
        copies.append(copy)
    return _ITEM_RE.sub(lambda _m: "".join(copies), SPEC_RSS)


# -- RSS -----------------------------------------------------------------------


def test_rss_keeps_new_and_cross_by_default() -> None:
    url = EP.arxiv_rss + "/math.OC+math.AP"
    day = rss_day(("2402.00001", "new"), ("2402.00002", "cross"), ("2402.00003", "replace"),
                  ("2402.00004", "replace-cross"))
    get = FakeGet({url: ok(day, etag='"abc"', **{"last-modified": "Fri, 23 Feb 2024 05:00:11 GMT"})})
    fetched = fetch_arxiv_rss(get, EP, ["math.OC", "math.AP"], None, {})
    assert [p.arxiv_id for p in fetched.papers] == ["2402.00001", "2402.00002"]
    assert fetched.not_understood == 0 and fetched.problems == [] and fetched.requests == 1
    assert not fetched.not_modified
    # What to send next time.
    get2 = FakeGet({url: (304, b"", {})})
    again = fetch_arxiv_rss(get2, EP, ["math.OC", "math.AP"], None, fetched.validators)
    assert get2.calls[0][1]["If-None-Match"] == '"abc"'
    assert get2.calls[0][1]["If-Modified-Since"] == "Fri, 23 Feb 2024 05:00:11 GMT"
    assert again.not_modified and again.papers == [] and again.validators == fetched.validators


def test_rss_types_chosen() -> None:
    url = EP.arxiv_rss + "/math.OC"
    get = FakeGet({url: ok(rss_day(("2402.00001", "new"), ("2402.00003", "replace")))})
    fetched = fetch_arxiv_rss(get, EP, ["math.OC"], {"replace"}, {})
    assert [p.arxiv_id for p in fetched.papers] == ["2402.00003"]


def test_rss_documented_item_whole() -> None:
    """The item of arXiv's RSS specification: DOI, journal reference and
    the announce type all read."""
    url = EP.arxiv_rss + "/math.OC"
    fetched = fetch_arxiv_rss(FakeGet({url: ok(SPEC_RSS)}), EP, ["math.OC"], {"replace-cross"}, {})
    (paper,) = fetched.papers
    assert paper.arxiv_id == "2203.01250"
    assert paper.doi == "10.5802/jep.257"
    assert paper.venue == "Journal de l'École polytechnique - Mathématiques, Tome 11 (2024), pp. 431-472"
    assert paper.authors == ("Antonin Monteil", "Paul Pegon")
    assert paper.abstract.startswith("We consider first order local minimization problems")


def test_rss_empty_day_is_zero_papers_not_an_error() -> None:
    url = EP.arxiv_rss + "/math.OC"
    empty = _ITEM_RE.sub("", SPEC_RSS)
    fetched = fetch_arxiv_rss(FakeGet({url: ok(empty)}), EP, ["math.OC"], None, {})
    assert fetched.papers == [] and fetched.problems == [] and not fetched.not_modified


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>", "text/html",
         "an HTML page, not a feed"),
        (SPEC_RSS[: len(SPEC_RSS) // 2], "application/xml", "XML is not well-formed"),
        ('{"error": "nope"}', "application/json", "not an RSS or Atom feed"),
    ],
)
def test_rss_bad_answers_fail_whole(body: str, content_type: str, reason: str) -> None:
    url = EP.arxiv_rss + "/math.OC"
    with pytest.raises(SourceError) as caught:
        fetch_arxiv_rss(FakeGet({url: ok(body, content_type)}), EP, ["math.OC"], None, {})
    assert caught.value.url == url
    assert reason in caught.value.reason
    assert str(caught.value).startswith(url + ": ") and "\n" not in str(caught.value)


# -- API search -----------------------------------------------------------------

API_2019 = real("arxiv_api_all_science_2019-08-10.atom").decode()
_ENTRY_RE = re.compile(r"  <entry>.*?</entry>\n", re.S)
ENTRIES = _ENTRY_RE.findall(API_2019)


def api_page(entries: list[str], total: int, start: int) -> str:
    """The recorded 2019 response with *entries* as its entries and the
    opensearch numbers of a page at *start* of *total*."""
    text = _ENTRY_RE.sub("", API_2019).replace("</feed>", "".join(entries) + "</feed>")
    text = re.sub(r"(<opensearch:totalResults[^>]*>)\d+", rf"\g<1>{total}", text)
    text = re.sub(r"(<opensearch:startIndex[^>]*>)\d+", rf"\g<1>{start}", text)
    return re.sub(r"(<opensearch:itemsPerPage[^>]*>)\d+", rf"\g<1>{len(entries)}", text)


def search_url(query: str, start: int, size: int) -> str:
    return (EP.arxiv_api + f"?search_query={query}&sortBy=submittedDate&sortOrder=descending"
            f"&start={start}&max_results={size}")


def published_of(entry: str) -> str:
    return re.search(r"<published>(.*?)</published>", entry).group(1)


def test_search_url_shape() -> None:
    url = search_url("all%3Ascience", 0, 10)
    get = FakeGet({url: ok(api_page(ENTRIES, 10, 0))})
    fetch_arxiv_search(get, EP, "all:science", 10, {})
    query = parse_qs(urlsplit(get.urls[0]).query)
    assert query == {"search_query": ["all:science"], "sortBy": ["submittedDate"], "sortOrder": ["descending"],
                     "start": ["0"], "max_results": ["10"]}


def test_search_first_fetch_pages_with_an_empty_page_retried() -> None:
    """Three pages, the second empty on the first try while totalResults
    says more: retried, never taken as the end."""
    entries = sorted(ENTRIES, key=published_of, reverse=True)
    q = "all%3Ascience"
    get = FakeGet({
        search_url(q, 0, 4): ok(api_page(entries[:4], 10, 0)),
        search_url(q, 4, 4): [ok(api_page([], 10, 4)), ok(api_page(entries[4:8], 10, 4))],
        search_url(q, 8, 2): ok(api_page(entries[8:], 10, 8)),
    })
    fetched = fetch_arxiv_search(get, EP, "all:science", 10, {}, page_size=4)
    assert len(fetched.papers) == 10 and fetched.requests == 4
    assert get.urls.count(search_url(q, 4, 4)) == 2
    assert fetched.validators["newest"] == max(published_of(e) for e in entries)


def test_search_page_that_stays_empty_fails_the_fetch() -> None:
    q = "all%3Ascience"
    get = FakeGet({
        search_url(q, 0, 4): ok(api_page(ENTRIES[:4], 10, 0)),
        search_url(q, 4, 4): ok(api_page([], 10, 4)),
    })
    with pytest.raises(SourceError) as caught:
        fetch_arxiv_search(get, EP, "all:science", 10, {}, page_size=4)
    assert caught.value.url == search_url(q, 4, 4)
    assert "empty" in caught.value.reason and "10" in caught.value.reason


def test_search_later_fetch_stops_at_the_newest_date_seen() -> None:
    entries = sorted(ENTRIES, key=published_of, reverse=True)
    seen = published_of(entries[5])
    q = "all%3Ascience"
    get = FakeGet({
        search_url(q, 0, 4): ok(api_page(entries[:4], 10, 0)),
        search_url(q, 4, 4): ok(api_page(entries[4:8], 10, 4)),
    })
    fetched = fetch_arxiv_search(get, EP, "all:science", 100, {"newest": seen}, page_size=4)
    assert [p.published for p in fetched.papers] == [published_of(e) for e in entries[:6]]
    assert fetched.requests == 2
    assert fetched.validators["newest"] == published_of(entries[0])


def test_search_with_no_hits_is_zero_papers() -> None:
    url = search_url("ti%3Azzzz", 0, 100)
    fetched = fetch_arxiv_search(FakeGet({url: ok(api_page([], 0, 0))}), EP, "ti:zzzz", 100, {})
    assert fetched.papers == [] and fetched.validators == {}


def test_search_error_entry_fails() -> None:
    url = search_url("bad", 0, 100)
    get = FakeGet({url: ok(real("arxiv_api_error_incorrect_id.atom"))})
    with pytest.raises(SourceError, match="incorrect id format for 1234.12345"):
        fetch_arxiv_search(get, EP, "bad", 100, {})


# -- API ids ---------------------------------------------------------------------


def ids_url(ids: list[str]) -> str:
    return EP.arxiv_api + "?id_list=" + "%2C".join(i.replace("/", "%2F") for i in ids) + f"&max_results={len(ids)}"


def test_ids_known_and_unknown() -> None:
    """One id is malformed: arXiv answers the whole request with its error
    entry; that id is dropped and the rest asked again."""
    get = FakeGet({
        ids_url(["hep-ex/0307015", "1234.12345"]): ok(real("arxiv_api_error_incorrect_id.atom")),
        ids_url(["hep-ex/0307015"]): ok(real("arxiv_api_electron_one_entry.atom")),
    })
    fetched, unknown = fetch_arxiv_ids(get, EP, ["hep-ex/0307015v1", "arXiv:1234.12345"])
    assert [p.arxiv_id for p in fetched.papers] == ["hep-ex/0307015"]
    assert fetched.papers[0].title.startswith("Multi-Electron Production")
    assert unknown == ["1234.12345"]
    assert fetched.requests == 2


def test_ids_missing_from_the_answer_are_unknown() -> None:
    get = FakeGet({ids_url(["hep-ex/0307015", "2402.99999"]): ok(real("arxiv_api_electron_one_entry.atom"))})
    fetched, unknown = fetch_arxiv_ids(get, EP, ["hep-ex/0307015", "2402.99999"])
    assert len(fetched.papers) == 1 and unknown == ["2402.99999"]


def test_ids_asked_100_at_a_time() -> None:
    ids = [f"2402.{n:05d}" for n in range(150)]
    empty = api_page([], 0, 0)
    get = FakeGet({ids_url(ids[:100]): ok(empty), ids_url(ids[100:]): ok(empty)})
    fetched, unknown = fetch_arxiv_ids(get, EP, ids)
    assert fetched.requests == 2 and unknown == ids
