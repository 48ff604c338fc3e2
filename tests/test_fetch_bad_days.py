"""The failure table of issue 11, end to end on the loopback address.

Each test runs a real fetch (``paperqueue fetch`` / ``add`` through the
command line's ``main``, once as a child process, and ``fetch_all`` with the
real :class:`Client` where the command line has no knob) against a loopback
server replaying answers built from the recorded ones in
``tests/data/real/net/``, then looks at what a person sees (the lines, the
exit code) and at what is on disk: the papers of a subscription that failed
are exactly as they were (``list --format json``, minus the other
subscriptions' papers), the others landed, the search index agrees.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from net_server import Canned, NetServer, closed_port_url, net_server, net_server_factory, serve_sources  # noqa: F401
from test_fetch_net import day, run
from paperqueue.core import fetching
from paperqueue.core.net import client as net_client
from paperqueue.core.search import SearchIndex, query_words
from paperqueue.core.store import Store, layout
from paperqueue.core.subscriptions import Subscriptions

REAL = Path(__file__).parent / "data" / "real" / "net"
RSS = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
MB = 1024 * 1024


# -- answers built from the recorded ones ----------------------------------------------

_ELECTRON = (REAL / "arxiv_api_electron_one_entry.atom").read_text(encoding="utf-8")
_HEAD, _REST = _ELECTRON.split("  <entry", 1)
_ENTRY = "  <entry" + _REST.rsplit("</entry>", 1)[0] + "</entry>\n"
_ERROR = (REAL / "arxiv_api_error_incorrect_id.atom").read_text(encoding="utf-8")


def api_entry(arxiv_id: str, published: datetime) -> str:
    """The recorded entry as another paper: its id, title and dates."""
    stamp = published.strftime("%Y-%m-%dT%H:%M:%S-04:00")
    entry = _ENTRY.replace("hep-ex/0307015v1", f"{arxiv_id}v1").replace("hep-ex/0307015", f"{arxiv_id}v1")
    entry = entry.replace("2003-07-07T13:46:39-04:00", stamp)
    return entry.replace(
        "Multi-Electron Production at High Transverse Momenta in ep Collisions at\n  HERA", f"Electron study {arxiv_id}"
    )


def api_page(entries: list[tuple[str, datetime]], total: int, start: int) -> str:
    """An arXiv API answer (Atom, opensearch counts) holding ``entries``."""
    head = (_HEAD.replace(">1000</opensearch:totalResults>", f">{total}</opensearch:totalResults>")
            .replace(">0</opensearch:startIndex>", f">{start}</opensearch:startIndex>")
            .replace(">1</opensearch:itemsPerPage>", f">{len(entries)}</opensearch:itemsPerPage>"))
    return head + "".join(api_entry(i, when) for i, when in entries) + "</feed>\n"


def search_results(count: int) -> list[tuple[str, datetime]]:
    """``count`` papers, newest submission first (as arXiv sorts them)."""
    newest = datetime(2025, 1, 20, 12, 0, tzinfo=timezone.utc)
    return [(f"2501.{count - n:05d}", newest - timedelta(hours=n)) for n in range(count)]


_HF_ROW = json.loads((REAL / "hf_daily_papers_2024-10-25_row_2410.16251.json").read_text(encoding="utf-8"))[0]


def hf_day(on: date, ids: list[str]) -> str:
    """The daily papers of ``on``: the recorded row once per id."""
    rows = []
    for arxiv_id in ids:
        row = copy.deepcopy(_HF_ROW)
        row["paper"]["id"] = arxiv_id
        row["paper"]["title"] = row["title"] = f"Daily paper {arxiv_id}"
        row["publishedAt"] = row["paper"]["publishedAt"] = f"{on.isoformat()}T03:32:14.953Z"
        rows.append(row)
    return json.dumps(rows)


BLOG = """<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>https://example.org/</link>
<description>d</description>%s</channel></rss>"""
POST = "<item><title>A post about %(n)s</title><link>https://example.org/post-%(n)s</link><description>Some text.</description></item>"


def blog(*numbers: int) -> str:
    return BLOG % "".join(POST % {"n": n} for n in numbers)


# -- what is on disk -------------------------------------------------------------------


def listing(capsys) -> list[dict]:
    code, out, err = run(capsys, "list", "--format", "json")
    assert code == 0, err
    return json.loads(out)


def without(papers: list[dict], *subscriptions: str) -> str:
    """The papers (as JSON text) that are in no batch of ``subscriptions``."""
    def theirs(paper: dict) -> bool:
        return any(batch.rsplit(" ", 1)[0] in subscriptions for batch in paper["batches"])

    return json.dumps([paper for paper in papers if not theirs(paper)], sort_keys=True)


def titles(capsys) -> set[str]:
    return {paper["title"] for paper in listing(capsys)}


def index_agrees(home: Path) -> None:
    """The search index is either gone (rebuilt on next use) or current:
    every paper is found by the words of its title."""
    path = home / layout.SEARCH
    if not path.exists():
        return
    index = SearchIndex(path)
    try:
        with Store.open(home, lock=False) as store:
            assert index.generation() == store.generation
            for paper in store.ordered_papers():
                assert paper.id in index.search(query_words(paper.title)), paper.title
    finally:
        index.close()


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in zip(times, times[1:])]


NEW = "{n} new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood"


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries after about 50, 100, 200 ms instead of 1, 2, 4 s (the same client otherwise)."""
    monkeypatch.setattr(net_client, "BACKOFF_FIRST", 0.05)


# -- arXiv searches ----------------------------------------------------------------------


def _serve_search(server: NetServer, second_page: list[Canned]) -> list[tuple[str, datetime]]:
    results = search_results(250)
    server.route_params("/api/query", {"start": 0, "max_results": 100},
                        Canned.text(api_page(results[:100], 250, 0), ATOM_TYPE))
    server.route_params("/api/query", {"start": 100, "max_results": 100}, *second_page)
    server.route_params("/api/query", {"start": 200, "max_results": 50},
                        Canned.text(api_page(results[200:], 250, 200), ATOM_TYPE))
    return results


@pytest.mark.parametrize("empty_total", [250, 0], ids=["empty page says 250", "empty page says 0"])
def test_a_paged_search_whose_second_page_comes_back_empty_once_lands_whole(
    pq_home: Path, capsys, net_server, monkeypatch, empty_total: int  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server, delay=0.2)
    results = search_results(250)
    _serve_search(net_server, [Canned.text(api_page([], empty_total, 100), ATOM_TYPE),
                               Canned.text(api_page(results[100:200], 250, 100), ATOM_TYPE)])
    run(capsys, "subscribe", "arxiv-search", "all:electron", "--max", "250", "--name", "electron")
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, f"electron: {NEW.format(n=250)}\n"), err
    asked = [(r.params["start"], r.params["max_results"]) for r in net_server.requests]
    assert asked == [("0", "100"), ("100", "100"), ("100", "100"), ("200", "50")]
    assert all(r.params["sortBy"] == "submittedDate" and r.params["sortOrder"] == "descending"
               and r.params["search_query"] == "all:electron" for r in net_server.requests)
    assert all(r.headers["user-agent"].startswith("paperqueue/") for r in net_server.requests)
    assert min(gaps([r.at for r in net_server.requests])) >= 0.2, "arXiv's requests are spaced by the delay"
    landed = listing(capsys)
    assert {p["arxiv_id"] for p in landed} == {arxiv_id for arxiv_id, _ in results}
    assert len({tuple(p["batches"]) for p in landed}) == 1, "the three pages are one batch"
    index_agrees(pq_home)
    assert Subscriptions(pq_home).get("electron").validators["newest"].startswith("2025-01-20")


def test_a_paged_search_whose_second_page_stays_empty_fails_whole(
    pq_home: Path, capsys, net_server, monkeypatch  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server, delay=0.05)
    _serve_search(net_server, [Canned.text(api_page([], 250, 100), ATOM_TYPE)])
    run(capsys, "subscribe", "arxiv-search", "all:electron", "--max", "250", "--name", "electron")
    before = listing(capsys)
    code, out, err = run(capsys, "fetch")
    assert code == 1, (out, err)
    assert out.startswith(f"electron: failed, nothing imported: {net_server.url}/api/query?")
    assert "the page at 100 came back empty 4 times while arXiv reports 250 results" in out
    assert len(out.splitlines()) == 1
    assert listing(capsys) == before == [], "nothing from the first page lands"
    assert [r.params["start"] for r in net_server.requests] == ["0", "100", "100", "100", "100"]
    assert min(gaps([r.at for r in net_server.requests])) >= 0.05
    saved = Subscriptions(pq_home).get("electron")
    assert saved.validators == {} and "came back empty" in saved.last_error
    index_agrees(pq_home)


# -- add ---------------------------------------------------------------------------------


def test_add_of_an_id_arxiv_calls_wrong_is_refused_and_nothing_lands(
    pq_home: Path, capsys, net_server, monkeypatch  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    net_server.route("/api/query", Canned.text(_ERROR, ATOM_TYPE))
    code, out, err = run(capsys, "add", "1234.12345")
    assert code == 2, (out, err)
    assert err == "paperqueue: add: arXiv:1234.12345: arXiv does not know this id; not added\n"
    assert out == ""
    assert listing(capsys) == []
    assert Subscriptions(pq_home).pending() == [], "not kept for a later fetch either"
    (asked,) = net_server.requests
    assert asked.params["id_list"] == "1234.12345"


def test_add_of_a_known_and_an_unknown_id_lands_the_known_one_and_says_which_was_refused(
    pq_home: Path, capsys, net_server, monkeypatch  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    net_server.route_params("/api/query", {"id_list": "1234.12345,2501.00007"}, Canned.text(_ERROR, ATOM_TYPE))
    net_server.route_params("/api/query", {"id_list": "2501.00007"},
                            Canned.text(api_page([("2501.00007", datetime(2025, 1, 3, tzinfo=timezone.utc))], 1, 0), ATOM_TYPE))
    code, out, err = run(capsys, "add", "1234.12345", "arXiv:2501.00007v2")
    assert code == 2, (out, err)
    assert "arXiv:1234.12345: arXiv does not know this id; not added" in err
    assert out == "add: 1 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood\n"
    (paper,) = listing(capsys)
    assert (paper["arxiv_id"], paper["title"], paper["authors"]) == ("2501.00007", "Electron study 2501.00007", ["H1 Collaboration"])


def test_add_of_dois_brings_title_venue_and_abstract_text_from_crossref(
    pq_home: Path, capsys, net_server, monkeypatch  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    net_server.route("/crossref/works/10.7554/elife.01567",
                     Canned.text((REAL / "crossref_work_elife.01567.json").read_bytes(), JSON_TYPE))
    net_server.route("/crossref/works/10.1038/s43586-021-00024-3",
                     Canned.text((REAL / "crossref_work_s43586-021-00024-3.json").read_bytes(), JSON_TYPE))
    code, out, err = run(capsys, "add", "10.7554/elife.01567", "https://doi.org/10.1038/s43586-021-00024-3")
    assert (code, err) == (0, "")
    assert out == "add: 2 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood\n"
    by_doi = {paper["doi"].lower(): paper for paper in listing(capsys)}
    elife = by_doi["10.7554/elife.01567"]
    assert elife["title"] == "Automated quantitative histology reveals vascular morphodynamics during Arabidopsis hypocotyl secondary growth"
    assert elife["venue"] == "eLife"
    assert elife["abstract"].startswith("Among various advantages, their small size makes model organisms")
    assert "<" not in elife["abstract"] and "jats" not in elife["abstract"]
    nature = by_doi["10.1038/s43586-021-00024-3"]
    assert (nature["title"], nature["venue"], nature["abstract"]) == (
        "Parallel nuclear magnetic resonance spectroscopy", "Nature Reviews Methods Primers", "")
    assert {r.path for r in net_server.requests} == {"/crossref/works/10.7554/elife.01567",
                                                      "/crossref/works/10.1038/s43586-021-00024-3"}
    assert all(r.headers["user-agent"].startswith("paperqueue/") for r in net_server.requests)
    index_agrees(pq_home)


def test_add_of_a_doi_crossref_does_not_know_is_refused_and_nothing_lands(
    pq_home: Path, capsys, net_server, monkeypatch  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    net_server.route("/crossref/works/10.9999/nothing.here", Canned.text("Resource not found.", status=404))
    code, out, err = run(capsys, "add", "10.9999/nothing.here")
    assert (code, out) == (2, ""), err
    assert err == "paperqueue: add: doi:10.9999/nothing.here: Crossref does not know this DOI; not added\n"
    assert listing(capsys) == []
    assert Subscriptions(pq_home).pending() == []


# -- Hugging Face daily papers ---------------------------------------------------------


def test_hf_daily_papers_take_seven_days_then_the_days_since_the_last_one(
    pq_home: Path, capsys, net_server, monkeypatch  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    first_today = date(2024, 10, 25)
    week = [first_today - timedelta(days=n) for n in range(6, -1, -1)]
    for n, on in enumerate(week):
        ids = [] if on.weekday() >= 5 else [f"2410.{n:03d}01", f"2410.{n:03d}02"]  # a weekend day is []
        net_server.route_params("/hf/daily_papers", {"date": on.isoformat()}, Canned.text(hf_day(on, ids), JSON_TYPE))
    monkeypatch.setattr(fetching, "today_utc", lambda: first_today)
    run(capsys, "subscribe", "hf")
    code, out, err = run(capsys, "fetch")
    weekdays = sum(1 for on in week if on.weekday() < 5)
    assert (code, out) == (0, f"hf: {NEW.format(n=2 * weekdays)}\n"), err
    assert [r.params["date"] for r in net_server.requests] == [on.isoformat() for on in week]
    assert len({tuple(p["batches"]) for p in listing(capsys)}) == 1, "the week is one batch"

    # Two days later: from the last day fetched (it may have grown) to today.
    later = first_today + timedelta(days=2)
    net_server.route_params("/hf/daily_papers", {"date": first_today.isoformat()},
                            Canned.text(hf_day(first_today, ["2410.00601", "2410.00602", "2410.00603"]), JSON_TYPE))
    net_server.route_params("/hf/daily_papers", {"date": (first_today + timedelta(days=1)).isoformat()},
                            Canned.text("[]", JSON_TYPE))
    net_server.route_params("/hf/daily_papers", {"date": later.isoformat()},
                            Canned.text(hf_day(later, ["2410.99901"]), JSON_TYPE))
    monkeypatch.setattr(fetching, "today_utc", lambda: later)
    asked_before = len(net_server.requests)
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, "hf: 2 new, 2 already in the queue (0 merged, 2 unchanged), 0 entries not understood\n"), err
    assert [r.params["date"] for r in net_server.requests[asked_before:]] == [
        (first_today + timedelta(days=n)).isoformat() for n in range(3)]
    assert {"2410.00603", "2410.99901"} <= {p["arxiv_id"] for p in listing(capsys)}
    index_agrees(pq_home)


def test_hf_week_with_one_bad_day_lands_none_of_the_week(pq_home: Path, capsys, net_server, monkeypatch) -> None:  # noqa: F811
    serve_sources(monkeypatch, net_server)
    today = date(2024, 10, 25)
    for n in range(7):
        on = today - timedelta(days=n)
        answer = Canned.html_error() if n == 3 else Canned.text(hf_day(on, [f"2410.{n:03d}01"]), JSON_TYPE)
        net_server.route_params("/hf/daily_papers", {"date": on.isoformat()}, answer)
    monkeypatch.setattr(fetching, "today_utc", lambda: today)
    run(capsys, "subscribe", "hf")
    code, out, err = run(capsys, "fetch")
    bad = net_server.url + f"/hf/daily_papers?date={(today - timedelta(days=3)).isoformat()}"
    assert code == 1, err
    assert out == f"hf: failed, nothing imported: {bad}: an HTML page, not a feed (HTTP 200: the site's error or login page?)\n"
    assert listing(capsys) == []
    assert Subscriptions(pq_home).get("hf").validators == {}, "the next fetch takes the whole week again"


# -- the bad days of one subscription, next to one that is fine --------------------------

DAY1 = day(("2503.00001", "new"), ("2503.00002", "cross"))
DAY2 = day(("2503.00011", "new"), ("2503.00012", "new"))


def _two_subscriptions(capsys, monkeypatch, arxiv: NetServer, other: NetServer) -> None:
    """cs.CL (arXiv, gated) and a blog on another host; a first fetch of both lands."""
    serve_sources(monkeypatch, arxiv)
    arxiv.route("/rss/cs.CL", Canned.text(DAY1, RSS, ETag='"day1"'))
    other.route("/blog.xml", Canned.text(blog(1), RSS))
    run(capsys, "subscribe", "arxiv", "cs.CL")
    run(capsys, "subscribe", "feed", other.url + "/blog.xml", "--name", "blog")
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, f"cs.CL: {NEW.format(n=2)}\nblog: {NEW.format(n=1)}\n"), err
    other.route("/blog.xml", Canned.text(blog(1, 2), RSS))


BAD_DAYS = {
    # name: (answer, reason at the end of the line)
    "html error page": (Canned.html_error(), "an HTML page, not a feed (HTTP 200: the site's error or login page?)"),
    "truncated body": (Canned.truncated(DAY2.encode(), len(DAY2.encode()) + 500, RSS), "cut short"),
    "not well-formed": (Canned.text(DAY2[: len(DAY2) // 2], RSS), "XML is not well-formed"),
    "60 MB body": (Canned.streamed(60 * MB, RSS), "larger than 50 MB"),
    "redirect loop": (Canned.redirect("/rss/cs.CL"), "too many redirects"),
    "503 every time": (Canned(503), "HTTP 503 (tried 4 times)"),
    "429 for an hour": (Canned(429, headers={"Retry-After": "3600"}), "HTTP 429, retry after"),
}


@pytest.mark.parametrize("bad", list(BAD_DAYS))
def test_a_bad_answer_fails_its_subscription_whole_and_the_other_lands(
    pq_home: Path, capsys, net_server_factory, monkeypatch, quick_backoff, bad: str  # noqa: F811
) -> None:
    arxiv, other = net_server_factory(), net_server_factory()
    _two_subscriptions(capsys, monkeypatch, arxiv, other)
    before = listing(capsys)
    validators = Subscriptions(pq_home).get("cs.CL").validators
    answer, reason = BAD_DAYS[bad]
    arxiv.route("/rss/cs.CL", answer)
    asked = len(arxiv.requests)
    code, out, err = run(capsys, "fetch")
    assert code == 1, (out, err)
    failed, landed = out.splitlines()
    start = f"cs.CL: failed, nothing imported: {arxiv.url}/rss/cs.CL: "
    assert failed.startswith(start), failed
    if reason is not None:
        assert failed[len(start):].startswith(reason), failed
    assert landed == "blog: 1 new, 1 already in the queue (0 merged, 1 unchanged), 0 entries not understood"
    after = listing(capsys)
    assert without(after, "blog") == without(before, "blog"), "cs.CL's papers are as they were"
    assert {p["title"] for p in after} == {"Paper 2503.00001", "Paper 2503.00002", "A post about 1", "A post about 2"}
    saved = Subscriptions(pq_home).get("cs.CL")
    assert saved.validators == validators, "the next fetch asks for the day again"
    assert saved.last_error and saved.last_error in failed
    request = arxiv.requests[asked]
    assert request.headers.get("if-none-match") == '"day1"'
    assert request.headers["user-agent"].startswith("paperqueue/")
    index_agrees(pq_home)


def store_files(home: Path) -> dict[str, bytes]:
    """Every file of the data folder but the two a failed fetch may write:
    the subscriptions (its last error) and arXiv's gate (the time of the
    last request)."""
    return {str(path.relative_to(home)): path.read_bytes() for path in sorted(home.rglob("*"))
            if path.is_file() and path.name not in ("subscriptions.json", "arxiv.gate")}


@pytest.mark.parametrize("bad", list(BAD_DAYS))
def test_a_failed_fetch_leaves_every_file_of_the_store_as_it_was(
    pq_home: Path, capsys, net_server, monkeypatch, quick_backoff, bad: str  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    net_server.route("/rss/cs.CL", Canned.text(DAY1, RSS, ETag='"day1"'), BAD_DAYS[bad][0])
    run(capsys, "subscribe", "arxiv", "cs.CL")
    assert run(capsys, "fetch")[0] == 0
    before = store_files(pq_home)
    code, out, err = run(capsys, "fetch")
    assert code == 1 and out.startswith("cs.CL: failed, nothing imported: "), (out, err)
    assert store_files(pq_home) == before


def test_a_refused_connection_fails_its_subscription_whole_and_the_other_lands(
    pq_home: Path, capsys, net_server_factory, monkeypatch, quick_backoff  # noqa: F811
) -> None:
    arxiv, other = net_server_factory(), net_server_factory()
    _two_subscriptions(capsys, monkeypatch, arxiv, other)
    before = listing(capsys)
    nowhere = closed_port_url("/rss")
    monkeypatch.setenv("PAPERQUEUE_ARXIV_RSS", nowhere)
    code, out, err = run(capsys, "fetch")
    assert code == 1, (out, err)
    assert out.splitlines()[0] == f"cs.CL: failed, nothing imported: {nowhere}/cs.CL: connection refused (tried 4 times)"
    after = listing(capsys)
    assert without(after, "blog") == without(before, "blog")
    assert "A post about 2" in {p["title"] for p in after}


def test_a_server_that_never_answers_times_out_and_the_other_lands(
    pq_home: Path, capsys, net_server_factory, monkeypatch  # noqa: F811
) -> None:
    """The command line has no timeout setting: fetch_all with the real client, short timeouts."""
    from paperqueue.core.history import History
    from paperqueue.core.net.client import Client
    from paperqueue.core.writer import Writer

    arxiv, other = net_server_factory(), net_server_factory()
    _two_subscriptions(capsys, monkeypatch, arxiv, other)
    before = listing(capsys)
    arxiv.route("/rss/cs.CL", Canned.hang_forever())
    with Store.open(pq_home) as store, Client(pq_home, timeout=0.5, connect_timeout=0.5, retries=1) as client:
        lines = fetching.fetch_all(store, client, writer=Writer(store, History(store.home)))
    failed, landed = lines
    assert (failed.ok, landed.ok) == (False, True)
    assert failed.text == f"cs.CL: failed, nothing imported: {arxiv.url}/rss/cs.CL: timed out (tried 2 times)"
    assert landed.text == "blog: 1 new, 1 already in the queue (0 merged, 1 unchanged), 0 entries not understood"
    after = listing(capsys)
    assert without(after, "blog") == without(before, "blog")
    assert len(arxiv.requests_to("/rss/cs.CL")) == 3  # the first fetch, then two tries
    index_agrees(pq_home)


# -- bad days that end well --------------------------------------------------------------


def test_a_429_with_retry_after_one_second_then_200_lands_after_that_second(
    pq_home: Path, capsys, net_server, monkeypatch  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    net_server.route("/rss/cs.CL", Canned(429, headers={"Retry-After": "1"}), Canned.text(DAY1, RSS))
    run(capsys, "subscribe", "arxiv", "cs.CL")
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, f"cs.CL: {NEW.format(n=2)}\n"), err
    first, second = net_server.requests
    assert second.at - first.at >= 1.0, "Retry-After: 1 was honoured"
    assert titles(capsys) == {"Paper 2503.00001", "Paper 2503.00002"}
    index_agrees(pq_home)


def test_a_503_then_200_lands(pq_home: Path, capsys, net_server, monkeypatch) -> None:  # noqa: F811
    serve_sources(monkeypatch, net_server)
    net_server.route("/rss/cs.CL", Canned(503), Canned.text(DAY1, RSS))
    run(capsys, "subscribe", "arxiv", "cs.CL")
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, f"cs.CL: {NEW.format(n=2)}\n"), err
    assert len(net_server.requests) == 2
    assert titles(capsys) == {"Paper 2503.00001", "Paper 2503.00002"}


def test_a_304_is_not_modified_and_changes_nothing(pq_home: Path, capsys, net_server_factory, monkeypatch) -> None:  # noqa: F811
    server = net_server_factory()
    stamp = "Tue, 04 Mar 2025 06:00:00 GMT"
    server.route("/blog.xml", Canned.text(blog(1, 2), RSS, Last_Modified=stamp), Canned(304))
    run(capsys, "subscribe", "feed", server.url + "/blog.xml", "--name", "blog")
    assert run(capsys, "fetch")[:2] == (0, f"blog: {NEW.format(n=2)}\n")
    before = listing(capsys)
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, "blog: not modified (0 new)\n"), err
    assert listing(capsys) == before
    assert server.requests[1].headers.get("if-modified-since") == stamp
    assert "if-modified-since" not in server.requests[0].headers


# -- the command itself, as cron runs it -------------------------------------------------


def test_paperqueue_fetch_as_a_child_process_exits_1_when_one_subscription_fails(
    pq_home: Path, capsys, net_server_factory, monkeypatch  # noqa: F811
) -> None:
    arxiv, other = net_server_factory(), net_server_factory()
    serve_sources(monkeypatch, arxiv)
    arxiv.route("/rss/cs.CL", Canned.html_error())
    other.route("/blog.xml", Canned.text(blog(1, 2), RSS))
    run(capsys, "subscribe", "arxiv", "cs.CL")
    run(capsys, "subscribe", "feed", other.url + "/blog.xml", "--name", "blog")
    done = subprocess.run([sys.executable, "-m", "paperqueue", "fetch"], env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        f"cs.CL: failed, nothing imported: {arxiv.url}/rss/cs.CL: an HTML page, not a feed (HTTP 200: the site's error or login page?)",
        f"blog: {NEW.format(n=2)}",
    ]
    assert "Traceback" not in done.stderr
    assert titles(capsys) == {"A post about 1", "A post about 2"}
    index_agrees(pq_home)


# -- add while arXiv cannot be reached, then a fetch -------------------------------------


def test_add_while_arxiv_is_unreachable_lands_the_id_and_the_next_fetch_fills_it_in(
    pq_home: Path, capsys, net_server, monkeypatch, quick_backoff  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    nowhere = closed_port_url("/api/query")
    monkeypatch.setenv("PAPERQUEUE_ARXIV_API", nowhere)
    code, out, err = run(capsys, "add", "2501.00007")
    assert code == 1, err
    assert out.splitlines() == [
        "add: 1 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood",
        f"arXiv:2501.00007: details pending ({nowhere}?id_list=2501.00007&max_results=1: connection refused (tried 4 times));"
        " paperqueue fetch fills them in",
    ]
    (waiting,) = listing(capsys)
    assert waiting["arxiv_id"] == "2501.00007"

    monkeypatch.setenv("PAPERQUEUE_ARXIV_API", net_server.url + "/api/query")
    net_server.route_params("/api/query", {"id_list": "2501.00007"},
                            Canned.text(api_page([("2501.00007", datetime(2025, 1, 3, tzinfo=timezone.utc))], 1, 0), ATOM_TYPE))
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, "details pending: 1 filled in, 0 still pending\n"), err
    (filled,) = listing(capsys)
    assert (filled["key"], filled["title"], filled["authors"]) == (waiting["key"], "Electron study 2501.00007", ["H1 Collaboration"])
    assert Subscriptions(pq_home).pending() == []
    assert run(capsys, "fetch")[:2] == (0, "no subscriptions (paperqueue subscribe arxiv cs.CL, subscribe hf, subscribe feed URL ... adds one)\n")
    index_agrees(pq_home)


def test_a_later_search_fetch_pages_back_to_the_newest_submission_already_seen(
    pq_home: Path, capsys, net_server, monkeypatch  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    results = search_results(8)  # the three newest appear after the first fetch
    net_server.route_params("/api/query", {"start": 0, "max_results": 5}, Canned.text(api_page(results[3:], 8, 0), ATOM_TYPE))
    run(capsys, "subscribe", "arxiv-search", "all:electron", "--max", "5", "--name", "electron")
    assert run(capsys, "fetch")[:2] == (0, f"electron: {NEW.format(n=5)}\n")
    net_server.route_params("/api/query", {"start": 0, "max_results": 100},
                            Canned.text(api_page(results[:6], 2000, 0), ATOM_TYPE))
    net_server.route_params("/api/query", {"start": 6}, Canned(500))  # never asked: the first page reached the newest seen
    asked = len(net_server.requests)
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, "electron: 3 new, 1 already in the queue (0 merged, 1 unchanged), 0 entries not understood\n"), err
    assert [r.params["start"] for r in net_server.requests[asked:]] == ["0"]
    assert {p["arxiv_id"] for p in listing(capsys)} == {arxiv_id for arxiv_id, _ in results}
