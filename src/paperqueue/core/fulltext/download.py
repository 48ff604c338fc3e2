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
(its timeouts, retries, redirects and arXiv's gate shared by every
process); the PDF's body is streamed to the part file by
:meth:`~paperqueue.core.net.Client.download`, never held whole in memory.
Every failure is a :class:`FullTextError`, one line for the CLI and the
status bar. These functions block: the UI calls them from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from paperqueue.core.fulltext.cache import CachedText, FullTextCache
from paperqueue.core.fulltext.html_text import NoHtmlVersion, html_to_text
from paperqueue.core.fulltext.pdf_text import PdfTextError, pdf_to_text
from paperqueue.core.fulltext.search_index import FullTextIndex
from paperqueue.core.identity import parse_arxiv_id
from paperqueue.core.net.client import Client, Progress
from paperqueue.core.net.endpoints import Endpoints
from paperqueue.core.net.response import FetchError
from paperqueue.core.text import one_line

__all__ = [
    "MAX_PDF_BYTES", "PDF_DEADLINE", "FullText", "FullTextError", "PaperRef", "Progress",
    "fetch_pdf", "full_text", "html_url", "pdf_url",
]

MAX_PDF_BYTES = 100 * 1024 * 1024
PDF_DEADLINE = 1800.0  # seconds for a whole PDF (a slow line; a dripping server is stopped)


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
            client.download(
                url, handle, max_bytes=max_bytes, progress=progress,
                headers={"Accept": "application/pdf"}, deadline=PDF_DEADLINE,
            )
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
