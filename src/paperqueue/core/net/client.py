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
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timezone
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

from paperqueue.core.net._httpx import httpx

from paperqueue import __version__
from paperqueue.core.net.body import read_body
from paperqueue.core.net.endpoints import Endpoints, arxiv_delay, endpoints as default_endpoints, is_arxiv_url
from paperqueue.core.net.failures import RetryLater, connect_reason, protocol_reason, retry_after, transport_reason, when_text
from paperqueue.core.net.gate import GATE_FILE, ArxivGate, GateUnavailable
from paperqueue.core.net.response import FetchError, Response

__all__ = [
    "ArxivGate", "Client", "FetchError", "GateUnavailable", "Response",
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
        retried = 0
        while True:
            try:
                return self._follow(url, extra)
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

    def _follow(self, url: str, headers: dict[str, str]) -> Response:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            _check_url(url, current)
            answer = self._once(url, current, headers)
            if isinstance(answer, Response):
                return answer
            current = answer
        raise FetchError(url, "too many redirects")

    def _once(self, asked: str, current: str, headers: dict[str, str]) -> Response | str:
        """One request: a :class:`Response`, or the URL a redirect points to."""
        gate = self._gate.turn() if is_arxiv_url(current, self.endpoints) else nullcontext()
        try:
            return self._within(gate, asked, current, headers)
        except GateUnavailable as error:
            raise FetchError(asked, f"cannot space arXiv requests: {error}") from None

    def _within(self, gate: AbstractContextManager[None], asked: str, current: str, headers: dict[str, str]) -> Response | str:
        with gate:
            try:
                with self._http.stream("GET", current, headers=headers) as reply:
                    status = reply.status_code
                    if status in _REDIRECTS:
                        location = reply.headers.get("location")
                        if not location:
                            raise FetchError(asked, f"HTTP {status} without a Location")
                        try:
                            return str(reply.url.join(location.strip()))
                        except (httpx.InvalidURL, ValueError):
                            raise FetchError(asked, "redirected to a URL that is not valid") from None
                    if status in _RETRIED_STATUS:
                        raise RetryLater(f"HTTP {status}", retry_after(reply.headers.get("retry-after"), self._clock()))
                    if status != 304 and not 200 <= status < 300:
                        raise FetchError(asked, f"HTTP {status}")
                    found = {key.lower(): value for key, value in reply.headers.items()}
                    body = b"" if status == 304 else self._read(asked, reply)
                    return Response(str(reply.url), status, found, body)
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


def _check_url(asked: str, url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise FetchError(asked, "not a valid URL") from None
    if parsed.scheme not in _SCHEMES:
        raise FetchError(asked, "not http or https" if url == asked else f"redirected to {parsed.scheme or 'a relative'} URL: not http or https")
    if not parsed.host:
        raise FetchError(asked, "not a valid URL (no host)")
