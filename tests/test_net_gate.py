"""arXiv's requests: one at a time, at least the delay apart, across threads and processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import mode
from net_server import Canned, NetServer, net_server, net_server_factory, serve_sources  # noqa: F401 - fixtures

from paperqueue.core.net import Client, FetchError
from paperqueue.core.net.client import GATE_FILE

DELAY = 0.3


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def gaps(server: NetServer) -> list[float]:
    times = sorted(request.at for request in server.requests)
    return [later - earlier for earlier, later in zip(times, times[1:])]


def test_a_second_arxiv_request_waits_the_delay_and_others_do_not(pq_home: Path, net_server_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    arxiv, hf = net_server_factory(), net_server_factory()
    serve_sources(monkeypatch, arxiv, delay=DELAY)
    monkeypatch.setenv("PAPERQUEUE_HF_API", hf.url + "/hf")
    rss = arxiv.route("/rss/cs.CL", Canned.text("<rss/>"))
    daily = hf.route("/hf/daily_papers", Canned.text("[]"))
    sleeps = Sleeps()
    with Client(pq_home, sleep=sleeps, clock=lambda: 1_000_000.0) as http:
        assert http.arxiv_delay == DELAY
        http.get(rss)
        assert sleeps == []  # the first one goes at once
        http.get(daily)
        http.get(daily)
        assert sleeps == []  # Hugging Face is not arXiv
        http.get(rss)
        assert sleeps == [pytest.approx(DELAY)]


def test_the_delay_is_counted_from_the_last_arxiv_request_of_any_process(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_sources(monkeypatch, net_server, delay=DELAY)
    url = net_server.route("/api/query", Canned.text("<feed/>"))
    with Client(pq_home, sleep=Sleeps(), clock=lambda: 5_000.0) as earlier:
        earlier.get(url)
    sleeps = Sleeps()
    with Client(pq_home, sleep=sleeps, clock=lambda: 5_000.1) as later:
        later.get(url)
    assert sleeps == [pytest.approx(DELAY - 0.1)]
    sleeps.clear()
    with Client(pq_home, sleep=sleeps, clock=lambda: 6_000.0) as much_later:
        much_later.get(url)
    assert sleeps == []


def test_a_gate_file_that_holds_nonsense_or_a_time_to_come_waits_one_delay(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_sources(monkeypatch, net_server, delay=DELAY)
    url = net_server.route("/api/query", Canned.text("<feed/>"))
    pq_home.mkdir(parents=True)
    for content in (b"\x00\x00garbage", b"99999999999.0\n"):
        (pq_home / GATE_FILE).write_bytes(content)
        sleeps = Sleeps()
        with Client(pq_home, sleep=sleeps, clock=lambda: 1_000.0) as http:
            http.get(url)
        assert sleeps == [pytest.approx(DELAY)]


def test_the_gate_file_is_private_and_never_a_link(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, umask: None) -> None:
    serve_sources(monkeypatch, net_server, delay=0)
    url = net_server.route("/rss/cs.CL", Canned.text("<rss/>"))
    with Client(pq_home) as http:
        http.get(url)
    assert mode(pq_home / GATE_FILE) == 0o600
    (pq_home / GATE_FILE).unlink()
    elsewhere = tmp_path / "not-ours"
    elsewhere.write_text("keep me")
    (pq_home / GATE_FILE).symlink_to(elsewhere)
    with Client(pq_home) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert str(caught.value) == f"{url}: cannot space arXiv requests: {pq_home / GATE_FILE}: is a symbolic link; paperqueue does not write through it"
    assert elsewhere.read_text() == "keep me"
    assert len(net_server.requests) == 1  # the refused one was never sent


def test_threads_take_turns_at_arxiv(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_sources(monkeypatch, net_server, delay=DELAY)
    rss = net_server.route("/rss/cs.CL", Canned.text("<rss/>"))
    api = net_server.route("/api/query", Canned.text("<feed/>"))
    with Client(pq_home) as http:
        threads = [threading.Thread(target=http.get, args=(url,)) for url in (rss, api, rss, api)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(net_server.requests) == 4
    assert min(gaps(net_server)) >= DELAY


def test_retries_and_redirects_to_arxiv_wait_their_turn_too(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_sources(monkeypatch, net_server, delay=DELAY)
    net_server.route("/api/query", Canned(503, headers={"Retry-After": "0"}), Canned.redirect("/api/query2"))
    net_server.route("/api/query2", Canned.text("<feed/>"))
    with Client(pq_home) as http:  # Retry-After: 0, so only the gate waits
        assert http.get(net_server.url_for("/api/query")).body == b"<feed/>"
    assert len(net_server.requests) == 3
    assert min(gaps(net_server)) >= DELAY


CHILD = """
import sys
from pathlib import Path
from paperqueue.core.net import Client

with Client(Path(sys.argv[1])) as http:
    for _ in range(3):
        http.get(sys.argv[2])
"""


def test_two_processes_take_turns_at_arxiv(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_sources(monkeypatch, net_server, delay=DELAY)
    url = net_server.route("/api/query", Canned(200, b"<feed/>", delay=0.05))
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(pq_home), url], env=os.environ.copy()) for _ in range(2)]
    assert [child.wait(timeout=60) for child in children] == [0, 0]
    assert len(net_server.requests) == 6
    # Each request starts at least the delay after the one before it ended.
    assert min(gaps(net_server)) >= DELAY + 0.05
