"""paperqueue fetch end to end on the loopback address: the real client,
the real sources, the store after each bad day."""

from __future__ import annotations

from pathlib import Path

import pytest

from net_server import Canned, closed_port_url, net_server, serve_sources  # noqa: F401 - fixtures
from paperqueue.cli import main
from paperqueue.core.store import Store
from paperqueue.core.subscriptions import Subscriptions

RSS_DAY = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
<channel><title>cs.CL updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs.CL</link>
<description>cs.CL updates on the arXiv.org e-print archive.</description>
<pubDate>Tue, 04 Mar 2025 00:00:00 -0500</pubDate>
%s
</channel></rss>"""
ITEM = """<item><title>Paper %(id)s</title><link>https://arxiv.org/abs/%(id)s</link>
<description>arXiv:%(id)sv1 Announce Type: %(type)s
Abstract: The abstract of %(id)s.</description>
<guid isPermaLink="false">oai:arXiv.org:%(id)sv1</guid><category>cs.CL</category>
<pubDate>Tue, 04 Mar 2025 00:00:00 -0500</pubDate><arxiv:announce_type>%(type)s</arxiv:announce_type>
<dc:creator>Ada Lovelace</dc:creator></item>"""


def day(*items: tuple[str, str]) -> str:
    return RSS_DAY % "".join(ITEM % {"id": i, "type": t} for i, t in items)


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>https://example.org/</link>
<description>d</description><item><title>A post about a paper</title><link>https://example.org/post-1</link>
<description>Some text.</description></item></channel></rss>"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def keys(home: Path) -> set[str]:
    with Store.open(home, lock=False) as store:
        return {p.arxiv_id or p.title for p in store.ordered_papers()}


def test_an_arxiv_day_lands_then_304_is_not_modified(pq_home: Path, capsys, net_server, monkeypatch) -> None:  # noqa: F811
    serve_sources(monkeypatch, net_server)
    net_server.route("/rss/cs.CL", Canned.text(
        day(("2503.00001", "new"), ("2503.00002", "cross"), ("2503.00003", "replace")),
        "application/rss+xml; charset=utf-8", ETag='"v1"'), Canned(304))
    run(capsys, "subscribe", "arxiv", "cs.CL")
    code, out, err = run(capsys, "fetch")
    assert code == 0, err
    assert out == "cs.CL: 2 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood\n"
    assert keys(pq_home) == {"2503.00001", "2503.00002"}
    code, out, err = run(capsys, "fetch")
    assert (code, out) == (0, "cs.CL: not modified (0 new)\n"), err
    first, second = net_server.requests
    assert first.headers["user-agent"].startswith("paperqueue/")
    assert second.headers.get("if-none-match") == '"v1"'


@pytest.mark.parametrize("bad", ["html", "truncated", "closed"])
def test_a_bad_day_lands_nothing_for_that_subscription_and_the_others_land(
    pq_home: Path, capsys, net_server, monkeypatch, bad: str  # noqa: F811
) -> None:
    serve_sources(monkeypatch, net_server)
    body = day(("2503.00001", "new")).encode()
    answer = {"html": Canned.html_error(), "truncated": Canned.truncated(body, len(body) + 500)}.get(bad)
    url = net_server.url + "/feed.xml" if answer is not None else closed_port_url("/feed.xml")
    net_server.route("/rss/cs.CL", answer or Canned.text(body, "application/rss+xml"))
    net_server.route("/feed.xml", Canned.text(FEED, "application/rss+xml"))
    run(capsys, "subscribe", "arxiv", "cs.CL")
    run(capsys, "subscribe", "feed", url, "--name", "blog")
    code, out, err = run(capsys, "fetch")
    assert code == 1, (out, err)
    lines = out.splitlines()
    failed = lines[0] if bad != "closed" else lines[1]
    assert ": failed, nothing imported: http://127.0.0.1:" in failed
    landed = {"html": {"A post about a paper"}, "truncated": {"A post about a paper"}, "closed": {"2503.00001"}}[bad]
    assert keys(pq_home) == landed
    name = "blog" if bad == "closed" else "cs.CL"
    assert Subscriptions(pq_home).get(name).last_error
