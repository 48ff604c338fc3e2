"""Getting a paper's PDF and full text: from the cache, else from the network.

:func:`fetch_pdf` gives the path of a paper's PDF in the cache, downloading
it first when it is not there: ``<arXiv web base>/pdf/<id>`` for a paper with
an arXiv id (``PAPERQUEUE_ARXIV_WEB`` replaces ``https://arxiv.org``), its
source's ``pdf_url`` only when it has none. The body is streamed to a hidden
part file with a cap (:data:`MAX_PDF_BYTES`, 100 MB: a larger PDF is
refused, never cut), reported to ``progress(bytes, total)`` (``total`` is
None when the server does not say), checked to be a PDF, then renamed into
place; any failure, or an exception raised by ``progress`` to stop it,
leaves nothing behind.

:func:`full_text` gives a paper's text: the cached one, else arXiv's HTML
version (``<arXiv web base>/html/<id>``) turned into text, else (no HTML
version: a 404, a page without arXiv's document markup) the text of the PDF,
which stays cached for ``P``. The text is cached, indexed for search, and
comes with a note saying where it came from.

Requests go through the project's one :class:`~paperqueue.core.net.Client`
(its timeouts, redirects and arXiv's gate shared by every process); the
PDF's body is read here, chunk by chunk, instead of whole into memory.
Every failure is a :class:`FullTextError`, one line for the CLI and the
status bar. These functions block: the UI calls them from a worker thread.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlsplit

from paperqueue.core.fulltext.cache import CachedText, FullTextCache
from paperqueue.core.fulltext.html_text import NoHtmlVersion, html_to_text
from paperqueue.core.fulltext.pdf_text import PdfTextError, pdf_to_text
from paperqueue.core.fulltext.search_index import FullTextIndex
from paperqueue.core.identity import parse_arxiv_id
from paperqueue.core.net._httpx import httpx
from paperqueue.core.net.body import INFLATE_STEP, DeflateDecoder, size_text
from paperqueue.core.net.client import RETRY_AFTER_LIMIT, Client, _check_url
from paperqueue.core.net.endpoints import Endpoints, is_arxiv_url
from paperqueue.core.net.failures import RetryLater, connect_reason, protocol_reason, retry_after, transport_reason, when_text
from paperqueue.core.net.gate import GateUnavailable
from paperqueue.core.net.response import FetchError
from paperqueue.core.text import one_line

__all__ = [
    "MAX_PDF_BYTES", "PDF_DEADLINE", "FullText", "FullTextError", "PaperRef", "Progress",
    "fetch_pdf", "full_text", "html_url", "pdf_url",
]

MAX_PDF_BYTES = 100 * 1024 * 1024
PDF_DEADLINE = 1800.0  # seconds for a whole PDF (a slow line; a dripping server is stopped)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRIED = frozenset({429, 503})

#: ``progress(bytes_so_far, total_or_None)``; raising from it stops the download.
Progress = Callable[[int, "int | None"], None]


class FullTextError(Exception):
    """No PDF or text could be had. ``str()`` is one line (``<url>: <reason>``
    or a sentence), ready for the status bar or standard error."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


@dataclass(frozen=True)
class PaperRef:
    """What is needed to fetch a paper: its store key (the cache's name for
    it), its arXiv id, and its source's PDF link (used only without an id)."""

    key: str
    arxiv_id: str | None = None
    pdf_url: str | None = None

    @classmethod
    def of(cls, paper, details=None) -> PaperRef:  # noqa: ANN001 - a Paper and its PaperDetails
        return cls(paper.key, paper.arxiv_id, getattr(details, "pdf_url", None) if details is not None else None)


@dataclass(frozen=True)
class FullText:
    """A paper's text. ``source`` is ``"html"`` or ``"pdf"``; ``note`` is one
    line saying so (for standard error or the reader's title); ``cached``
    says it was already in the cache (nothing was fetched)."""

    key: str
    text: str
    source: str
    note: str
    url: str
    cached: bool = False

    @classmethod
    def from_cache(cls, entry: CachedText) -> FullText:
        return cls(entry.key, entry.text, entry.source, entry.note, entry.url, cached=True)


def _arxiv_id(ref: PaperRef) -> str | None:
    return parse_arxiv_id(ref.arxiv_id) if ref.arxiv_id else None


def pdf_url(ref: PaperRef, endpoints: Endpoints) -> str | None:
    """Where ``ref``'s PDF is: arXiv's (by id), else its source's link."""
    arxiv = _arxiv_id(ref)
    if arxiv:
        return f"{endpoints.arxiv_web}/pdf/{quote(arxiv, safe='/.-')}"
    link = (ref.pdf_url or "").strip()
    if link and urlsplit(link).scheme.lower() in ("http", "https"):
        return link
    return None


def html_url(ref: PaperRef, endpoints: Endpoints) -> str | None:
    arxiv = _arxiv_id(ref)
    return f"{endpoints.arxiv_web}/html/{quote(arxiv, safe='/.-')}" if arxiv else None


# -- the PDF ---------------------------------------------------------------


def fetch_pdf(
    client: Client,
    cache: FullTextCache,
    ref: PaperRef,
    progress: Progress | None = None,
    *,
    max_bytes: int = MAX_PDF_BYTES,
    index: FullTextIndex | None = None,
) -> tuple[Path, bool]:
    """``(path, fetched)``: the cached PDF of ``ref`` (marked opened), or
    the one just downloaded into the cache (``fetched`` true; the cache is
    then trimmed to its cap, this file kept). :class:`FullTextError` when
    it cannot be had."""
    found = cache.open_pdf(ref.key)
    if found is not None:
        return found, False
    url = pdf_url(ref, client.endpoints)
    if url is None:
        raise FullTextError(f"{ref.key}: no PDF is known for this paper (no arXiv id, no PDF link)")
    with cache.part(ref.key) as (handle, part):
        try:
            _download(client, url, handle, max_bytes, progress)
        except FetchError as error:
            raise FullTextError(str(error)) from None
        handle.seek(0)
        if b"%PDF-" not in handle.read(1024):
            raise FullTextError(f"{url}: the answer is not a PDF")
        try:
            path = cache.commit_pdf(ref.key, part, handle)
        except OSError as error:
            raise FullTextError(f"{cache.pdf_path(ref.key)}: cannot save the PDF ({error.strerror or error})") from None
    _evict(cache, path, index)
    return path, True


def _download(client: Client, url: str, sink: BinaryIO, limit: int, progress: Progress | None) -> None:
    """Stream ``url``'s body into ``sink`` with the client's retry rules
    (429, 503, timeouts, refused connections), redirects and arXiv gate."""
    retried = 0
    while True:
        sink.seek(0)
        sink.truncate()
        try:
            _follow(client, url, sink, limit, progress)
            return
        except RetryLater as problem:
            wait = problem.retry_after
            now = client._clock()  # noqa: SLF001 - the client's clock, for the tests' fake one
            if wait is not None and wait > RETRY_AFTER_LIMIT:
                retry_at = datetime.fromtimestamp(now + wait, timezone.utc)
                raise FetchError(url, f"{problem.reason}, retry after {when_text(retry_at, now)}", retry_at) from None
            if retried >= client.retries:
                tries = f" (tried {retried + 1} times)" if retried else ""
                raise FetchError(url, problem.reason + tries) from None
            retried += 1
            client._sleep(wait if wait is not None else client._backoff(retried))  # noqa: SLF001


def _follow(client: Client, url: str, sink: BinaryIO, limit: int, progress: Progress | None) -> None:
    current = url
    for _hop in range(6):
        _check_url(url, current)
        gate: AbstractContextManager[None] = (
            client._gate.turn() if is_arxiv_url(current, client.endpoints) else nullcontext()  # noqa: SLF001
        )
        try:
            with gate:
                following = _once(client, url, current, sink, limit, progress)
        except GateUnavailable as error:
            raise FetchError(url, f"cannot space arXiv requests: {error}") from None
        if following is None:
            return
        current = following
    raise FetchError(url, "too many redirects")


def _once(client: Client, asked: str, current: str, sink: BinaryIO, limit: int, progress: Progress | None) -> str | None:
    """One request: the body written to ``sink`` (None), or where a redirect points."""
    try:
        with client._http.stream("GET", current, headers={"Accept": "application/pdf"}) as reply:  # noqa: SLF001
            status = reply.status_code
            if status in _REDIRECTS:
                location = reply.headers.get("location")
                if not location:
                    raise FetchError(asked, f"HTTP {status} without a Location")
                try:
                    return str(reply.url.join(location.strip()))
                except (httpx.InvalidURL, ValueError):
                    raise FetchError(asked, "redirected to a URL that is not valid") from None
            if status in _RETRIED:
                raise RetryLater(f"HTTP {status}", retry_after(reply.headers.get("retry-after"), client._clock()))  # noqa: SLF001
            if not 200 <= status < 300:
                raise FetchError(asked, f"HTTP {status}")
            _body(asked, reply, sink, limit, progress)
            return None
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


def _body(asked: str, reply: httpx.Response, sink: BinaryIO, limit: int, progress: Progress | None) -> None:
    """The body, decoded (gzip, deflate) and written chunk by chunk; refused
    past ``limit`` bytes, cut short, or not over within :data:`PDF_DEADLINE`."""
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
    deadline = time.monotonic() + PDF_DEADLINE
    if progress is not None:
        progress(0, total)
    try:
        for raw in reply.iter_raw():
            received += len(raw)
            if time.monotonic() > deadline:
                raise FetchError(asked, f"too slow (the PDF was not over after {PDF_DEADLINE:g} s)")
            pieces = [raw] if decoder is None else _inflate(decoder, raw)
            for piece in pieces:
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
    """Bounded steps: a bomb never inflates more than a step past the cap
    before the caller counts it."""
    out = []
    pending = data
    while not decoder.eof:
        piece = decoder.decompress(pending, INFLATE_STEP)
        out.append(piece)
        pending = decoder.unconsumed_tail
        if not pending and len(piece) < INFLATE_STEP:
            break
    return out


# -- the text --------------------------------------------------------------


def full_text(
    client: Client,
    cache: FullTextCache,
    ref: PaperRef,
    progress: Progress | None = None,
    *,
    index: FullTextIndex | None = None,
    max_bytes: int = MAX_PDF_BYTES,
) -> FullText:
    """``ref``'s text (see the module's docstring): from the cache when it
    is there (marked opened), else fetched, cached and added to ``index``
    (the cache's own index when None). ``progress`` follows a PDF's download.
    :class:`FullTextError` when there is no text to be had."""
    found = cache.read_text(ref.key)
    if found is not None:
        return FullText.from_cache(found)
    html, url, note = _html_text(client, ref)
    if html is not None:
        text, source = html, "html"
    else:
        why = note
        path, _fetched = fetch_pdf(client, cache, ref, progress, max_bytes=max_bytes, index=index)
        try:
            text = pdf_to_text(path)
        except PdfTextError as error:
            raise FullTextError(str(error)) from None
        url = pdf_url(ref, client.endpoints) or ""
        source = "pdf"
        note = f"Text extracted from the PDF ({why})"
    try:
        entry = cache.store_text(ref.key, text, source, note, url)
    except OSError as error:
        raise FullTextError(f"{cache.text_path(ref.key)}: cannot save the text ({error.strerror or error})") from None
    own = index is None
    index = FullTextIndex(cache.index_path) if index is None else index
    try:
        try:
            index.add(ref.key, text)
        except Exception:  # noqa: BLE001 - sqlite3's errors: the text is read all the same, search misses it
            pass
        _evict(cache, entry.path, index)
    finally:
        if own:
            index.close()
    return FullText(ref.key, text, source, note, url)


def _evict(cache: FullTextCache, kept: Path, index: FullTextIndex | None) -> None:
    """Trim the cache to its cap, keeping ``kept``; texts that go leave the index too."""
    made: list[FullTextIndex] = []

    def forget(entry: CachedText) -> None:
        if index is not None:
            index.remove(entry.key, entry.text)
            return
        if not made:
            made.append(FullTextIndex(cache.index_path))
        made[0].remove(entry.key, entry.text)

    try:
        cache.evict(keep=[kept], forget=forget)
    finally:
        for opened in made:
            opened.close()


def _html_text(client: Client, ref: PaperRef) -> tuple[str | None, str, str]:
    """``(text, url, note)`` from arXiv's HTML version, or ``(None, url,
    why)`` when there is none (no arXiv id, a 404 or another refusal, a page
    without arXiv's document markup, a page too large);
    :class:`FullTextError` when arXiv cannot be reached (offline, timed
    out, asked to come back later)."""
    url = html_url(ref, client.endpoints)
    if url is None:
        return None, "", "no arXiv id, so no HTML version"
    try:
        answer = client.get(url, {"Accept": "text/html"})
    except FetchError as error:
        if _no_such_page(error.reason):
            return None, url, f"no HTML version: {error.reason}"
        raise FullTextError(str(error)) from None
    try:
        text = html_to_text(answer.text())
    except NoHtmlVersion:
        return None, url, "no HTML version: the page is not an arXiv paper"
    return text, answer.url, f"From arXiv's HTML version ({answer.url})"


def _no_such_page(reason: str) -> bool:
    """A refusal the PDF may not share (404, 410, 403, a 5xx other than 503,
    too large); not a transport failure, not being asked to slow down."""
    if reason.startswith("larger than"):
        return True
    if not reason.startswith("HTTP "):
        return False
    code = reason[5:8]
    return code.isdigit() and code != "429" and "retry after" not in reason and "tried" not in reason
