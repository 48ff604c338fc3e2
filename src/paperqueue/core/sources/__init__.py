"""The web sources papers arrive from (issue 11): arXiv category listings,
arXiv searches and ids, Hugging Face daily papers, Crossref, any feed.

Each source is a plain function over ``get(url, headers) -> Response`` (the
HTTP client's ``Client.get``, or a fake in tests): it builds its URLs and
conditional headers, reads the answers through the importers, and returns a
:class:`Fetched`, or raises :class:`SourceError` when the whole fetch must
fail (nothing of it may land).  HTTP failures (timeouts, refusals, 4xx/5xx
after the client's retries) come out of ``get`` as the client's own
``FetchError`` and are left to the caller.
"""

from paperqueue.core.sources.arguments import parse_add_argument
from paperqueue.core.sources.arxiv import fetch_arxiv_ids, fetch_arxiv_rss, fetch_arxiv_search
from paperqueue.core.sources.common import Fetched, Get, SourceError
from paperqueue.core.sources.crossref import fetch_crossref
from paperqueue.core.sources.feed import fetch_feed
from paperqueue.core.sources.hf import fetch_hf_daily

__all__ = [
    "Fetched",
    "Get",
    "SourceError",
    "fetch_arxiv_ids",
    "fetch_arxiv_rss",
    "fetch_arxiv_search",
    "fetch_crossref",
    "fetch_feed",
    "fetch_hf_daily",
    "parse_add_argument",
]
