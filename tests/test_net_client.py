"""The HTTP client against a loopback server: good answers and the bad days."""

from __future__ import annotations

import gzip
import threading
import tomllib
import tracemalloc
import zlib
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from net_server import Canned, NetServer, closed_port_url, net_server, net_server_factory  # noqa: F401 - fixtures

from paperqueue import __version__
from paperqueue.core.net import Client, FetchError, Response
from paperqueue.core.net.endpoints import Endpoints

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
NOW = datetime(2026, 5, 4, 13, 0, 0, tzinfo=timezone.utc).timestamp()


class Sleeps(list):
    """A ``sleep`` that records how long it was asked to wait, and does not."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(home: Path, sleeps: Sleeps | None = None, **options) -> Client:
    # Endpoints() are arXiv's own: loopback requests are never "to arXiv" here.
    return Client(home, endpoints=Endpoints(), sleep=sleeps if sleeps is not None else Sleeps(), **options)


def test_a_200_gives_the_body_the_final_url_and_lower_case_headers(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/feed", Canned.text("<rss/>", "application/rss+xml; charset=utf-8", ETag='"v1"', Last_Modified="Mon, 04 May 2026 12:00:00 GMT"))
    with client(pq_home) as http:
        answer = http.get(url)
    assert answer.status == 200 and answer.url == url and not answer.not_modified
    assert answer.body == b"<rss/>" and answer.text() == "<rss/>"
    assert answer.headers["etag"] == '"v1"'
    assert answer.headers["last-modified"] == "Mon, 04 May 2026 12:00:00 GMT"
    assert answer.headers["content-type"].startswith("application/rss+xml")


def test_every_request_says_who_it_is_from_and_asks_for_gzip(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/feed", Canned.text("ok"))
    with client(pq_home) as http:
        http.get(url)
    sent = net_server.requests[0].headers
    homepage = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Homepage"]
    assert sent["user-agent"] == f"paperqueue/{__version__} (+{homepage})"
    assert "gzip" in sent["accept-encoding"]


def test_cookies_a_server_sets_are_never_sent_back(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/feed", Canned(200, b"ok", {"Set-Cookie": "track=me; Path=/"}))
    with client(pq_home) as http:
        http.get(url)
        http.get(url)
    assert "cookie" not in net_server.requests[1].headers


def test_conditional_headers_are_sent_and_a_304_is_an_answer_not_an_error(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/feed", Canned(304, headers={"ETag": '"v1"'}))
    with client(pq_home) as http:
        answer = http.get(url, {"If-None-Match": '"v1"', "If-Modified-Since": "Mon, 04 May 2026 12:00:00 GMT"})
    assert answer.not_modified and answer.status == 304 and answer.body == b""
    sent = net_server.requests[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 04 May 2026 12:00:00 GMT"


def test_text_follows_the_charset_and_replaces_what_does_not_decode(pq_home: Path, net_server: NetServer) -> None:
    latin = net_server.route("/latin", Canned.text("Gödel".encode("latin-1"), "text/plain; charset=ISO-8859-1"))
    broken = net_server.route("/broken", Canned.text(b"caf\xe9 \xff", "text/plain"))
    odd = net_server.route("/odd", Canned.text("Gödel".encode(), 'text/plain; charset="no-such-charset"'))
    with client(pq_home) as http:
        assert http.get(latin).text() == "Gödel"
        assert http.get(broken).text() == "caf\ufffd \ufffd"
        assert http.get(odd).text() == "Gödel"


def test_gzip_and_deflate_bodies_arrive_decoded(pq_home: Path, net_server: NetServer) -> None:
    text = b"<feed>" + b"<entry/>" * 1000 + b"</feed>"
    zipped = net_server.route("/gz", Canned(200, gzip.compress(text), {"Content-Encoding": "gzip"}))
    wrapped = net_server.route("/deflate", Canned(200, zlib.compress(text), {"Content-Encoding": "deflate"}))
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    bare = net_server.route("/raw-deflate", Canned(200, raw.compress(text) + raw.flush(), {"Content-Encoding": "deflate"}))
    with client(pq_home) as http:
        assert http.get(zipped).body == text
        assert http.get(wrapped).body == text
        assert http.get(bare).body == text


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 500, 502])
def test_an_error_status_is_one_line_naming_the_url(pq_home: Path, net_server: NetServer, status: int) -> None:
    url = net_server.route("/gone", Canned(status, b"<html>nope</html>"))
    sleeps = Sleeps()
    with client(pq_home, sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert str(caught.value) == f"{url}: HTTP {status}"
    assert caught.value.url == url and caught.value.reason == f"HTTP {status}" and caught.value.retry_at is None
    assert len(net_server.requests) == 1 and sleeps == []  # not retried


def test_a_200_with_an_html_error_page_is_handed_over_for_the_source_to_judge(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/rss/cs.CL", Canned.html_error())
    with client(pq_home) as http:
        answer = http.get(url)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/html")
    assert b"Try again later" in answer.body


def test_a_429_with_retry_after_one_second_is_tried_again_after_that_second(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/api", Canned(429, headers={"Retry-After": "1"}), Canned.text("ok"))
    sleeps = Sleeps()
    with client(pq_home, sleeps) as http:
        assert http.get(url).body == b"ok"
    assert sleeps == [1.0]
    assert len(net_server.requests) == 2


def test_a_503_then_a_200_is_an_answer_after_a_short_backoff(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/api", Canned(503), Canned.text("ok"))
    sleeps = Sleeps()
    with client(pq_home, sleeps) as http:
        assert http.get(url).body == b"ok"
    assert len(sleeps) == 1 and 0.5 <= sleeps[0] <= 1.0


def test_a_server_that_keeps_failing_is_tried_three_more_times_with_growing_waits(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/api", Canned(503))
    sleeps = Sleeps()
    with client(pq_home, sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "HTTP 503 (tried 4 times)"
    assert len(net_server.requests) == 4
    assert len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0 and 2.0 <= sleeps[2] <= 4.0


def test_retries_can_be_turned_down(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/api", Canned(429))
    with client(pq_home, retries=0) as http, pytest.raises(FetchError, match=r": HTTP 429$"):
        http.get(url)
    assert len(net_server.requests) == 1


def test_a_retry_after_beyond_a_minute_gives_up_at_once_saying_when(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/api", Canned(429, headers={"Retry-After": "3900"}))
    sleeps = Sleeps()
    with client(pq_home, sleeps, clock=lambda: NOW) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "HTTP 429, retry after 14:05 UTC"
    assert caught.value.retry_at == datetime(2026, 5, 4, 14, 5, tzinfo=timezone.utc)
    assert str(caught.value) == f"{url}: HTTP 429, retry after 14:05 UTC"
    assert sleeps == [] and len(net_server.requests) == 1


def test_the_time_to_retry_is_never_said_too_early(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/api", Canned(429, headers={"Retry-After": "3920"}))
    with client(pq_home, clock=lambda: NOW) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "HTTP 429, retry after 14:06 UTC"  # 14:05:20


def test_a_retry_after_date_is_understood(pq_home: Path, net_server: NetServer) -> None:
    tomorrow = datetime(2026, 5, 5, 9, 30, tzinfo=timezone.utc)
    soon = datetime(2026, 5, 4, 13, 0, 20, tzinfo=timezone.utc)
    later = net_server.route("/later", Canned(503, headers={"Retry-After": format_datetime(tomorrow, usegmt=True)}))
    shortly = net_server.route("/shortly", Canned(503, headers={"Retry-After": format_datetime(soon, usegmt=True)}), Canned.text("ok"))
    sleeps = Sleeps()
    with client(pq_home, sleeps, clock=lambda: NOW) as http:
        with pytest.raises(FetchError) as caught:
            http.get(later)
        assert caught.value.reason == "HTTP 503, retry after 2026-05-05 09:30 UTC"
        assert caught.value.retry_at == tomorrow
        assert http.get(shortly).body == b"ok"
    assert sleeps == [20.0]


def test_a_body_cut_short_is_refused_not_retried(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/rss/cs.LG", Canned.truncated(b"<rss><channel><item>half", claimed=5000))
    sleeps = Sleeps()
    with client(pq_home, sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "cut short (24 of 5000 bytes arrived)"
    assert len(net_server.requests) == 1 and sleeps == []


def test_a_gzip_body_cut_short_is_refused(pq_home: Path, net_server: NetServer) -> None:
    packed = gzip.compress(b"<feed>" + b"<entry>x</entry>" * 5000 + b"</feed>")
    url = net_server.route("/feed", Canned(200, packed[: len(packed) // 2], {"Content-Encoding": "gzip"}))
    with client(pq_home) as http, pytest.raises(FetchError, match="cut short"):
        http.get(url)


def test_a_body_that_is_not_the_gzip_it_claims_is_refused(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/feed", Canned(200, b"<rss>plain text</rss>", {"Content-Encoding": "gzip"}))
    with client(pq_home) as http, pytest.raises(FetchError, match=r": body is not valid gzip$"):
        http.get(url)


def test_an_encoding_we_did_not_ask_for_is_refused(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/feed", Canned(200, b"\x00\x01", {"Content-Encoding": "br"}))
    with client(pq_home) as http, pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
        http.get(url)


def _peak_while(action) -> int:
    tracemalloc.start()
    try:
        action()
    finally:
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_a_60_mb_body_is_refused_holding_no_more_than_the_cap(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/big", Canned.streamed(60 * MB))
    caught: list[FetchError] = []

    def fetch() -> None:
        with client(pq_home) as http:
            try:
                http.get(url)
            except FetchError as error:
                caught.append(error)

    peak = _peak_while(fetch)
    assert [error.reason for error in caught] == ["larger than 50 MB"]
    assert peak < 50 * MB + 2 * MB  # the cap, one read and the client: never the 60 MB


def test_a_declared_length_over_the_cap_is_refused_before_reading(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/declared", Canned(200, b"x" * 2000))
    with client(pq_home, max_bytes=1000) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "larger than 1000 bytes"


def test_a_gzip_bomb_is_refused_holding_no_more_than_the_cap(pq_home: Path, net_server: NetServer) -> None:
    bomb = Canned.gzip_bomb(60 * MB)
    assert len(bomb.body) < MB  # small on the wire
    url = net_server.route("/bomb", bomb)
    caught: list[FetchError] = []

    def fetch() -> None:
        with client(pq_home) as http:
            try:
                http.get(url)
            except FetchError as error:
                caught.append(error)

    peak = _peak_while(fetch)
    assert [error.reason for error in caught] == ["larger than 50 MB"]
    assert peak < 50 * MB + 2 * MB


def test_a_body_of_exactly_the_cap_is_accepted(pq_home: Path, net_server: NetServer) -> None:
    exact = net_server.route("/exact", Canned.streamed(3000))
    packed = net_server.route("/packed", Canned(200, gzip.compress(b"y" * 3000), {"Content-Encoding": "gzip"}))
    over = net_server.route("/over", Canned(200, gzip.compress(b"y" * 3001), {"Content-Encoding": "gzip"}))
    with client(pq_home, max_bytes=3000) as http:
        assert len(http.get(exact).body) == 3000
        assert http.get(packed).body == b"y" * 3000
        with pytest.raises(FetchError, match="larger than 3000 bytes"):
            http.get(over)


def test_redirects_are_followed_and_the_final_url_reported(pq_home: Path, net_server: NetServer) -> None:
    final = net_server.route("/new/feed", Canned.text("moved here"))
    start = net_server.route("/old/feed", Canned.redirect("/new/feed", 301))
    with client(pq_home) as http:
        answer = http.get(start, {"If-None-Match": '"v1"'})
    assert answer.body == b"moved here" and answer.url == final
    assert net_server.requests[1].headers["if-none-match"] == '"v1"'


def test_five_redirects_are_followed_and_a_sixth_is_refused(pq_home: Path, net_server: NetServer) -> None:
    for hop in range(6):
        net_server.route(f"/hop{hop}", Canned.redirect(f"/hop{hop + 1}"))
    net_server.route("/hop6", Canned.text("end"))
    with client(pq_home) as http:
        assert http.get(net_server.url_for("/hop1")).body == b"end"  # 5 redirects
        with pytest.raises(FetchError) as caught:
            http.get(net_server.url_for("/hop0"))  # 6
    assert caught.value.reason == "too many redirects"


def test_a_redirect_loop_stops_after_five_hops(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/loop", Canned.redirect("/loop"))
    with client(pq_home) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert str(caught.value) == f"{url}: too many redirects"
    assert len(net_server.requests) == 6


@pytest.mark.parametrize("url", ["ftp://example.org/feed.xml", "file:///etc/passwd", "javascript:alert(1)", "/relative/path"])
def test_only_http_and_https_are_fetched(pq_home: Path, url: str) -> None:
    with client(pq_home) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "not http or https"


def test_a_redirect_to_another_scheme_is_refused(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/feed", Canned.redirect("file:///etc/passwd"))
    with client(pq_home) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "redirected to file URL: not http or https"


def test_a_refused_connection_is_tried_again_then_reported(pq_home: Path) -> None:
    url = closed_port_url("/rss/cs.CL")
    sleeps = Sleeps()
    with client(pq_home, sleeps) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "connection refused (tried 4 times)"
    assert str(caught.value) == f"{url}: connection refused (tried 4 times)"
    assert len(sleeps) == 3


def test_a_server_that_never_answers_times_out(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/slow", Canned.hang_forever())
    sleeps = Sleeps()
    with client(pq_home, sleeps, timeout=0.3, retries=1) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "timed out (tried 2 times)"
    assert len(net_server.requests) == 2 and len(sleeps) == 1


def test_a_server_dripping_its_answer_is_given_up_on_not_retried(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/drip", Canned.dripped(pieces=200, every=0.05))
    sleeps = Sleeps()
    with client(pq_home, sleeps, timeout=0.1) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "too slow (the answer was not over after 1 s)"
    assert len(net_server.requests) == 1 and sleeps == []


def test_a_timeout_then_an_answer_is_an_answer(pq_home: Path, net_server: NetServer) -> None:
    url = net_server.route("/slow", Canned.hang_forever(), Canned.text("late but fine"))
    with client(pq_home, timeout=0.3) as http:
        assert http.get(url).body == b"late but fine"


def test_a_host_that_cannot_be_found_is_reported_without_retrying(pq_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    sleeps = Sleeps()
    with client(pq_home, sleeps) as http, pytest.raises(FetchError) as caught:
        http.get("http://no-such-host.invalid/feed")
    assert caught.value.reason == "host not found (offline?)"
    assert sleeps == []


def test_threads_share_one_client_and_different_hosts_do_not_wait_for_each_other(pq_home: Path, net_server_factory) -> None:
    servers = [net_server_factory() for _ in range(3)]
    # Each server answers only once all three requests have arrived: a client
    # that sent them one after another would never get an answer.
    meet = threading.Barrier(3, timeout=10)
    urls = [server.route("/feed", Canned(200, f"from {index}".encode(), meet=meet)) for index, server in enumerate(servers)]
    found: dict[int, bytes] = {}
    with client(pq_home, timeout=20) as http:

        def fetch(index: int) -> None:
            found[index] = http.get(urls[index]).body

        threads = [threading.Thread(target=fetch, args=(index,)) for index in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert found == {index: f"from {index}".encode() for index in range(3)}
    assert not meet.broken


def test_response_is_a_plain_dataclass() -> None:
    answer = Response("http://127.0.0.1/x", 304, {"etag": '"a"'}, b"")
    assert answer.not_modified and answer.text() == ""
