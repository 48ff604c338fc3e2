"""``paperqueue pdf`` and ``paperqueue read`` against a loopback server:
what lands on standard output and error, the exit codes, what lands in the
cache (and what never does), the requests made; ``paperqueue doctor``'s
line for the cache; :meth:`Client.download`, which the PDF goes through."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fulltext_server import PDF, html_answer, pdf_answer
from net_server import Canned, NetServer, closed_port_url, net_server, net_server_factory, serve_sources  # noqa: F401 - fixtures

from paperqueue import desktop
from paperqueue.cli import main
from paperqueue.commands import fulltext as fulltext_cmd
from paperqueue.core.doctor import human_size
from paperqueue.core.fulltext import FullTextCache, FullTextIndex
from paperqueue.core.importers.record import ParsedPaper
from paperqueue.core.net.client import Client, FetchError
from paperqueue.core.store import Store

SRC = Path(__file__).resolve().parents[1] / "src"
ATTENTION = "arxiv:1706.03762"
OTHER = "arxiv:2401.00001"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def make_queue(home: Path, *papers: ParsedPaper) -> None:
    store = Store.open(home)
    try:
        store.add_papers(list(papers), source="test")
    finally:
        store.close()


def queue_with_attention(home: Path) -> None:
    make_queue(
        home,
        ParsedPaper("Attention Is All You Need", "The Transformer.", "1706.03762"),
        ParsedPaper("A paper known by its DOI", "No arXiv id.", None, doi="10.5555/okapi.1", pdf_url=None),
    )


def cache_files(home: Path) -> list[str]:
    folder = home / "fulltext"
    return sorted(name for name in os.listdir(folder) if not name.startswith("search.sqlite")) if folder.exists() else []


@pytest.fixture
def served(pq_home: Path, net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> NetServer:
    """arXiv's web base on the loopback server; retries without real sleeps."""
    serve_sources(monkeypatch, net_server, delay=0.01)
    monkeypatch.setattr(fulltext_cmd, "_client", lambda home: Client(home, sleep=lambda _s: None))
    return net_server


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was handed to the clipboard (through the real copy, which fails headless)."""
    seen: list[str] = []
    real = desktop.system_copy

    def copy(text: str, timeout: float = 5.0) -> desktop.Outcome:
        seen.append(text)
        return real(text, timeout)

    monkeypatch.setattr(desktop, "system_copy", copy)
    return seen


# -- read ----------------------------------------------------------------------


def test_read_prints_the_html_version_as_text_and_the_note_on_stderr(pq_home: Path, served: NetServer, capsys) -> None:
    queue_with_attention(pq_home)
    served.route("/html/1706.03762", html_answer())
    code, out, err = run(capsys, "read", ATTENTION)
    assert code == 0
    rows = out.splitlines()
    assert "3.2.1 Scaled Dot-Product Attention" in rows  # a heading on its own line
    assert "$$\\mathrm{Attention}(Q,K,V)=\\mathrm{softmax}(\\frac{QK^{T}}{\\sqrt{d_{k}}})V$$ (1)" in rows
    assert "the scaling factor of $\\frac{1}{\\sqrt{d_{k}}}$." in out  # inline math as its LaTeX
    assert out.endswith("\n") and "\x1b" not in out
    assert err == f"From arXiv's HTML version ({served.url}/html/1706.03762)\n"
    assert served.requests_to("/pdf/1706.03762") == []
    # cached and in the full-text index; a second read asks nothing
    assert FullTextIndex(FullTextCache(pq_home).index_path).search("multi-head attention") == {ATTENTION}
    before = len(served.requests)
    assert run(capsys, "read", "1706.03762v7") == (0, out, err)
    assert len(served.requests) == before


def test_an_arxiv_id_names_the_queue_paper_that_has_it_whatever_its_key(pq_home: Path, served: NetServer, capsys) -> None:
    make_queue(pq_home, ParsedPaper("Okapi estimators for everyone", "", None))  # known by its title first
    make_queue(pq_home, ParsedPaper("Okapi estimators for everyone", "", "2401.00002"))  # then its arXiv id came
    assert list(Store.open(pq_home, lock=False).papers) == ["title:okapi-estimators-for-everyone"]
    served.route("/pdf/2401.00002", pdf_answer())
    code, out, err = run(capsys, "read", "https://arxiv.org/pdf/2401.00002v3")
    assert code == 0 and "okapi estimator" in out
    assert FullTextCache(pq_home).has_text("title:okapi-estimators-for-everyone")
    assert not FullTextCache(pq_home).has_text("arxiv:2401.00002")


def test_read_falls_back_to_the_pdf_for_an_arxiv_paper_not_in_the_queue(pq_home: Path, served: NetServer, capsys) -> None:
    served.route("/pdf/2401.00001", pdf_answer())  # /html/2401.00001 answers 404
    code, out, err = run(capsys, "read", "https://arxiv.org/abs/2401.00001v2")
    assert code == 0
    assert "The okapi estimator converges." in out
    assert err == "Text extracted from the PDF (no HTML version: HTTP 404)\n"
    cache = FullTextCache(pq_home)
    assert cache.has_text(OTHER) and cache.has_pdf(OTHER)  # kept for pdf: it opens at once
    assert not (pq_home / "meta.json").exists()  # the queue was only read


def test_read_offline_is_one_line_exit_1_and_nothing_cached(pq_home: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    base = closed_port_url("").rstrip("/")
    monkeypatch.setenv("PAPERQUEUE_ARXIV_WEB", base)
    monkeypatch.setenv("PAPERQUEUE_ARXIV_DELAY", "0.01")
    monkeypatch.setattr(fulltext_cmd, "_client", lambda home: Client(home, sleep=lambda _s: None))
    code, out, err = run(capsys, "read", "2401.00001")
    assert (code, out) == (1, "")
    assert err == f"paperqueue: {base}/html/2401.00001: connection refused (tried 4 times)\n"
    assert cache_files(pq_home) == []
    code, out, err = run(capsys, "pdf", "2401.00001")
    assert (code, out) == (1, "")
    assert err == f"paperqueue: {base}/pdf/2401.00001: connection refused (tried 4 times)\n"
    assert cache_files(pq_home) == []


def test_read_works_while_another_process_holds_the_queue(pq_home: Path, served: NetServer) -> None:
    queue_with_attention(pq_home)
    served.route("/html/1706.03762", html_answer())
    holder = Store.open(pq_home)  # the writer lock, as the app holds it
    try:
        assert not holder.read_only
        env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONIOENCODING": "ascii"}  # UTF-8 out whatever the locale
        done = subprocess.run(
            [sys.executable, "-m", "paperqueue", "read", ATTENTION], env=env, capture_output=True, timeout=120,
        )
        also = subprocess.run(
            [sys.executable, "-m", "paperqueue", "undo"], env=env, capture_output=True, timeout=120, text=True,
        )
    finally:
        holder.close()
    assert done.returncode == 0, done.stderr
    assert "3.2.1 Scaled Dot-Product Attention" in done.stdout.decode("utf-8").splitlines()
    assert done.stderr.decode("utf-8").startswith("From arXiv's HTML version")
    assert also.returncode == 1  # the lock was really held: a writing command is refused


def test_read_of_text_with_escape_sequences_prints_none(pq_home: Path, served: NetServer, capsys) -> None:
    FullTextCache(pq_home).store_text(OTHER, "Title\x1b]52;c;ZXZpbA==\x07\n\nBody \x1b[31mred\x1b[0m text\r\n", "pdf", "Text\x1b[2J note", "")
    code, out, err = run(capsys, "read", OTHER)
    assert code == 0 and served.requests == []
    assert out == "Title\n\nBody red text\n"
    assert err == "Text note\n"


# -- pdf -----------------------------------------------------------------------


def test_pdf_without_a_display_prints_the_cached_path_and_copies_it(pq_home: Path, served: NetServer, capsys, copies: list[str]) -> None:
    queue_with_attention(pq_home)
    served.route("/pdf/1706.03762", pdf_answer())
    code, out, err = run(capsys, "pdf", ATTENTION)
    assert (code, err) == (0, "")  # stderr is not a terminal: no progress; the failed copy says nothing
    path = Path(out.rstrip("\n"))
    assert out.count("\n") == 1 and path == FullTextCache(pq_home).pdf_path(ATTENTION)
    assert path.parent == pq_home / "fulltext" and path.read_bytes() == PDF and PDF.startswith(b"%PDF-")
    assert copies == [str(path)]
    assert cache_files(pq_home) == [path.name]  # no part left beside it


def test_a_second_pdf_uses_the_cache_without_a_request(pq_home: Path, served: NetServer, capsys, copies: list[str]) -> None:
    served.route("/pdf/2401.00001", pdf_answer())
    first = run(capsys, "pdf", "2401.00001")
    asked = len(served.requests)
    assert asked == 1 and first[0] == 0
    served.route("/pdf/2401.00001", Canned(500))
    assert run(capsys, "pdf", "arXiv:2401.00001v1") == first
    assert len(served.requests) == asked


def test_pdf_with_a_display_opens_the_viewer_and_prints_nothing(
    pq_home: Path, served: NetServer, capsys, monkeypatch: pytest.MonkeyPatch,
) -> None:
    served.route("/pdf/2401.00001", pdf_answer())
    opened: list[str] = []
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(desktop, "open_url", lambda url, timeout=15.0: opened.append(url) or desktop.Outcome(True))
    assert run(capsys, "pdf", "2401.00001") == (0, "", "")
    assert opened == [FullTextCache(pq_home).pdf_path(OTHER).as_uri()]
    # no viewer starts: the path all the same, and why on stderr
    monkeypatch.setattr(desktop, "open_url", lambda url, timeout=15.0: desktop.Outcome(False, "no browser could be started"))
    monkeypatch.setattr(desktop, "system_copy", lambda text, timeout=5.0: desktop.Outcome(True))
    code, out, err = run(capsys, "pdf", "2401.00001")
    assert (code, out) == (0, f"{FullTextCache(pq_home).pdf_path(OTHER)}\n")
    assert err == "paperqueue: no viewer could open the PDF (no browser could be started); it is at the path below\n"


def test_pdf_with_only_a_text_browser_named_prints_the_path(
    pq_home: Path, served: NetServer, capsys, monkeypatch: pytest.MonkeyPatch, copies: list[str],
) -> None:
    # $BROWSER=w3m over SSH opens links, but it is no PDF viewer: no display, no viewer
    served.route("/pdf/2401.00001", pdf_answer())
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("BROWSER", "w3m")
    monkeypatch.setattr(desktop, "open_url", lambda url, timeout=15.0: pytest.fail(f"a viewer was started for {url}"))
    assert run(capsys, "pdf", "2401.00001") == (0, f"{FullTextCache(pq_home).pdf_path(OTHER)}\n", "")


def test_a_pdf_over_the_cap_is_refused_in_one_line_and_nothing_written(pq_home: Path, served: NetServer, capsys) -> None:
    served.route("/pdf/2401.00001", Canned(200, b"%PDF-1.4", {"Content-Type": "application/pdf"}, claimed_length=101 * 1024 * 1024))
    code, out, err = run(capsys, "pdf", "2401.00001")
    assert (code, out) == (1, "")
    assert err == f"paperqueue: {served.url}/pdf/2401.00001: larger than 100 MB\n"
    assert cache_files(pq_home) == []


def test_an_http_failure_is_one_line(pq_home: Path, served: NetServer, capsys) -> None:
    served.route("/pdf/2401.00001", Canned(403))
    assert run(capsys, "pdf", "2401.00001") == (1, "", f"paperqueue: {served.url}/pdf/2401.00001: HTTP 403\n")
    assert cache_files(pq_home) == []


@pytest.mark.parametrize("command", ["pdf", "read"])
def test_an_unknown_key_is_exit_2_and_nothing_is_written_or_asked(pq_home: Path, served: NetServer, capsys, command: str) -> None:
    queue_with_attention(pq_home)
    before = sorted(p.relative_to(pq_home) for p in pq_home.rglob("*"))
    code, out, err = run(capsys, command, "title:no-such-paper\x1b[2J")
    assert (code, out) == (2, "")
    assert err == "paperqueue: 'title:no-such-paper' is not a key of the queue, an arXiv id or an arXiv URL\n"
    code, out, err = run(capsys, command, "10.9999/not.here")
    assert (code, out) == (2, "")
    assert err == "paperqueue: no paper with the DOI 10.9999/not.here is in the queue (a DOI is found only there)\n"
    assert sorted(p.relative_to(pq_home) for p in pq_home.rglob("*")) == before
    assert served.requests == []


def test_an_alias_key_resolves_to_the_paper_it_was_folded_into(pq_home: Path, served: NetServer, capsys, copies: list[str]) -> None:
    queue_with_attention(pq_home)
    meta_path = pq_home / "meta.json"
    meta = json.loads(meta_path.read_bytes())
    meta["meta"]["1"]["aliases"] = {"title:attention-is-all-you-need": ATTENTION}  # as a sync's key unification leaves it
    meta_path.write_text(json.dumps(meta))
    served.route("/html/1706.03762", html_answer())
    served.route("/pdf/1706.03762", pdf_answer())
    code, out, _err = run(capsys, "read", "title:attention-is-all-you-need")
    assert code == 0 and "3.2.1 Scaled Dot-Product Attention" in out.splitlines()
    code, out, _err = run(capsys, "pdf", "title:attention-is-all-you-need")
    assert (code, out) == (0, f"{FullTextCache(pq_home).pdf_path(ATTENTION)}\n")  # the live key's file


def test_a_paper_without_an_arxiv_id_uses_its_source_pdf_link(
    pq_home: Path, served: NetServer, net_server_factory, capsys, copies: list[str],  # noqa: ANN001, F811
) -> None:
    elsewhere = net_server_factory()
    elsewhere.route("/files/okapi.pdf", pdf_answer())
    make_queue(pq_home, ParsedPaper("A journal paper", "", None, doi="10.5555/Okapi.2", pdf_url=elsewhere.url_for("/files/okapi.pdf")))
    key = next(iter(Store.open(pq_home, lock=False).papers))
    code, out, err = run(capsys, "pdf", "10.5555/okapi.2")  # DOIs match in any case
    assert (code, err) == (0, "")
    assert Path(out.strip()) == FullTextCache(pq_home).pdf_path(key)
    assert len(elsewhere.requests_to("/files/okapi.pdf")) == 1 and served.requests == []
    code, out, err = run(capsys, "read", key)
    assert code == 0 and "okapi estimator" in out
    assert err == "Text extracted from the PDF (no arXiv id, so no HTML version)\n"


def test_the_download_line_is_drawn_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = fulltext_cmd.DownloadBar("2401.00001", screen)
    bar(0, 3 * 1024 * 1024)
    bar(3 * 1024 * 1024, 3 * 1024 * 1024)
    bar.finish()
    assert screen.getvalue() == (
        "\r2401.00001: downloading the PDF, 0.0 MB of 3.0 MB (0%)\x1b[K"
        "\r2401.00001: downloading the PDF, 3.0 MB of 3.0 MB (100%)\x1b[K"
        "\r\x1b[K"
    )
    piped = io.StringIO()
    quiet = fulltext_cmd.DownloadBar("2401.00001", piped)
    quiet(0, None)
    quiet.finish()
    assert not quiet.enabled and piped.getvalue() == ""


# -- doctor --------------------------------------------------------------------


def test_doctor_shows_the_full_text_cache_apart_from_the_store(pq_home: Path, served: NetServer, capsys, copies: list[str]) -> None:
    queue_with_attention(pq_home)
    code, out, _ = run(capsys, "doctor")
    rows = out.splitlines()
    assert "full texts    0 B (0 PDFs, 0 texts, search index 0 B), cap 2.0 GiB" in rows
    served.route("/pdf/2401.00001", pdf_answer())
    assert run(capsys, "pdf", "2401.00001")[0] == 0
    store = Store.open(pq_home)
    store.set_settings(fulltext_cache_mb=500)
    store.flush()
    store.close()
    code, out, _ = run(capsys, "doctor")
    rows = out.splitlines()
    line = next(row for row in rows if row.startswith("full texts"))
    assert line.startswith("full texts    ") and "(1 PDF, 0 texts, search index 0 B), cap 500.0 MiB" in line
    outside = [p for p in pq_home.rglob("*") if p.is_file() and "fulltext" not in p.relative_to(pq_home).parts]
    size = human_size(sum(p.stat().st_size for p in outside))
    assert f"size on disk  {size} in {len(outside)} files, not counting the full-text cache" in rows


# -- Client.download -----------------------------------------------------------


def test_download_retries_into_an_emptied_sink_and_follows_redirects(pq_home: Path, served: NetServer) -> None:
    served.route("/pdf/a", Canned.redirect("/pdf/b"))
    # a 503, then a body that stalls after its first bytes (a timeout, retried), then the PDF
    served.route("/pdf/b", Canned(503, b"busy " * 1000), Canned.dripped(3, 1.0), pdf_answer())
    sink = io.BytesIO(b"left over from before" * 1000)
    seen: list[tuple[int, int | None]] = []
    with Client(pq_home, timeout=0.3, sleep=lambda _s: None) as client:
        final = client.download(
            f"{served.url}/pdf/a", sink, max_bytes=len(PDF), headers={"Accept": "application/pdf"},
            progress=lambda done, total: seen.append((done, total)),
        )
    assert final == f"{served.url}/pdf/b" and sink.getvalue() == PDF
    assert [r.path for r in served.requests] == ["/pdf/a", "/pdf/b"] * 3
    assert (1, None) in seen and seen[-1] == (len(PDF), len(PDF))  # the stalled try's byte, then the whole PDF
    assert served.requests[-1].headers["accept"] == "application/pdf"


def test_download_refuses_past_its_cap_and_a_304(pq_home: Path, served: NetServer) -> None:
    served.route("/big", Canned.streamed(3 * 1024 * 1024))
    served.route("/same", Canned(304))
    with Client(pq_home, sleep=lambda _s: None) as client:
        with pytest.raises(FetchError, match="larger than 1 MB"):
            client.download(f"{served.url}/big", io.BytesIO(), max_bytes=1024 * 1024)
        with pytest.raises(FetchError, match="HTTP 304"):
            client.download(f"{served.url}/same", io.BytesIO())
