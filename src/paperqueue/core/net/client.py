"""paperqueue's one HTTP client: polite to the servers, careful with answers.

:class:`Client` makes every request paperqueue sends (subscriptions, ``add``):

- ``httpx`` with a connect and a read timeout, TLS verification, the
  User-Agent ``paperqueue/<version> (+<project URL>)``, and no cookies;
- http and https only, at most 5 redirects (each hop checked again);
- gzip and deflate decoded here, chunk by chunk, with the decompressed body
  capped (50 MB): a larger body is refused, never cut to size, and is never
  held whole in memory;
- ``304`` is an answer (:attr:`Response.not_modified`), any other status
  outside 2xx is a :class:`FetchError`;
- ``429``, ``503``, timeouts and refused connections are retried (at most
  ``retries`` times): after ``Retry-After`` when the server says (seconds or
  a date) and it is at most 60 s, else with exponential backoff and jitter; a
  ``Retry-After`` beyond 60 s gives up at once with the time to retry;
- requests to arXiv pass a gate shared by every paperqueue process of the
  data folder (``arxiv.gate``, a lock and a timestamp): one at a time, and
  at least :func:`~paperqueue.core.net.endpoints.arxiv_delay` seconds apart.

:meth:`Client.get` gives the whole body; :meth:`Client.download` streams it
into a file as it arrives (a PDF), with its own cap and deadline and a
progress callback, under the same rules (redirects, retries, the gate).

The client is safe to share between threads: requests to different hosts
run at once, arXiv's wait for each other.

The body is read in :mod:`.body`, failures put in words (and retries
decided) in :mod:`.failures`, arXiv's gate is :mod:`.gate`; what a request
gives is :mod:`.response`. Their public names are importable from here.
"""

from __future__ import annotations

import os
import random
import time
import zlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import BinaryIO, TypeVar

from paperqueue.core.net._httpx import httpx

from paperqueue import __version__
from paperqueue.core.net.body import INFLATE_STEP, DeflateDecoder, read_body, size_text
from paperqueue.core.net.endpoints import Endpoints, arxiv_delay, endpoints as default_endpoints, is_arxiv_url
from paperqueue.core.net.failures import RetryLater, connect_reason, protocol_reason, retry_after, transport_reason, when_text
from paperqueue.core.net.gate import GATE_FILE, ArxivGate, GateUnavailable
from paperqueue.core.net.response import FetchError, Response

__all__ = [
    "ArxivGate", "Client", "FetchError", "GateUnavailable", "Progress", "Response",
    "BACKOFF_FIRST", "BACKOFF_MOST", "BODY_DEADLINE_FACTOR", "GATE_FILE", "MAX_BYTES", "MAX_REDIRECTS",
    "PROJECT_URL", "RETRIES", "RETRY_AFTER_LIMIT", "USER_AGENT",
]

PROJECT_URL = "https://github.com/paperqueue/paperqueue"  # pyproject's [project.urls] Homepage
USER_AGENT = f"paperqueue/{__version__} (+{PROJECT_URL})"
MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5
RETRIES = 3
RETRY_AFTER_LIMIT = 60.0  # seconds; a longer Retry-After gives up for now
BACKOFF_FIRST = 1.0  # seconds before the first retry (then 2, 4, ... with jitter)
BACKOFF_MOST = 30.0
BODY_DEADLINE_FACTOR = 10  # the whole body within ten read timeouts (5 minutes by default)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRIED_STATUS = frozenset({429, 503})
_SCHEMES = frozenset({"http", "https"})

#: ``progress(bytes_so_far, total_or_None)`` for :meth:`Client.download`;
#: an exception raised from it stops the download and comes out of it.
Progress = Callable[[int, "int | None"], None]

_T = TypeVar("_T")


@dataclass(frozen=True)
class _Redirect:
    location: str


class Client:
    """Every HTTP request paperqueue makes (see the module's docstring).

    ``home`` is the data folder (its ``arxiv.gate`` spaces arXiv requests
    across processes). ``sleep`` and ``clock`` (seconds since the epoch) are
    there for tests; the gate's timestamps are ``clock()`` values, so every
    process sharing a folder must use the real clock."""

    def __init__(
        self,
        home: Path,
        *,
        endpoints: Endpoints | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_bytes: int = MAX_BYTES,
        retries: int = RETRIES,
    ) -> None:
        self.home = Path(home)
        self.endpoints = endpoints if endpoints is not None else default_endpoints()
        self.max_bytes = max_bytes
        self.retries = retries
        # A server dripping a byte now and then never trips the read timeout:
        # the whole body must arrive within this many seconds.
        self.body_deadline = timeout * BODY_DEADLINE_FACTOR
        self._sleep = sleep
        self._clock = clock
        self._random = random.Random()
        self._gate = ArxivGate(self.home / GATE_FILE, arxiv_delay(os.environ, self.endpoints), sleep=sleep, clock=clock)
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,  # followed here: each hop's scheme checked, arXiv's gated
            verify=True,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),  # none kept, none sent
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )

    # context manager
    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def arxiv_delay(self) -> float:
        return self._gate.delay

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Response:
        """GET ``url`` with ``headers`` added (``If-None-Match``, ...).

        Returns the final answer (2xx or 304); raises :class:`FetchError`
        for anything else, once the retries are spent."""
        extra = dict(headers or {})
        return self._retrying(url, lambda: self._follow(url, extra, self._answer))

    def download(
        self,
        url: str,
        sink: BinaryIO,
        *,
        max_bytes: int | None = None,
        progress: Progress | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> str:
        """GET ``url`` and write its body (decoded) into ``sink`` chunk by
        chunk, never holding it whole; returns the final URL.

        The rules of :meth:`get` (redirects, retries, arXiv's gate), with
        ``max_bytes`` (default the client's cap: a larger body is refused,
        never cut) and ``deadline`` (seconds for the whole body, default the
        client's). ``sink`` is emptied before each try; ``progress(bytes,
        total)`` hears of every chunk (``total`` None when the server does
        not say), and an exception it raises stops the download and comes
        out of this call. A 304 is a failure here. :class:`FetchError` when
        no whole body arrived: ``sink`` may then hold part of one (write to a
        temporary file and rename it once this returns)."""
        extra = dict(headers or {})
        limit = self.max_bytes if max_bytes is None else max_bytes
        seconds = self.body_deadline if deadline is None else deadline

        def take(asked: str, reply: httpx.Response) -> str:
            if reply.status_code == 304:
                raise FetchError(asked, "HTTP 304")
            _stream_body(asked, reply, sink, limit, seconds, progress)
            return str(reply.url)

        def attempt() -> str:
            sink.seek(0)
            sink.truncate()
            return self._follow(url, extra, take)

        return self._retrying(url, attempt)

    def _retrying(self, url: str, attempt: Callable[[], _T]) -> _T:
        """``attempt()`` again while it fails in a way worth retrying (see
        :class:`RetryLater`), at most ``retries`` more times."""
        retried = 0
        while True:
            try:
                return attempt()
            except RetryLater as problem:
                wait = problem.retry_after
                if wait is not None and wait > RETRY_AFTER_LIMIT:
                    retry_at = datetime.fromtimestamp(self._clock() + wait, timezone.utc)
                    raise FetchError(url, f"{problem.reason}, retry after {when_text(retry_at, self._clock())}", retry_at) from None
                if retried >= self.retries:
                    retry_at = datetime.fromtimestamp(self._clock() + wait, timezone.utc) if wait else None
                    tries = f" (tried {retried + 1} times)" if retried else ""
                    raise FetchError(url, problem.reason + tries, retry_at) from None
                retried += 1
                self._sleep(wait if wait is not None else self._backoff(retried))

    def _backoff(self, retry: int) -> float:
        """Exponential with jitter: about 1, 2, 4 s (each between half and all of it)."""
        ceiling = min(BACKOFF_MOST, BACKOFF_FIRST * 2 ** (retry - 1))
        return ceiling * self._random.uniform(0.5, 1.0)

    def _answer(self, asked: str, reply: httpx.Response) -> Response:
        found = {key.lower(): value for key, value in reply.headers.items()}
        body = b"" if reply.status_code == 304 else self._read(asked, reply)
        return Response(str(reply.url), reply.status_code, found, body)

    def _follow(self, url: str, headers: dict[str, str], take: Callable[[str, httpx.Response], _T]) -> _T:
        """What ``take(url, reply)`` makes of the answer (2xx or 304) at the
        end of the redirects."""
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            _check_url(url, current)
            answer = self._once(url, current, headers, take)
            if not isinstance(answer, _Redirect):
                return answer
            current = answer.location
        raise FetchError(url, "too many redirects")

    def _once(self, asked: str, current: str, headers: dict[str, str], take: Callable[[str, httpx.Response], _T]) -> _T | _Redirect:
        """One request: what ``take`` makes of it, or where a redirect points."""
        gate = self._gate.turn() if is_arxiv_url(current, self.endpoints) else nullcontext()
        try:
            return self._within(gate, asked, current, headers, take)
        except GateUnavailable as error:
            raise FetchError(asked, f"cannot space arXiv requests: {error}") from None

    def _within(
        self,
        gate: AbstractContextManager[None],
        asked: str,
        current: str,
        headers: dict[str, str],
        take: Callable[[str, httpx.Response], _T],
    ) -> _T | _Redirect:
        with gate:
            try:
                with self._http.stream("GET", current, headers=headers) as reply:
                    status = reply.status_code
                    if status in _REDIRECTS:
                        location = reply.headers.get("location")
                        if not location:
                            raise FetchError(asked, f"HTTP {status} without a Location")
                        try:
                            return _Redirect(str(reply.url.join(location.strip())))
                        except (httpx.InvalidURL, ValueError):
                            raise FetchError(asked, "redirected to a URL that is not valid") from None
                    if status in _RETRIED_STATUS:
                        raise RetryLater(f"HTTP {status}", retry_after(reply.headers.get("retry-after"), self._clock()))
                    if status != 304 and not 200 <= status < 300:
                        raise FetchError(asked, f"HTTP {status}")
                    return take(asked, reply)
            except httpx.TimeoutException:
                raise RetryLater("timed out") from None
            except httpx.ConnectError as error:
                reason = connect_reason(error)
                if reason == "connection refused":
                    raise RetryLater(reason) from None
                raise FetchError(asked, reason) from None
            except httpx.RemoteProtocolError as error:
                raise FetchError(asked, protocol_reason(error)) from None
            except httpx.TransportError as error:
                raise FetchError(asked, transport_reason(error)) from None

    def _read(self, asked: str, reply: httpx.Response) -> bytes:
        """The body, decompressed, refused past ``max_bytes``."""
        return read_body(asked, reply, self.max_bytes, self.body_deadline)


def _stream_body(
    asked: str, reply: httpx.Response, sink: BinaryIO, limit: int, seconds: float, progress: Progress | None,
) -> None:
    """``reply``'s body, decoded (gzip, deflate) and written to ``sink`` chunk
    by chunk; a :class:`FetchError` past ``limit`` bytes, after ``seconds``,
    or when it is cut short or not valid in its ``Content-Encoding``."""
    coding = reply.headers.get("content-encoding", "").strip().lower()
    declared = reply.headers.get("content-length", "")
    too_large = f"larger than {size_text(limit)}"
    total = int(declared) if declared.isdigit() and coding in ("", "identity") else None
    if total is not None and total > limit:
        raise FetchError(asked, too_large)
    if coding in ("", "identity"):
        decoder = None
    elif coding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        decoder = DeflateDecoder()
    else:
        raise FetchError(asked, f"unsupported Content-Encoding {coding[:40]!r}")
    written = 0
    received = 0
    deadline = time.monotonic() + seconds
    if progress is not None:
        progress(0, total)
    try:
        for raw in reply.iter_raw():
            received += len(raw)
            if time.monotonic() > deadline:
                raise FetchError(asked, f"too slow (the download was not over after {seconds:g} s)")
            for piece in [raw] if decoder is None else _inflate(decoder, raw):
                written += len(piece)
                if written > limit:
                    raise FetchError(asked, too_large)
                sink.write(piece)
            if progress is not None:
                progress(written, total)
    except zlib.error:
        raise FetchError(asked, f"body is not valid {coding}") from None
    except httpx.RemoteProtocolError:
        of = f" of {declared}" if declared.isdigit() else ""
        raise FetchError(asked, f"cut short ({received}{of} bytes arrived)") from None
    if decoder is not None and not decoder.eof:
        raise FetchError(asked, f"cut short (the {coding} stream ends early)")
    if total is not None and written < total:
        raise FetchError(asked, f"cut short ({written} of {total} bytes arrived)")


def _inflate(decoder, data: bytes) -> list[bytes]:  # noqa: ANN001 - zlib's or DeflateDecoder
    """``data`` inflated in bounded steps: a bomb never inflates more than a
    step past the cap before the caller counts it."""
    out = []
    pending = data
    while not decoder.eof:
        piece = decoder.decompress(pending, INFLATE_STEP)
        out.append(piece)
        pending = decoder.unconsumed_tail
        if not pending and len(piece) < INFLATE_STEP:
            break
    return out


def _check_url(asked: str, url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise FetchError(asked, "not a valid URL") from None
    if parsed.scheme not in _SCHEMES:
        raise FetchError(asked, "not http or https" if url == asked else f"redirected to {parsed.scheme or 'a relative'} URL: not http or https")
    if not parsed.host:
        raise FetchError(asked, "not a valid URL (no host)")
