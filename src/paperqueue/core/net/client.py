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
"""

from __future__ import annotations

import codecs
import email.utils
import errno
import os
import random
import socket
import ssl
import stat
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import Message
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

from paperqueue.core.net._httpx import httpx

from paperqueue import __version__
from paperqueue.core.atomic import PRIVATE_FILE, UnsafePathError, check_regular, make_private_dirs
from paperqueue.core.crashpoints import boundary
from paperqueue.core.net.endpoints import Endpoints, arxiv_delay, endpoints as default_endpoints, is_arxiv_url
from paperqueue.core.text import one_line

PROJECT_URL = "https://github.com/paperqueue/paperqueue"  # pyproject's [project.urls] Homepage
USER_AGENT = f"paperqueue/{__version__} (+{PROJECT_URL})"
MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5
RETRIES = 3
RETRY_AFTER_LIMIT = 60.0  # seconds; a longer Retry-After gives up for now
BACKOFF_FIRST = 1.0  # seconds before the first retry (then 2, 4, ... with jitter)
BACKOFF_MOST = 30.0
GATE_FILE = "arxiv.gate"
BODY_DEADLINE_FACTOR = 10  # the whole body within ten read timeouts (5 minutes by default)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRIED_STATUS = frozenset({429, 503})
_SCHEMES = frozenset({"http", "https"})
_STAMP_WIDTH = 24  # bytes of the timestamp in arxiv.gate: "1715000000.123456" padded
_INFLATE_STEP = 256 * 1024  # bytes of decompressed body made at a time


# -- what a request gives --------------------------------------------------------------


@dataclass
class Response:
    """A server's answer with a 2xx status or a 304.

    ``url`` is the final one (after redirects), ``headers`` have lower-case
    keys (repeated headers joined with ", "), ``body`` is decompressed."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def text(self) -> str:
        """The body as text: in the charset ``Content-Type`` names when
        Python knows it, else UTF-8; undecodable bytes become U+FFFD."""
        encoding = _charset(self.headers.get("content-type", "")) or "utf-8"
        return self.body.decode(encoding, errors="replace")

    @property
    def not_modified(self) -> bool:
        """The server said the copy we have is current (``304``)."""
        return self.status == 304


def _charset(content_type: str) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    name = message.get_param("charset")
    if not isinstance(name, str):
        return None
    try:
        return codecs.lookup(name.strip().strip('"')).name
    except LookupError:
        return None


class FetchError(Exception):
    """A request that did not give an answer to use.

    ``reason`` is a short phrase ("timed out", "connection refused",
    "HTTP 404", "larger than 50 MB", "too many redirects", "not http or
    https", "HTTP 429, retry after 14:05 UTC"); ``retry_at`` is when the
    server asked us to come back (UTC), if it did. ``str()`` is one line,
    ``"<url>: <reason>"``."""

    def __init__(self, url: str, reason: str, retry_at: datetime | None = None) -> None:
        self.url = url
        self.reason = reason
        self.retry_at = retry_at
        super().__init__(one_line(f"{url}: {reason}"))

    def __str__(self) -> str:
        return str(self.args[0])


class _Retry(Exception):
    """A failure worth trying again (429, 503, a timeout, a refused connection)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


# -- the client ------------------------------------------------------------------------


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
            except _Retry as problem:
                wait = problem.retry_after
                if wait is not None and wait > RETRY_AFTER_LIMIT:
                    retry_at = datetime.fromtimestamp(self._clock() + wait, timezone.utc)
                    raise FetchError(url, f"{problem.reason}, retry after {_when(retry_at, self._clock())}", retry_at) from None
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
                        raise _Retry(f"HTTP {status}", _retry_after(reply.headers.get("retry-after"), self._clock()))
                    if status != 304 and not 200 <= status < 300:
                        raise FetchError(asked, f"HTTP {status}")
                    found = {key.lower(): value for key, value in reply.headers.items()}
                    body = b"" if status == 304 else self._read(asked, reply)
                    return Response(str(reply.url), status, found, body)
            except httpx.TimeoutException:
                raise _Retry("timed out") from None
            except httpx.ConnectError as error:
                reason = _connect_reason(error)
                if reason == "connection refused":
                    raise _Retry(reason) from None
                raise FetchError(asked, reason) from None
            except httpx.RemoteProtocolError as error:
                raise FetchError(asked, _protocol_reason(error)) from None
            except httpx.TransportError as error:
                raise FetchError(asked, _transport_reason(error)) from None

    def _read(self, asked: str, reply: httpx.Response) -> bytes:
        """The body, decompressed, refused past ``max_bytes``."""
        coding = reply.headers.get("content-encoding", "").strip().lower()
        limit = self.max_bytes
        too_large = f"larger than {_size(limit)}"
        if coding in ("", "identity"):
            decoder = None
            declared = reply.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(asked, too_large)
        elif coding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            decoder = _DeflateDecoder()
        else:
            raise FetchError(asked, f"unsupported Content-Encoding {coding[:40]!r}")
        body: list[bytes] = []  # joined at the end: a growing buffer would overshoot the cap by an eighth
        total = 0
        received = 0
        deadline = time.monotonic() + self.body_deadline
        try:
            for raw in reply.iter_raw():
                received += len(raw)
                if time.monotonic() > deadline:
                    raise FetchError(asked, f"too slow (the answer was not over after {self.body_deadline:g} s)")
                if decoder is None:
                    total += len(raw)
                    if total > limit:
                        raise FetchError(asked, too_large)
                    body.append(raw)
                    continue
                pending = raw
                while not decoder.eof:
                    # A bounded step, whatever the ratio: a bomb never
                    # inflates more than one step past the cap.
                    out = decoder.decompress(pending, _INFLATE_STEP)
                    total += len(out)
                    if total > limit:
                        raise FetchError(asked, too_large)
                    body.append(out)
                    pending = decoder.unconsumed_tail
                    if not pending and len(out) < _INFLATE_STEP:
                        break  # this input is used up and nothing more is held back
        except zlib.error:
            raise FetchError(asked, f"body is not valid {coding}") from None
        except httpx.RemoteProtocolError:
            declared = reply.headers.get("content-length", "")
            of = f" of {declared}" if declared.isdigit() else ""
            raise FetchError(asked, f"cut short ({received}{of} bytes arrived)") from None
        if decoder is not None and not decoder.eof:
            raise FetchError(asked, f"cut short (the {coding} stream ends early)")
        return b"".join(body)


class _DeflateDecoder:
    """``Content-Encoding: deflate``: zlib-wrapped as the standard says, or
    the raw deflate some servers send."""

    def __init__(self) -> None:
        self._inner: zlib._Decompress | None = None  # type: ignore[name-defined]
        self._start = b""  # the first byte, until a second one tells the kind

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            data = self._start + data
            if len(data) < 2:
                self._start = data
                return b""
            self._start = b""
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inner = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        return self._inner.decompress(data, max_length)

    @property
    def unconsumed_tail(self) -> bytes:
        return self._inner.unconsumed_tail if self._inner is not None else b""

    @property
    def eof(self) -> bool:
        return self._inner is not None and self._inner.eof


def _check_url(asked: str, url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise FetchError(asked, "not a valid URL") from None
    if parsed.scheme not in _SCHEMES:
        raise FetchError(asked, "not http or https" if url == asked else f"redirected to {parsed.scheme or 'a relative'} URL: not http or https")
    if not parsed.host:
        raise FetchError(asked, "not a valid URL (no host)")


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` (seconds, or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now)


def _when(moment: datetime, now: float) -> str:
    """``14:05 UTC`` today (UTC), ``2026-05-03 14:05 UTC`` another day."""
    today = datetime.fromtimestamp(now, timezone.utc).date()
    moment = moment.astimezone(timezone.utc)
    if moment.second or moment.microsecond:  # 14:05:20 is said 14:06: never too early
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if moment.date() == today:
        return moment.strftime("%H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _size(count: int) -> str:
    mb = count / (1024 * 1024)
    return f"{mb:g} MB" if mb >= 1 else f"{count} bytes"


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    at: BaseException | None = error
    while at is not None and id(at) not in seen:
        seen.add(id(at))
        yield at
        at = at.__cause__ or at.__context__


def _connect_reason(error: httpx.ConnectError) -> str:
    for cause in _causes(error):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host not found (offline?)"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted ({cause.verify_message})" if cause.verify_message else "TLS certificate not trusted"
        if isinstance(cause, ssl.SSLError):
            return "TLS handshake failed"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "network unreachable (offline?)"
    text = str(error).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "temporary failure in name resolution" in text:
        return "host not found (offline?)"
    if "certificate" in text:
        return "TLS certificate not trusted"
    return f"could not connect ({one_line(str(error))[:80]})" if str(error) else "could not connect"


def _protocol_reason(error: httpx.RemoteProtocolError) -> str:
    text = str(error).lower()
    if "without sending complete message body" in text or "incomplete" in text:
        return "cut short"
    if "disconnected without sending a response" in text or "without sending a response" in text:
        return "closed the connection without an answer"
    return "not a valid HTTP answer"


def _transport_reason(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.UnsupportedProtocol):
        return "not http or https"
    if isinstance(error, httpx.ProxyError):
        return "the proxy refused the request"
    text = one_line(str(error))[:80]
    return f"network error ({text})" if text else "network error"


# -- arXiv's gate ----------------------------------------------------------------------


class GateUnavailable(Exception):
    """The gate file cannot be used (a link in its place, an unwritable folder)."""


class ArxivGate:
    """One arXiv request at a time, at least ``delay`` seconds after the
    previous one ended, across the threads of this process and every
    process using the same data folder.

    The gate is a file (0600, never through a link) that is locked
    (``flock``) for the whole turn and holds the time the last turn ended."""

    def __init__(self, path: Path, delay: float, *, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.delay = delay
        self._sleep = sleep
        self._clock = clock
        self._local = threading.Lock()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for the gate and the delay; the request runs inside."""
        with self._local:
            try:
                fd = self._open()
            except OSError as error:
                raise GateUnavailable(str(error) if isinstance(error, UnsafePathError) else f"{self.path}: {error.strerror or error}") from None
            try:
                try:
                    _lock(fd)
                except OSError as error:
                    raise GateUnavailable(f"{self.path}: cannot lock ({error.strerror or error})") from None
                last = _read_stamp(fd)
                now = self._clock()
                if last is None:
                    wait = self.delay if _has_junk(fd) else 0.0
                else:
                    wait = min(self.delay, last + self.delay - now)  # a stamp in the future waits one delay at most
                if wait > 0:
                    self._sleep(wait)
                try:
                    yield
                finally:
                    self._write_stamp(fd, self._clock())
            finally:
                os.close(fd)  # drops the lock

    def _open(self) -> int:
        check_regular(self.path)
        make_private_dirs(self.path.parent)
        flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            created = True
        except FileExistsError:
            created = False
            try:
                fd = os.open(self.path, flags)
            except OSError:
                check_regular(self.path)  # replaced meanwhile: say what is there
                raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise UnsafePathError(self.path, "is not a regular file")
            if created and stat.S_IMODE(info.st_mode) != PRIVATE_FILE:
                os.fchmod(fd, PRIVATE_FILE)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _write_stamp(self, fd: int, moment: float) -> None:
        data = f"{moment:.6f}".ljust(_STAMP_WIDTH - 1).encode("ascii")[: _STAMP_WIDTH - 1] + b"\n"
        try:
            boundary(f"write {self.path.name}")
            os.pwrite(fd, data, 0)
            boundary(f"wrote {self.path.name}")
        except OSError:
            pass  # a full disk: the next turn waits a whole delay (see _has_junk)


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: this process's threads only
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _read_stamp(fd: int) -> float | None:
    raw = os.pread(fd, _STAMP_WIDTH, 0)
    try:
        value = float(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def _has_junk(fd: int) -> bool:
    """The gate file holds something that is not a timestamp (a torn write,
    a full disk): wait one whole delay to be safe."""
    return bool(os.pread(fd, 1, 0))
