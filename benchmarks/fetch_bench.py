"""Fetching, measured (issue 11's performance targets), on loopback only.

    .venv/bin/python benchmarks/fetch_bench.py [--queue 100000] [--items 2000] [--hosts 20] [--delay 0.2]

1. ``hosts`` feed subscriptions on as many loopback hosts (127.0.0.1,
   127.0.0.2, ...), each answering after ``delay`` seconds: the time of
   ``fetch`` of all of them over the slowest single fetch (each alone, in a
   fresh queue). Target: at most 2x.
2. An arXiv RSS day of ``items`` items parsed and imported into a queue of
   ``queue`` papers, from the answer held in memory (the network's cost
   left out), over ``paperqueue import`` of the same file from disk into
   the same queue. Target: at most 2x.

Each ratio is the median of 3 runs; the queue is copied afresh for each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

DAY = date(2025, 3, 4)


def rss_day(count: int, first: int = 10001, seed: int = 7) -> bytes:
    """An rss.arxiv.org day: ``count`` new announcements of cs.CL."""
    items = []
    for n, (title, abstract) in enumerate(synth.papers(count, seed)):
        arxiv_id = f"2503.{first + n:05d}"
        items.append(
            f"<item><title>{escape(title)}</title><link>https://arxiv.org/abs/{arxiv_id}</link>"
            f"<description>arXiv:{arxiv_id}v1 Announce Type: new \nAbstract: {escape(abstract)}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v1</guid><category>cs.CL</category>'
            f"<pubDate>Tue, 04 Mar 2025 00:00:00 -0500</pubDate><arxiv:announce_type>new</arxiv:announce_type>"
            f"<dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>"
            f"<dc:creator>Ada Lovelace, Alan Turing</dc:creator></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">'
        "<channel><title>cs.CL updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs.CL</link>"
        "<description>cs.CL updates on the arXiv.org e-print archive.</description><language>en-us</language>"
        "<lastBuildDate>Tue, 04 Mar 2025 00:00:00 -0500</lastBuildDate>"
        "<pubDate>Tue, 04 Mar 2025 00:00:00 -0500</pubDate>" + "".join(items) + "</channel></rss>"
    ).encode()


def plain_feed(host: int, count: int = 20) -> bytes:
    items = "".join(
        f"<item><title>Feed {host} paper {n}: {escape(title[:60])}</title>"
        f"<link>https://example.org/{host}/{n}</link><description>{escape(abstract[:400])}</description></item>"
        for n, (title, abstract) in enumerate(synth.papers(count, 100 + host))
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {host}</title>'
            f"<link>https://example.org/{host}</link><description>d</description>{items}</channel></rss>").encode()


class _Slow(BaseHTTPRequestHandler):
    body = b""
    delay = 0.2

    def do_GET(self) -> None:  # noqa: N802
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def start_hosts(count: int, delay: float) -> list[tuple[ThreadingHTTPServer, str]]:
    servers = []
    for n in range(count):
        handler = type(f"Host{n}", (_Slow,), {"body": plain_feed(n), "delay": delay})
        server = ThreadingHTTPServer((f"127.0.0.{n + 1}", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, f"http://127.0.0.{n + 1}:{server.server_address[1]}/feed.xml"))
    return servers


def fetch_in(home: Path, urls: list[str], names: list[str] | None) -> float:
    from paperqueue.core import fetching
    from paperqueue.core.history import History
    from paperqueue.core.net.client import Client
    from paperqueue.core.store import Store
    from paperqueue.core.subscriptions import Subscription, Subscriptions
    from paperqueue.core.writer import Writer

    if home.exists():
        shutil.rmtree(home)
    book = Subscriptions(home)
    for n, url in enumerate(urls):
        book.add(Subscription(f"feed{n}", "feed", {"url": url}))
    with Store.open(home) as store, Client(home) as client:
        writer = Writer(store, History(store.home))
        started = time.perf_counter()
        lines = fetching.fetch_all(store, client, names, writer=writer, today=DAY)
        took = time.perf_counter() - started
    bad = [line.text for line in lines if not line.ok]
    if bad:
        raise SystemExit(f"a fetch failed: {bad[0]}")
    return took


def bench_hosts(work: Path, hosts: int, delay: float) -> tuple[float, float, float]:
    servers = start_hosts(hosts, delay)
    urls = [url for _server, url in servers]
    try:
        ratios, alls, slowest_all = [], [], []
        for _ in range(3):
            singles = [fetch_in(work / "single", urls, [f"feed{n}"]) for n in range(hosts)]
            together = fetch_in(work / "all", urls, None)
            ratios.append(together / max(singles))
            alls.append(together)
            slowest_all.append(max(singles))
        return statistics.median(ratios), statistics.median(alls), statistics.median(slowest_all)
    finally:
        for server, _url in servers:
            server.shutdown()
            server.server_close()


def make_queue(work: Path, count: int) -> Path:
    from paperqueue.core.importing import import_file
    from paperqueue.core.store import Store

    base = work / f"queue-{count}"
    if not base.exists():
        page = work / f"page-{count}.txt"
        synth.write_page(page, count, 1)
        with Store.open(base) as store:
            import_file(store, page, refresh=False)
    return base


def bench_day(work: Path, queue: int, items: int) -> tuple[float, float, float]:
    from paperqueue.core import fetching, sources
    from paperqueue.core.history import History
    from paperqueue.core.importing import import_file
    from paperqueue.core.net.client import Response
    from paperqueue.core.net.endpoints import endpoints
    from paperqueue.core.store import Store
    from paperqueue.core.writer import Writer

    base = make_queue(work, queue)
    body = rss_day(items)
    day = work / "cs.CL.rss"
    day.write_bytes(body)
    ends = endpoints({})

    def in_memory(url: str, headers=None) -> Response:  # noqa: ANN001
        return Response(url=url, status=200, headers={"content-type": "application/rss+xml; charset=utf-8"}, body=body)

    ratios, nets, disks = [], [], []
    for _ in range(3):
        timings = {}
        for how in ("disk", "net"):
            home = work / f"home-{how}"
            if home.exists():
                shutil.rmtree(home)
            shutil.copytree(base, home)
            with Store.open(home) as store:
                writer = Writer(store, History(store.home))
                started = time.perf_counter()
                if how == "disk":
                    import_file(store, day, name=f"cs.CL {DAY}")
                    writer.record_import("Imported cs.CL", store.last_import)
                    writer.save()
                else:
                    fetched = sources.fetch_arxiv_rss(in_memory, ends, ["cs.CL"], {"new", "cross"}, {})
                    result = fetching.land(store, writer, fetched.papers, "cs.CL", f"cs.CL {DAY}")
                    assert result.new == items, result.summary()
                timings[how] = time.perf_counter() - started
        ratios.append(timings["net"] / timings["disk"])
        nets.append(timings["net"])
        disks.append(timings["disk"])
    return statistics.median(ratios), statistics.median(nets), statistics.median(disks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queue", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (it caches the queue)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="pq-fetch-bench-"))
    os.environ["PAPERQUEUE_HOME"] = str(work / "unused")
    try:
        ratio, together, slowest = bench_hosts(work, args.hosts, args.delay)
        ok = "ok" if ratio <= 2.0 else "MISSED"
        print(f"fetch of {args.hosts} subscriptions on {args.hosts} loopback hosts answering after {args.delay * 1000:.0f} ms: "
              f"{together * 1000:.0f} ms, slowest single fetch {slowest * 1000:.0f} ms: {ratio:.2f}x (target <= 2.0x) {ok}")
        ratio, net, disk = bench_day(work, args.queue, args.items)
        ok = "ok" if ratio <= 2.0 else "MISSED"
        print(f"arXiv RSS day of {args.items:,} items into a {args.queue:,}-paper queue: from the answer {net * 1000:.0f} ms, "
              f"the same file from disk {disk * 1000:.0f} ms: {ratio:.2f}x (target <= 2.0x) {ok}")
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
