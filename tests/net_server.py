"""A loopback HTTP server for the network tests: canned answers, recorded requests.

Use it from a test module::

    from net_server import Canned, net_server, serve_sources  # fixtures are imported by name

    def test_something(net_server):
        net_server.route("/rss/cs.CL", Canned(200, body=b"<rss>...</rss>"))
        net_server.route("/api/query", Canned(503), Canned(200, body=b"..."))  # a bad try, then a good one
        ...
        assert net_server.requests[0].headers["user-agent"].startswith("paperqueue/")

Each path (with its query, or without it to match any query) holds a list of
answers given in turn; the last one repeats. Unknown paths get a 404.
``route_params(path, {"start": 100})`` answers the requests whose query holds
those parameters, whatever their order (``Recorded.params`` reads them back).

Bad days, each one answer:

- ``Canned(304)``, ``Canned(429, headers={"Retry-After": "1"})``,
  ``Canned(503)`` then ``Canned(200, ...)``: plain statuses;
- ``Canned.html_error()``: a 200 whose body is an HTML error page;
- ``Canned.truncated(body, claimed)``: ``Content-Length: claimed`` but only
  ``body`` sent, then the connection closes;
- ``Canned.streamed(size)``: ``size`` bytes sent in chunks with chunked
  transfer encoding (no length said up front, nothing held in memory);
  ``Canned.gzip_bomb(size)``: a small gzip body that inflates to ``size``;
- ``Canned.redirect(location)``: a 302 (point it at itself for a loop);
- ``Canned.hang()``: reads the request and never answers (until the server stops);
- :func:`closed_port_url`: a URL on a loopback port nothing listens on.

``serve_sources(monkeypatch, server, delay=...)`` points every source's
environment variable at the server (arXiv RSS at ``/rss``, the API at
``/api/query``, arXiv's web at ``/``, Hugging Face at ``/hf``, Crossref at
``/crossref``) and lowers the arXiv delay (allowed: arXiv's bases are on the
loopback host). Every request to that server then passes the arXiv gate,
as every request to it is "to arXiv"; use a second server (the
``net_server_factory`` fixture) for hosts that should not wait.
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

LOOPBACK = "127.0.0.1"
_CHUNK = 64 * 1024


@dataclass
class Canned:
    """One answer: a status, headers and a body, or a way to misbehave."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Misbehaviour (at most one):
    claimed_length: int | None = None  # Content-Length said, larger than the body sent
    stream: Callable[[], Iterator[bytes]] | None = None  # chunked body, made while sending
    hang: bool = False  # never answer
    delay: float = 0.0  # seconds before answering
    meet: threading.Barrier | None = None  # answer only once every party of the barrier has arrived

    @classmethod
    def text(cls, body: str | bytes, content_type: str = "text/plain; charset=utf-8", status: int = 200, **headers: str) -> Canned:
        data = body.encode("utf-8") if isinstance(body, str) else body
        return cls(status, data, {"Content-Type": content_type, **_header_names(headers)})

    @classmethod
    def html_error(cls) -> Canned:
        page = b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>Try again later</h1></body></html>"
        return cls(200, page, {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def truncated(cls, body: bytes, claimed: int, content_type: str = "application/xml") -> Canned:
        return cls(200, body, {"Content-Type": content_type}, claimed_length=claimed)

    @classmethod
    def streamed(cls, size: int, content_type: str = "application/octet-stream") -> Canned:
        def chunks() -> Iterator[bytes]:
            block = b"x" * _CHUNK
            left = size
            while left > 0:
                yield block[: min(left, _CHUNK)]
                left -= _CHUNK

        return cls(200, b"", {"Content-Type": content_type}, stream=chunks)

    @classmethod
    def dripped(cls, pieces: int, every: float) -> Canned:
        """A chunked body sent one byte every ``every`` seconds: each read
        is quick, the whole answer is not."""

        def chunks() -> Iterator[bytes]:
            for _ in range(pieces):
                yield b"x"
                time.sleep(every)

        return cls(200, b"", {"Content-Type": "application/xml"}, stream=chunks)

    @classmethod
    def gzip_bomb(cls, size: int) -> Canned:
        """A gzip body of ``size`` zero bytes, compressed without ever holding them."""
        squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = bytes(_CHUNK)
        parts = []
        left = size
        while left > 0:
            parts.append(squeeze.compress(block[: min(left, _CHUNK)]))
            left -= _CHUNK
        parts.append(squeeze.flush())
        return cls(200, b"".join(parts), {"Content-Type": "application/xml", "Content-Encoding": "gzip"})

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Canned:
        return cls(status, b"", {"Location": location})

    @classmethod
    def hang_forever(cls) -> Canned:
        return cls(hang=True)


def _header_names(headers: dict[str, str]) -> dict[str, str]:
    """``If_None_Match`` keyword arguments as ``If-None-Match``."""
    return {name.replace("_", "-"): value for name, value in headers.items()}


@dataclass(frozen=True)
class Recorded:
    """A request the server received."""

    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]  # lower-case names
    at: float  # time.monotonic() when it arrived

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def params(self) -> dict[str, str]:
        """The query's parameters (the last value of a repeated one)."""
        return {name: values[-1] for name, values in parse_qs(self.query, keep_blank_values=True).items()}


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up (a refused body, a timeout): expected here
        super().handle_error(request, client_address)


class NetServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 (an ephemeral port)."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Canned]] = {}
        self._served: dict[str, int] = {}
        self._by_params: list[tuple[str, dict[str, str], str]] = []  # (path, parameters, key in _routes)
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.stopping = threading.Event()
        self._httpd = _QuietServer((LOOPBACK, 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def route(self, target: str, *answers: Canned) -> str:
        """Answer ``target`` (a path, with a query to match only that one)
        with ``answers`` in turn, the last one repeating. Returns its URL."""
        if not answers:
            raise ValueError("route needs at least one answer")
        with self._lock:
            self._routes[target] = list(answers)
            self._served[target] = 0
        return self.url + target

    def route_params(self, path: str, params: dict[str, str | int], *answers: Canned) -> None:
        """Answer requests to ``path`` whose query holds every one of
        ``params`` (whatever else it holds, in any order) with ``answers``
        in turn, the last one repeating. An exact ``route`` of the same
        path and query wins; the first matching ``route_params`` next."""
        if not answers:
            raise ValueError("route_params needs at least one answer")
        wanted = {name: str(value) for name, value in params.items()}
        key = f"params:{path}?{sorted(wanted.items())!r}"
        with self._lock:
            self._by_params.append((path, wanted, key))
            self._routes[key] = list(answers)
            self._served[key] = 0

    def url_for(self, target: str) -> str:
        return self.url + target

    def requests_to(self, path: str) -> list[Recorded]:
        return [request for request in self.requests if request.path == path]

    def _answer_for(self, path: str, query: str) -> Canned:
        given = {name: values[-1] for name, values in parse_qs(query, keep_blank_values=True).items()}
        with self._lock:
            by_params = next(
                (key for at, wanted, key in self._by_params
                 if at == path and all(given.get(name) == value for name, value in wanted.items())),
                None,
            )
            for key in (f"{path}?{query}" if query else None, by_params, path):
                if key is not None and key in self._routes:
                    answers = self._routes[key]
                    turn = self._served[key]
                    self._served[key] = turn + 1
                    return answers[min(turn, len(answers) - 1)]
        return Canned(404, b"not found", {"Content-Type": "text/plain"})

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


def _handler_for(server: NetServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            with server._lock:
                server.requests.append(
                    Recorded("GET", parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                )
            answer = server._answer_for(parts.path, parts.query)
            if answer.hang:
                server.stopping.wait()
                self.close_connection = True
                return
            if answer.delay:
                server.stopping.wait(answer.delay)
            if answer.meet is not None:
                answer.meet.wait()  # raises BrokenBarrierError on its timeout: the client then gets no answer
            try:
                self._send(answer)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client stopped reading (a refused body)

        def _send(self, answer: Canned) -> None:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.stream is not None:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in answer.stream():
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                return
            length = answer.claimed_length if answer.claimed_length is not None else len(answer.body)
            self.send_header("Content-Length", str(length))
            if answer.claimed_length is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if answer.status != 304:
                self.wfile.write(answer.body)
            self.wfile.flush()

    return Handler


def closed_port_url(path: str = "/") -> str:
    """A loopback URL on a port that was free a moment ago (nothing listens)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    return f"http://{LOOPBACK}:{port}{path}"


def serve_sources(monkeypatch: pytest.MonkeyPatch, server: NetServer, delay: float = 0.05) -> None:
    """Point every source at ``server`` and set the arXiv delay to ``delay``."""
    monkeypatch.setenv("PAPERQUEUE_ARXIV_RSS", server.url + "/rss")
    monkeypatch.setenv("PAPERQUEUE_ARXIV_API", server.url + "/api/query")
    monkeypatch.setenv("PAPERQUEUE_ARXIV_WEB", server.url)
    monkeypatch.setenv("PAPERQUEUE_HF_API", server.url + "/hf")
    monkeypatch.setenv("PAPERQUEUE_CROSSREF_API", server.url + "/crossref")
    monkeypatch.setenv("PAPERQUEUE_ARXIV_DELAY", str(delay))


_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy in the developer's environment must not carry loopback requests."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def net_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetServer]:
    _no_proxy(monkeypatch)
    server = NetServer()
    yield server
    server.stop()


@pytest.fixture
def net_server_factory(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], NetServer]]:
    """Make as many servers as a test needs (each its own port); all stop after it."""
    _no_proxy(monkeypatch)
    made: list[NetServer] = []

    def make() -> NetServer:
        server = NetServer()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()
