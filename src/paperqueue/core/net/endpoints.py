"""Where paperqueue's requests go, and how far apart arXiv's must be.

Every base can be replaced by an environment variable, so tests (and
mirrors) can point the client elsewhere:

=========================  ===================================  =========================
variable                   default                              used for
=========================  ===================================  =========================
PAPERQUEUE_ARXIV_RSS       https://rss.arxiv.org/rss            category listings
PAPERQUEUE_ARXIV_API       https://export.arxiv.org/api/query   searches, papers by id
PAPERQUEUE_HF_API          https://huggingface.co/api           Hugging Face daily papers
PAPERQUEUE_CROSSREF_API    https://api.crossref.org             papers by DOI
PAPERQUEUE_ARXIV_WEB       https://arxiv.org                    arXiv's web pages (PDFs)
PAPERQUEUE_ARXIV_DELAY     3                                    seconds between arXiv requests
=========================  ===================================  =========================

arXiv's terms ask for one request at a time and at least 3 seconds between
requests. ``PAPERQUEUE_ARXIV_DELAY`` may raise that (up to 60 s); it lowers
it only when every arXiv base points at a host that is not arXiv's own.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

ARXIV_DELAY = 3.0
ARXIV_DELAY_MOST = 60.0  # a larger PAPERQUEUE_ARXIV_DELAY is taken as this
ARXIV_DOMAIN = "arxiv.org"

ENV_ARXIV_RSS = "PAPERQUEUE_ARXIV_RSS"
ENV_ARXIV_API = "PAPERQUEUE_ARXIV_API"
ENV_HF_API = "PAPERQUEUE_HF_API"
ENV_CROSSREF_API = "PAPERQUEUE_CROSSREF_API"
ENV_ARXIV_WEB = "PAPERQUEUE_ARXIV_WEB"
ENV_ARXIV_DELAY = "PAPERQUEUE_ARXIV_DELAY"

DEFAULT_ARXIV_RSS = "https://rss.arxiv.org/rss"
DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
DEFAULT_HF_API = "https://huggingface.co/api"
DEFAULT_CROSSREF_API = "https://api.crossref.org"
DEFAULT_ARXIV_WEB = "https://arxiv.org"


@dataclass(frozen=True)
class Endpoints:
    """The base of each source, without a trailing slash.

    ``arxiv_rss + "/cs.CL+cs.LG"``, ``arxiv_api + "?search_query=..."`` (the
    whole endpoint), ``hf_api + "/daily_papers?date=..."``,
    ``crossref_api + "/works/<doi>"``, ``arxiv_web + "/pdf/<id>"``.
    """

    arxiv_rss: str = DEFAULT_ARXIV_RSS
    arxiv_api: str = DEFAULT_ARXIV_API
    hf_api: str = DEFAULT_HF_API
    crossref_api: str = DEFAULT_CROSSREF_API
    arxiv_web: str = DEFAULT_ARXIV_WEB

    @property
    def arxiv_bases(self) -> tuple[str, str, str]:
        """Every base that reaches arXiv (its requests share the gate)."""
        return (self.arxiv_rss, self.arxiv_api, self.arxiv_web)


def _base(environ: Mapping[str, str], name: str, default: str) -> str:
    value = (environ.get(name) or "").strip()
    return (value or default).rstrip("/")


def endpoints(environ: Mapping[str, str] = os.environ) -> Endpoints:
    """The bases, each from its environment variable when set (and not
    empty), else arXiv's, Hugging Face's and Crossref's own."""
    return Endpoints(
        arxiv_rss=_base(environ, ENV_ARXIV_RSS, DEFAULT_ARXIV_RSS),
        arxiv_api=_base(environ, ENV_ARXIV_API, DEFAULT_ARXIV_API),
        hf_api=_base(environ, ENV_HF_API, DEFAULT_HF_API),
        crossref_api=_base(environ, ENV_CROSSREF_API, DEFAULT_CROSSREF_API),
        arxiv_web=_base(environ, ENV_ARXIV_WEB, DEFAULT_ARXIV_WEB),
    )


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def _origin(url: str) -> tuple[str, int | None] | None:
    """(host, port) of ``url``, the scheme's default port filled in."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return None
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return host, port


def is_arxiv_host(host: str) -> bool:
    """``arxiv.org`` itself or any of its subdomains (export., rss., ...)."""
    host = host.rstrip(".").lower()
    return host == ARXIV_DOMAIN or host.endswith("." + ARXIV_DOMAIN)


def is_arxiv_url(url: str, endpoints: Endpoints) -> bool:
    """Whether a request to ``url`` goes to arXiv: a host of arXiv's own
    (``arxiv.org``, ``*.arxiv.org``), or the host and port an arXiv base
    points at (a mirror, or the loopback server of a test). Other servers on
    the same loopback host but another port are not arXiv."""
    if is_arxiv_host(_host(url)):
        return True
    origin = _origin(url)
    if origin is None:
        return False
    return any(origin == _origin(base) for base in endpoints.arxiv_bases)


def arxiv_delay(environ: Mapping[str, str] = os.environ, bases: Endpoints | None = None) -> float:
    """Seconds between two requests to arXiv: 3, or ``PAPERQUEUE_ARXIV_DELAY``
    when it is a number of seconds that is larger, or smaller while every
    arXiv base (of ``bases``, else of ``endpoints(environ)``) points at a
    host that is not arXiv's own."""
    raw = (environ.get(ENV_ARXIV_DELAY) or "").strip()
    if not raw:
        return ARXIV_DELAY
    try:
        wanted = float(raw)
    except ValueError:
        return ARXIV_DELAY
    if not math.isfinite(wanted) or wanted < 0:
        return ARXIV_DELAY
    if wanted >= ARXIV_DELAY:
        return min(wanted, ARXIV_DELAY_MOST)
    chosen = bases if bases is not None else endpoints(environ)
    if any(is_arxiv_host(_host(base)) or not _host(base) for base in chosen.arxiv_bases):
        return ARXIV_DELAY
    return wanted
