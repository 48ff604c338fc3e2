"""Stand-ins for the sources (core/sources) and the client (core/net) in
fetch and add tests that are about landing, not HTTP: each fake source
returns what it is told, per subscription, and records its calls."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import SimpleNamespace

from paperqueue.core.importers.record import ParsedPaper
from paperqueue.core.net.endpoints import Endpoints

ENDS = Endpoints(
    arxiv_rss="http://127.0.0.1:9/rss",
    arxiv_api="http://127.0.0.1:9/api/query",
    hf_api="http://127.0.0.2:9/api",
    crossref_api="http://127.0.0.3:9",
    arxiv_web="http://127.0.0.1:9",
)


@dataclass
class Fetched:  # the shape of core.sources.Fetched
    papers: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    not_understood: int = 0
    validators: dict = field(default_factory=dict)
    not_modified: bool = False
    requests: int = 1


class Failed(Exception):  # the shape of FetchError / SourceError: "<url>: <reason>"
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


def paper(arxiv_id: str, title: str | None = None, abstract: str = "An abstract.") -> ParsedPaper:
    return ParsedPaper(title or f"Paper {arxiv_id}", abstract, arxiv_id, authoritative=True)


class FakeClient:
    endpoints = ENDS

    def __init__(self) -> None:
        self.urls: list[str] = []

    def get(self, url, headers=None):  # noqa: ANN001
        self.urls.append(url)
        raise AssertionError("fake sources make no requests")

    def __enter__(self):
        return self

    def __exit__(self, *exc):  # noqa: ANN002
        pass


class FakeSources:
    """``answers[key]``: a Fetched, an exception to raise, or a callable
    returning one; key: the categories joined by '+', the query, "hf", the
    feed URL. ``ids``: arXiv id -> paper (missing: unknown), ``dois``
    likewise; ``offline``: every id/DOI lookup fails."""

    def __init__(self) -> None:
        self.answers: dict[str, object] = {}
        self.ids: dict[str, ParsedPaper] = {}
        self.dois: dict[str, ParsedPaper] = {}
        self.offline = False
        self.calls: list[tuple] = []
        self.lock = threading.Lock()

    def _answer(self, key: str, *call):  # noqa: ANN002
        with self.lock:
            self.calls.append((key, *call))
        answer = self.answers[key]
        if callable(answer) and not isinstance(answer, Fetched):
            answer = answer()
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def namespace(self) -> SimpleNamespace:
        return SimpleNamespace(
            fetch_arxiv_rss=lambda get, ends, cats, types, v: self._answer("+".join(cats), sorted(types), dict(v)),
            fetch_arxiv_search=lambda get, ends, query, count, v: self._answer(query, count, dict(v)),
            fetch_hf_daily=lambda get, ends, v, today: self._answer("hf", dict(v), today),
            fetch_feed=lambda get, url, v: self._answer(url, dict(v)),
            fetch_arxiv_ids=self.fetch_arxiv_ids,
            fetch_crossref=self.fetch_crossref,
            parse_add_argument=parse_add_argument,
        )

    def fetch_arxiv_ids(self, get, ends, ids):  # noqa: ANN001
        with self.lock:
            self.calls.append(("ids", tuple(ids)))
        if self.offline:
            raise Failed(ends.arxiv_api, "connection refused")
        return Fetched([self.ids[i] for i in ids if i in self.ids]), [i for i in ids if i not in self.ids]

    def fetch_crossref(self, get, ends, doi):  # noqa: ANN001
        with self.lock:
            self.calls.append(("doi", doi))
        if self.offline:
            raise Failed(f"{ends.crossref_api}/works/{doi}", "timed out")
        found = self.dois.get(doi)
        return None if found is None else Fetched([found])


def parse_add_argument(text: str):
    """A small stand-in for core.sources.parse_add_argument."""
    import re

    text = text.strip()
    for prefix in ("https://arxiv.org/abs/", "arXiv:", "https://huggingface.co/papers/"):
        text = text.removeprefix(prefix)
    if re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", text):
        return ("arxiv", re.sub(r"v\d+$", "", text))
    text = text.removeprefix("https://doi.org/")
    if re.fullmatch(r"10\.\d{4,9}/\S+", text):
        return ("doi", text)
    return None
