"""Full texts and PDFs from a loopback server: a real arXiv HTML page, a
paper without HTML (404, or an error page with status 200) falling back to
its PDF, a truncated PDF, a 150 MB answer, a slow server, no server; what
lands in the cache, and what never does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fulltext_server import PDF, REAL, html_answer, make_pdf, pdf_answer  # noqa: F401 - REAL, make_pdf: other tests import them from here
from net_server import Canned, NetServer, closed_port_url, net_server, net_server_factory, serve_sources  # noqa: F401 - fixtures

from paperqueue.core.fulltext import (
    FullTextCache,
    FullTextError,
    FullTextIndex,
    PaperRef,
    fetch_pdf,
    full_text,
)
from paperqueue.core.net.client import Client

SRC = Path(__file__).resolve().parents[1] / "src"
ATTENTION = PaperRef("arxiv:1706.03762", "1706.03762")
OTHER = PaperRef("arxiv:2401.00001", "2401.00001")


@pytest.fixture
def client(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> Client:
    serve_sources(monkeypatch, net_server, delay=0.01)
    made = Client(pq_home, timeout=2.0, connect_timeout=2.0, retries=0, sleep=lambda _s: None)
    yield made
    made.close()


def cache_files(cache: FullTextCache) -> list[str]:
    return sorted(name for name in os.listdir(cache.folder) if not name.startswith("search.sqlite")) if cache.folder.exists() else []


def test_html_version_becomes_the_text_cached_and_searchable(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/html/1706.03762", html_answer())
    cache = FullTextCache(pq_home)
    got = full_text(client, cache, ATTENTION)
    assert got.source == "html" and not got.cached
    assert got.note.startswith("From arXiv's HTML version")
    assert "3.2.1 Scaled Dot-Product Attention" in got.text.split("\n")
    assert net_server.requests_to("/pdf/1706.03762") == []
    # cached: a second read fetches nothing
    again = full_text(client, cache, ATTENTION)
    assert again.cached and again.text == got.text and again.source == "html"
    assert len(net_server.requests_to("/html/1706.03762")) == 1
    # and the body joins search
    assert FullTextIndex(cache.index_path).search("sinusoidal") == set()  # not in the trimmed page
    assert FullTextIndex(cache.index_path).search("multi-head attention") == {"arxiv:1706.03762"}
    assert FullTextIndex(cache.index_path).search("Polosukhin") == {"arxiv:1706.03762"}


def test_requests_go_through_the_arxiv_gate(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/html/1706.03762", html_answer())
    full_text(client, FullTextCache(pq_home), ATTENTION)
    assert (pq_home / "arxiv.gate").exists()
    assert net_server.requests_to("/html/1706.03762")[0].headers["user-agent"].startswith("paperqueue/")


def test_without_html_the_pdf_text_and_the_pdf_stays_cached(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/pdf/2401.00001", pdf_answer())  # /html/... answers 404
    cache = FullTextCache(pq_home)
    got = full_text(client, cache, OTHER)
    assert got.source == "pdf"
    assert got.note == "Text extracted from the PDF (no HTML version: HTTP 404)"
    assert "The okapi estimator converges." in got.text
    assert cache.has_pdf(OTHER.key)
    # P after F opens the PDF at once
    path, fetched = fetch_pdf(client, cache, OTHER)
    assert path == cache.pdf_path(OTHER.key) and not fetched
    assert len(net_server.requests_to("/pdf/2401.00001")) == 1
    assert FullTextIndex(cache.index_path).search("okapi") == {OTHER.key}


def test_an_error_page_with_status_200_counts_as_no_html(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/html/2401.00001", Canned.html_error())
    net_server.route("/pdf/2401.00001", pdf_answer())
    got = full_text(client, FullTextCache(pq_home), OTHER)
    assert got.source == "pdf" and "not an arXiv paper" in got.note
    assert "okapi" in got.text


def test_pdf_download_reports_progress(pq_home: Path, net_server: NetServer, client: Client) -> None:
    body = make_pdf("progress " * 3000)
    net_server.route("/pdf/2401.00001", pdf_answer(body))
    seen: list[tuple[int, int | None]] = []
    path, fetched = fetch_pdf(client, FullTextCache(pq_home), OTHER, lambda done, total: seen.append((done, total)))
    assert fetched and path.read_bytes() == body
    assert seen[0] == (0, len(body)) and seen[-1] == (len(body), len(body))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_source_pdf_link_is_used_only_without_an_arxiv_id(
    pq_home: Path, net_server: NetServer, net_server_factory, client: Client,  # noqa: ANN001, F811
) -> None:
    elsewhere = net_server_factory()
    elsewhere.route("/files/paper.pdf", pdf_answer())
    net_server.route("/pdf/2401.00001", pdf_answer())
    cache = FullTextCache(pq_home)
    fetch_pdf(client, cache, PaperRef(OTHER.key, OTHER.arxiv_id, elsewhere.url_for("/files/paper.pdf")))
    assert elsewhere.requests == [] and len(net_server.requests_to("/pdf/2401.00001")) == 1
    fetch_pdf(client, cache, PaperRef("doi:10.1/x", None, elsewhere.url_for("/files/paper.pdf")))
    assert len(elsewhere.requests_to("/files/paper.pdf")) == 1
    with pytest.raises(FullTextError, match="no PDF is known"):
        fetch_pdf(client, cache, PaperRef("title:x", None, None))


def test_a_truncated_pdf_is_refused_and_leaves_nothing(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/pdf/2401.00001", Canned.truncated(PDF[: len(PDF) // 2], len(PDF), "application/pdf"))
    cache = FullTextCache(pq_home)
    with pytest.raises(FullTextError) as raised:
        fetch_pdf(client, cache, OTHER)
    message = str(raised.value)
    assert "cut short" in message and "\n" not in message
    assert cache_files(cache) == []


def test_a_150_mb_answer_is_refused_not_cut(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/pdf/2401.00001", Canned.streamed(150 * 1024 * 1024, "application/pdf"))
    cache = FullTextCache(pq_home)
    with pytest.raises(FullTextError) as raised:
        fetch_pdf(client, cache, OTHER)
    assert str(raised.value).endswith("larger than 100 MB")
    assert cache_files(cache) == []


def test_a_declared_length_over_the_cap_is_refused_before_reading(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/pdf/2401.00001", Canned(200, b"%PDF-1.4", {"Content-Type": "application/pdf"}, claimed_length=101 * 1024 * 1024))
    cache = FullTextCache(pq_home)
    with pytest.raises(FullTextError, match="larger than 100 MB"):
        fetch_pdf(client, cache, OTHER)
    assert cache_files(cache) == []


def test_an_answer_that_is_not_a_pdf_is_refused(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/pdf/2401.00001", Canned.html_error())
    cache = FullTextCache(pq_home)
    with pytest.raises(FullTextError, match="not a PDF"):
        fetch_pdf(client, cache, OTHER)
    assert cache_files(cache) == []


def test_a_slow_server_is_a_one_line_error(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_sources(monkeypatch, net_server, delay=0.01)
    net_server.route("/html/2401.00001", Canned.hang_forever())
    cache = FullTextCache(pq_home)
    with Client(pq_home, timeout=0.3, connect_timeout=0.3, retries=0) as slow:
        with pytest.raises(FullTextError) as raised:
            full_text(slow, cache, OTHER)
    assert str(raised.value) == f"{net_server.url}/html/2401.00001: timed out"
    assert net_server.requests_to("/pdf/2401.00001") == []  # a timeout is not "no HTML version"
    assert cache_files(cache) == []


def test_offline_is_a_one_line_error(pq_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = closed_port_url("").rstrip("/")
    monkeypatch.setenv("PAPERQUEUE_ARXIV_WEB", base)
    monkeypatch.setenv("PAPERQUEUE_ARXIV_DELAY", "0.01")
    cache = FullTextCache(pq_home)
    with Client(pq_home, retries=0) as offline:
        with pytest.raises(FullTextError) as raised:
            full_text(offline, cache, OTHER)
        assert str(raised.value) == f"{base}/html/2401.00001: connection refused"
        with pytest.raises(FullTextError, match="connection refused"):
            fetch_pdf(offline, cache, OTHER)
    assert cache_files(cache) == []


def test_stopping_a_download_from_its_progress_leaves_nothing(pq_home: Path, net_server: NetServer, client: Client) -> None:
    net_server.route("/pdf/2401.00001", Canned.streamed(5 * 1024 * 1024, "application/pdf"))
    cache = FullTextCache(pq_home)

    class Stop(Exception):
        pass

    def stop(done: int, _total: int | None) -> None:
        if done > 1024 * 1024:
            raise Stop

    with pytest.raises(Stop):
        fetch_pdf(client, cache, OTHER, stop)
    assert cache_files(cache) == []


def test_a_killed_download_leaves_no_half_pdf(pq_home: Path, net_server: NetServer) -> None:
    net_server.route("/pdf/2401.00001", Canned.dripped(10_000, 0.01))  # never finishes in the test's time
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(SRC)!r})
        from pathlib import Path
        from paperqueue.core.fulltext import FullTextCache, PaperRef, fetch_pdf
        from paperqueue.core.net.client import Client
        def progress(done, total):
            if done:
                print("started", flush=True)
        fetch_pdf(Client(Path({str(pq_home)!r}), retries=0), FullTextCache(Path({str(pq_home)!r})), PaperRef("arxiv:2401.00001", "2401.00001"), progress)
    """)
    env = {**os.environ, "PAPERQUEUE_ARXIV_WEB": net_server.url, "PAPERQUEUE_ARXIV_DELAY": "0.01"}
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        child.kill()
    finally:
        child.wait(10)
    cache = FullTextCache(pq_home)
    assert not cache.has_pdf("arxiv:2401.00001")
    parts = [name for name in os.listdir(cache.folder) if name.endswith(".part")]
    assert len(parts) == 1 and parts[0].startswith(".")  # hidden, and never under the PDF's name
    assert cache.sweep_parts(older_than=0.0)
    assert cache_files(cache) == []


def test_the_cap_evicts_the_least_recently_opened_and_their_search_entries(pq_home: Path, net_server: NetServer, client: Client) -> None:
    first = make_pdf("first paper about wombats " * 20)
    second = make_pdf("second paper about quokkas " * 20)
    net_server.route("/pdf/2401.00001", pdf_answer(first))
    net_server.route("/pdf/2401.00002", pdf_answer(second))
    cache = FullTextCache(pq_home, cap=len(first) + len(second))
    got = full_text(client, cache, OTHER)
    assert got.source == "pdf"
    for path in (cache.pdf_path(OTHER.key), cache.text_path(OTHER.key)):
        os.utime(path, (time.time() - 3600, time.time() - 3600))  # opened an hour ago
    full_text(client, cache, PaperRef("arxiv:2401.00002", "2401.00002"))
    index = FullTextIndex(cache.index_path)
    assert not cache.has_pdf(OTHER.key) and not cache.has_text(OTHER.key)
    assert cache.has_pdf("arxiv:2401.00002") and cache.has_text("arxiv:2401.00002")
    assert index.search("wombats") == set() and index.search("quokkas") == {"arxiv:2401.00002"}
    assert cache.size().files_bytes <= cache.cap


def test_a_gzip_encoded_pdf_is_saved_decoded(pq_home: Path, net_server: NetServer, client: Client) -> None:
    import gzip

    net_server.route("/pdf/2401.00001", Canned(200, gzip.compress(PDF), {"Content-Type": "application/pdf", "Content-Encoding": "gzip"}))
    path, fetched = fetch_pdf(client, FullTextCache(pq_home), OTHER)
    assert fetched and path.read_bytes() == PDF


def test_a_gzip_bomb_is_refused_at_the_cap(pq_home: Path, net_server: NetServer, client: Client) -> None:
    bomb = Canned.gzip_bomb(150 * 1024 * 1024)
    bomb.headers["Content-Type"] = "application/pdf"
    net_server.route("/pdf/2401.00001", bomb)
    cache = FullTextCache(pq_home)
    with pytest.raises(FullTextError, match="larger than 100 MB"):
        fetch_pdf(client, cache, OTHER)
    assert cache_files(cache) == []
