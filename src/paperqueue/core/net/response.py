"""What a request gives: a :class:`Response` to use, or a :class:`FetchError`
saying in a short phrase why there is none (see :mod:`.client`)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message

from paperqueue.core.text import one_line


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
