"""Reading an answer's body for :class:`~.client.Client`: gzip and deflate
decoded chunk by chunk, the decompressed size capped (a larger body is
refused, never cut to size, and never held whole in memory), and the whole
body due within a deadline (a server dripping a byte now and then never
trips a read timeout)."""

from __future__ import annotations

import time
import zlib

from paperqueue.core.net._httpx import httpx
from paperqueue.core.net.response import FetchError

INFLATE_STEP = 256 * 1024  # bytes of decompressed body made at a time


def read_body(asked: str, reply: httpx.Response, limit: int, seconds: float) -> bytes:
    """``reply``'s body, decompressed; a :class:`FetchError` (naming
    ``asked``) past ``limit`` bytes, after ``seconds``, or when it is cut
    short or not valid in its ``Content-Encoding``."""
    coding = reply.headers.get("content-encoding", "").strip().lower()
    too_large = f"larger than {size_text(limit)}"
    if coding in ("", "identity"):
        decoder = None
        declared = reply.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(asked, too_large)
    elif coding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        decoder = DeflateDecoder()
    else:
        raise FetchError(asked, f"unsupported Content-Encoding {coding[:40]!r}")
    body: list[bytes] = []  # joined at the end: a growing buffer would overshoot the cap by an eighth
    total = 0
    received = 0
    deadline = time.monotonic() + seconds
    try:
        for raw in reply.iter_raw():
            received += len(raw)
            if time.monotonic() > deadline:
                raise FetchError(asked, f"too slow (the answer was not over after {seconds:g} s)")
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
                out = decoder.decompress(pending, INFLATE_STEP)
                total += len(out)
                if total > limit:
                    raise FetchError(asked, too_large)
                body.append(out)
                pending = decoder.unconsumed_tail
                if not pending and len(out) < INFLATE_STEP:
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


class DeflateDecoder:
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


def size_text(count: int) -> str:
    """``50 MB``, or ``512 bytes`` below a megabyte."""
    mb = count / (1024 * 1024)
    return f"{mb:g} MB" if mb >= 1 else f"{count} bytes"
