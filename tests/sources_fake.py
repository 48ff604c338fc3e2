"""A fake ``get`` for the source tests: canned responses by URL, every
request recorded.  No socket is opened."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

try:
    from paperqueue.core.net.client import Response
except ImportError:  # helper P's client not there yet: the same shape
    from dataclasses import dataclass, field

    @dataclass
    class Response:  # type: ignore[no-redef]
        url: str
        status: int
        headers: dict[str, str] = field(default_factory=dict)
        body: bytes = b""

        def text(self) -> str:
            return self.body.decode("utf-8", "replace")

        @property
        def not_modified(self) -> bool:
            return self.status == 304


NET = Path(__file__).resolve().parent / "data" / "real" / "net"
FEEDS = Path(__file__).resolve().parent / "data" / "real" / "feeds"


def real(name: str) -> bytes:
    """A recorded response (tests/data/real/net or feeds)."""
    path = NET / name
    return (path if path.exists() else FEEDS / name).read_bytes()


def ok(body: bytes | str, content_type: str = "application/xml", **headers: str) -> tuple:
    return (200, body.encode() if isinstance(body, str) else body, {"content-type": content_type, **headers})


class FakeGet:
    """``get(url, headers)`` answering from ``routes``: a URL maps to one
    answer or a list of answers given in turn (the last one repeats).  An
    answer is ``(status, body, headers)`` or an exception to raise.  Any URL
    not in ``routes`` fails the test."""

    def __init__(self, routes: Mapping[str, object]) -> None:
        self.routes = {url: list(answers) if isinstance(answers, list) else [answers]
                       for url, answers in routes.items()}
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url: str, headers: Mapping[str, str] | None = None) -> Response:
        self.calls.append((url, dict(headers or {})))
        assert url in self.routes, f"unexpected request {url}"
        answers = self.routes[url]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, BaseException):
            raise answer
        status, body, response_headers = answer
        return Response(url=url, status=status, headers=dict(response_headers), body=body)

    @property
    def urls(self) -> list[str]:
        return [url for url, _headers in self.calls]
