"""What every source shares: the result, the failure, conditional requests,
and the checks a 200 answer must pass before it is parsed."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paperqueue.core.importers.record import ParsedPaper, not_understood
from paperqueue.core.text import one_line

if TYPE_CHECKING:
    from paperqueue.core.net.client import Response

__all__ = ["Fetched", "Get", "SourceError", "body_text", "conditional_headers", "fetched", "remember", "status_of"]

Get = Callable[[str, Mapping[str, str]], "Response"]


@dataclass
class Fetched:
    """What one fetch of a source brought.

    ``validators`` is what to hand the source next time (kept by the
    subscription only once these papers landed): ``"http"`` maps a URL to
    its ``etag`` / ``last_modified``; a search adds ``"newest"`` (the newest
    submission date seen), Hugging Face ``"last_day"``.
    """

    papers: list[ParsedPaper] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    not_understood: int = 0
    validators: dict[str, Any] = field(default_factory=dict)
    not_modified: bool = False
    requests: int = 0


class SourceError(Exception):
    """The whole fetch failed: a 200 that is an HTML error page, a body that
    does not parse, arXiv's error entry, a page that stays empty in the
    middle of paging.  ``str()`` is one line: ``"<url>: <reason>"``."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = one_line(reason)[:300]
        super().__init__(f"{url}: {self.reason}")

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


def fetched(papers: list[ParsedPaper], problems: list[str], validators: dict, requests: int,
            not_modified: bool = False) -> Fetched:
    return Fetched(papers, problems, not_understood(problems), validators, not_modified, requests)


def conditional_headers(validators: Mapping[str, Any], url: str) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for *url* from what its last
    answer said."""
    known = (validators.get("http") or {}).get(url) or {}
    headers = {}
    if isinstance(known.get("etag"), str):
        headers["If-None-Match"] = known["etag"]
    if isinstance(known.get("last_modified"), str):
        headers["If-Modified-Since"] = known["last_modified"]
    return headers


def remember(http: dict[str, dict[str, str]], url: str, response: Response) -> None:
    """Keep the answer's ETag / Last-Modified for the next request to *url*
    (the URL asked for: a redirect's final URL is never asked for again)."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    known = {}
    if headers.get("etag"):
        known["etag"] = headers["etag"]
    if headers.get("last-modified"):
        known["last_modified"] = headers["last-modified"]
    if known:
        http[url] = known


_HTML_START_RE = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_HTTP_STATUS_RE = re.compile(r"\bHTTP (\d{3})\b")


def body_text(response: Response, url: str) -> str:
    """The text of a successful answer; :class:`SourceError` for a status
    other than 200 that reached here, or an HTML page (an error page served
    with 200, a login wall)."""
    if response.status != 200:
        raise SourceError(url, f"HTTP {response.status}")
    content_type = {name.lower(): value for name, value in response.headers.items()}.get("content-type", "")
    text = response.text()
    if "html" in content_type.lower() and "xml" not in content_type.lower() or _HTML_START_RE.match(text[:4096]):
        raise SourceError(url, "an HTML page, not a feed (HTTP 200: the site's error or login page?)")
    return text


def status_of(error: BaseException) -> int | None:
    """The HTTP status a client's failure names (``"HTTP 404"``), if any."""
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return status
    found = _HTTP_STATUS_RE.search(str(getattr(error, "reason", "")))
    return int(found.group(1)) if found else None
