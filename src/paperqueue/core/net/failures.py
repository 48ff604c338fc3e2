"""Why a request failed, in words, and whether it is worth trying again
(for :class:`~.client.Client`): :class:`RetryLater` marks a failure that
is (429, 503, a timeout, a refused connection), :func:`retry_after` reads
a server's ``Retry-After``, and the ``*_reason`` functions turn httpx's
errors into the short phrases a :class:`~.response.FetchError` carries."""

from __future__ import annotations

import email.utils
import errno
import socket
import ssl
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from paperqueue.core.net._httpx import httpx
from paperqueue.core.text import one_line


class RetryLater(Exception):
    """A failure worth trying again (429, 503, a timeout, a refused connection)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def retry_after(value: str | None, now: float) -> float | None:
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


def when_text(moment: datetime, now: float) -> str:
    """``14:05 UTC`` today (UTC), ``2026-05-03 14:05 UTC`` another day."""
    today = datetime.fromtimestamp(now, timezone.utc).date()
    moment = moment.astimezone(timezone.utc)
    if moment.second or moment.microsecond:  # 14:05:20 is said 14:06: never too early
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if moment.date() == today:
        return moment.strftime("%H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    at: BaseException | None = error
    while at is not None and id(at) not in seen:
        seen.add(id(at))
        yield at
        at = at.__cause__ or at.__context__


def connect_reason(error: httpx.ConnectError) -> str:
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


def protocol_reason(error: httpx.RemoteProtocolError) -> str:
    text = str(error).lower()
    if "without sending complete message body" in text or "incomplete" in text:
        return "cut short"
    if "disconnected without sending a response" in text or "without sending a response" in text:
        return "closed the connection without an answer"
    return "not a valid HTTP answer"


def transport_reason(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.UnsupportedProtocol):
        return "not http or https"
    if isinstance(error, httpx.ProxyError):
        return "the proxy refused the request"
    text = one_line(str(error))[:80]
    return f"network error ({text})" if text else "network error"
