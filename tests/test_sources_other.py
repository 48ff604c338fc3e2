"""Hugging Face daily papers, Crossref, any feed, and what ``add`` accepts
(issue 11), read from recorded responses through a fake ``get``."""

from __future__ import annotations

import json
from datetime import date

import pytest

from paperqueue.core.net.endpoints import Endpoints
from paperqueue.core.sources import SourceError, fetch_crossref, fetch_feed, fetch_hf_daily, parse_add_argument

from sources_fake import FakeGet, ok, real

EP = Endpoints(
    arxiv_rss="http://127.0.0.1:9/rss",
    arxiv_api="http://127.0.0.1:9/api/query",
    hf_api="http://127.0.0.1:9/hf",
    crossref_api="http://127.0.0.1:9/cr",
)
HF_A = real("hf_daily_papers_2024-10-25_one_row.json")
HF_B = real("hf_daily_papers_2024-10-25_row_2410.16251.json")


def hf_url(day: str) -> str:
    return f"{EP.hf_api}/daily_papers?date={day}"


# -- Hugging Face ------------------------------------------------------------------


def test_hf_first_fetch_takes_the_last_7_days() -> None:
    days = [f"2024-10-{d}" for d in range(19, 26)]
    routes = {hf_url(day): ok("[]", "application/json") for day in days}
    routes[hf_url("2024-10-24")] = ok(HF_B, "application/json")
    routes[hf_url("2024-10-25")] = ok(HF_A, "application/json", etag='W/"e25"')
    get = FakeGet(routes)
    fetched = fetch_hf_daily(get, EP, {}, date(2024, 10, 25))
    assert sorted(get.urls) == sorted(hf_url(day) for day in days)
    assert {p.arxiv_id for p in fetched.papers} == {"2410.18745", "2410.16251"}
    paper = next(p for p in fetched.papers if p.arxiv_id == "2410.16251")
    assert paper.title == "Can Knowledge Editing Really Correct Hallucinations?"
    assert paper.upvotes == 41 and paper.comments == 2 and "\n" not in paper.abstract
    assert fetched.validators["last_day"] == "2024-10-25"
    assert fetched.requests == 7


def test_hf_later_fetch_from_the_last_day_included() -> None:
    get = FakeGet({hf_url("2024-10-25"): (304, b"", {}), hf_url("2024-10-26"): ok("[]", "application/json"),
                   hf_url("2024-10-27"): ok(HF_B, "application/json")})
    validators = {"last_day": "2024-10-25", "http": {hf_url("2024-10-25"): {"etag": 'W/"e25"'}}}
    fetched = fetch_hf_daily(get, EP, validators, date(2024, 10, 27))
    assert get.urls == [hf_url("2024-10-25"), hf_url("2024-10-26"), hf_url("2024-10-27")]
    assert get.calls[0][1] == {"If-None-Match": 'W/"e25"'}
    assert [p.arxiv_id for p in fetched.papers] == ["2410.16251"]
    assert fetched.validators["last_day"] == "2024-10-27" and not fetched.not_modified


def test_hf_all_304_is_not_modified() -> None:
    get = FakeGet({hf_url("2024-10-25"): (304, b"", {})})
    fetched = fetch_hf_daily(get, EP, {"last_day": "2024-10-25", "http": {hf_url("2024-10-25"): {"etag": "x"}}},
                             date(2024, 10, 25))
    assert fetched.not_modified and fetched.papers == []


def test_hf_a_bad_day_fails_the_whole_fetch() -> None:
    get = FakeGet({hf_url("2024-10-25"): ok(HF_A, "application/json"),
                   hf_url("2024-10-26"): ok(HF_A[:200], "application/json")})
    with pytest.raises(SourceError) as caught:
        fetch_hf_daily(get, EP, {"last_day": "2024-10-25"}, date(2024, 10, 26))
    assert caught.value.url == hf_url("2024-10-26") and "invalid JSON" in caught.value.reason


# -- Crossref ------------------------------------------------------------------------


def test_crossref_work_with_jats_abstract() -> None:
    body = real("crossref_work_elife.01567.json")
    get = FakeGet({EP.crossref_api + "/works/10.7554/elife.01567": ok(body, "application/json")})
    fetched = fetch_crossref(get, EP, "10.7554/elife.01567")
    (paper,) = fetched.papers
    message = json.loads(body)["message"]
    assert paper.title == message["title"][0]
    assert paper.doi == "10.7554/elife.01567" and paper.venue == "eLife"
    assert paper.abstract.startswith("Among various advantages, their small size makes model organisms")
    assert paper.abstract.endswith("for example equidistant phloem pole formation.")
    assert "<" not in paper.abstract and "jats" not in paper.abstract
    assert paper.authors == ("Martial Sankar", "Kaisa Nieminen", "Laura Ragni", "Ioannis Xenarios",
                             "Christian S Hardtke")
    assert paper.published == "2014-02-11" and paper.entry_type == "article"


def test_crossref_work_without_abstract() -> None:
    body = real("crossref_work_s43586-021-00024-3.json")
    get = FakeGet({EP.crossref_api + "/works/10.1038/s43586-021-00024-3": ok(body, "application/json")})
    (paper,) = fetch_crossref(get, EP, "10.1038/s43586-021-00024-3").papers
    assert paper.title == "Parallel nuclear magnetic resonance spectroscopy"
    assert paper.venue == "Nature Reviews Methods Primers" and paper.abstract == ""
    assert paper.authors[0] == "Ēriks Kupče"


def test_crossref_unknown_doi_is_none() -> None:
    get = FakeGet({EP.crossref_api + "/works/10.9999/nope": (404, b"Resource not found.", {"content-type": "text/plain"})})
    assert fetch_crossref(get, EP, "10.9999/nope") is None


def test_crossref_jats_markup_and_title_heading() -> None:
    message = {"title": ["A <i>new</i> method"], "DOI": "10.1/x", "container-title": ["J"],
               "abstract": "<jats:title>Abstract</jats:title><jats:p>One &amp; <jats:italic>two</jats:italic>"
                           "<jats:sup>3</jats:sup>.</jats:p>\n<jats:p>Second.</jats:p>"}
    body = json.dumps({"status": "ok", "message-type": "work", "message": message})
    (paper,) = fetch_crossref(FakeGet({EP.crossref_api + "/works/10.1/x": ok(body, "application/json")}),
                              EP, "10.1/x").papers
    assert paper.title == "A new method"
    assert paper.abstract == "One & two3. Second."


def test_crossref_html_page_fails() -> None:
    url = EP.crossref_api + "/works/10.1/x"
    with pytest.raises(SourceError, match="HTML"):
        fetch_crossref(FakeGet({url: ok("<html><body>oops</body></html>", "text/html")}), EP, "10.1/x")


# -- any feed ------------------------------------------------------------------------


def test_feed_atom_and_rdf() -> None:
    url = "http://127.0.0.1:9/feed.rdf"
    get = FakeGet({url: ok(real("arxiv_hep-ex_2021-07-08.rdf"), etag='"r1"')})
    fetched = fetch_feed(get, url, {})
    assert len(fetched.papers) == 3 and fetched.validators["http"][url] == {"etag": '"r1"'}
    url2 = "http://127.0.0.1:9/feed.atom"
    fetched2 = fetch_feed(FakeGet({url2: ok(real("arxiv_api_electron_one_entry.atom"))}), url2, {})
    assert fetched2.papers[0].arxiv_id == "hep-ex/0307015"


def test_feed_keeps_the_item_link_of_a_journal_feed() -> None:
    body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>J</title>"
            "<item><title>A journal article</title><link>https://journal.example/a/1</link>"
            "<description>Text.</description></item></channel></rss>")
    url = "http://127.0.0.1:9/toc.rss"
    (paper,) = fetch_feed(FakeGet({url: ok(body)}), url, {}).papers
    assert paper.links == ("https://journal.example/a/1",)


def test_feed_that_is_html_fails() -> None:
    url = "http://127.0.0.1:9/blog"
    with pytest.raises(SourceError, match="HTML"):
        fetch_feed(FakeGet({url: ok("<!doctype html><html><head></head></html>", "text/html; charset=utf-8")}),
                   url, {})


# -- add arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2403.01234", ("arxiv", "2403.01234")),
        ("2403.01234v3", ("arxiv", "2403.01234")),
        ("arXiv:2403.01234v2", ("arxiv", "2403.01234")),
        ("hep-th/9901001v2", ("arxiv", "hep-th/9901001")),
        ("math.GT/0309136", ("arxiv", "math.GT/0309136")),
        ("https://arxiv.org/abs/2403.01234v2", ("arxiv", "2403.01234")),
        ("https://arxiv.org/pdf/2403.01234.pdf", ("arxiv", "2403.01234")),
        ("http://export.arxiv.org/abs/cs/0112017", ("arxiv", "cs/0112017")),
        ("https://huggingface.co/papers/2410.16251", ("arxiv", "2410.16251")),
        ("huggingface.co/papers/2410.16251#community", ("arxiv", "2410.16251")),
        ("10.7554/eLife.01567", ("doi", "10.7554/eLife.01567")),
        ("doi:10.1038/s43586-021-00024-3", ("doi", "10.1038/s43586-021-00024-3")),
        ("https://doi.org/10.1002/(SICI)1522-2594(199911)42:5%3C952::AID-MRM16%3E3.0.CO;2-S",
         ("doi", "10.1002/(SICI)1522-2594(199911)42:5<952::AID-MRM16>3.0.CO;2-S")),
        ("https://dx.doi.org/10.1063/1.1383585", ("doi", "10.1063/1.1383585")),
        ("10.48550/arXiv.2403.01234", ("arxiv", "2403.01234")),
        ("https://doi.org/10.48550/arXiv.2403.01234", ("arxiv", "2403.01234")),
        ("  2403.01234  ", ("arxiv", "2403.01234")),
        ("attention is all you need", None),
        ("12345", None),
        ("https://example.org/paper/1", None),
        ("https://huggingface.co/papers/not-an-id", None),
        ("", None),
    ],
)
def test_parse_add_argument(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_add_argument(text) == expected


class _ClientFailure(Exception):
    """The client's FetchError shape: ``url``, ``reason``."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


def test_crossref_404_raised_by_the_client_is_none_other_failures_pass_through() -> None:
    url = EP.crossref_api + "/works/10.9999/nope"
    assert fetch_crossref(FakeGet({url: _ClientFailure(url, "HTTP 404")}), EP, "10.9999/nope") is None
    with pytest.raises(_ClientFailure):
        fetch_crossref(FakeGet({url: _ClientFailure(url, "HTTP 503")}), EP, "10.9999/nope")


from hypothesis import given, strategies as st  # noqa: E402

from paperqueue.core.importers.crossref import markup_text  # noqa: E402


@given(st.text(max_size=300))
def test_add_argument_and_markup_never_crash(text: str) -> None:
    found = parse_add_argument(text)
    assert found is None or (found[0] in ("arxiv", "doi") and found[1] and "\n" not in found[1])
    out = markup_text(text)
    assert "\n" not in out and "\x1b" not in out
