"""arXiv: category listings (rss.arxiv.org), searches and papers by id
(the API at export.arxiv.org).

Listings: ``<rss base>/cs.CL+cs.LG``, items kept by announce type (default
new and cross), conditional GET.  Searches: sorted by submission date,
newest first, 100 a page; the first fetch takes the newest *max_results*,
later ones page back to the newest submission date already seen (at most
:data:`MAX_CATCH_UP` entries).  A page that comes back empty while the
first page's ``totalResults`` says more is asked again (a known arXiv API
failure), and if it stays empty the fetch fails as a whole.  Ids: up to 100
a request; an id arXiv calls malformed in its error entry is set aside and
the others asked again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode
from xml.etree.ElementTree import Element

from paperqueue.core.identity import parse_arxiv_id
from paperqueue.core.importers.arxiv_feed import ATOM, parse_atom
from paperqueue.core.importers.record import ParsedPaper, PartlyRead
from paperqueue.core.net.endpoints import Endpoints
from paperqueue.core.sources.common import Fetched, Get, SourceError, body_text, conditional_headers, fetched, remember
from paperqueue.core.sources.feed import feed_root, parse_feed_text
from paperqueue.core.text import one_line

__all__ = ["ANNOUNCE_TYPES", "DEFAULT_TYPES", "MAX_CATCH_UP", "fetch_arxiv_ids", "fetch_arxiv_rss", "fetch_arxiv_search"]

ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})
DEFAULT_TYPES = frozenset({"new", "cross"})
PAGE_SIZE = 100
IDS_PER_REQUEST = 100
EMPTY_PAGE_RETRIES = 3
MAX_CATCH_UP = 2000  # entries a later search fetch pages back through at most
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def fetch_arxiv_rss(get: Get, endpoints: Endpoints, categories: list[str], types: set[str] | None,
                    validators: Mapping[str, Any] | None) -> Fetched:
    """The day's announcements in *categories* (one request for all)."""
    url = endpoints.arxiv_rss + "/" + "+".join(quote(category.strip(), safe=".-") for category in categories)
    validators = dict(validators or {})
    response = get(url, conditional_headers(validators, url))
    if response.not_modified:
        return fetched([], [], validators, 1, not_modified=True)
    wanted = frozenset(types) if types else DEFAULT_TYPES
    papers, problems = parse_feed_text(body_text(response, url), url, wanted)
    http: dict[str, dict[str, str]] = {}
    remember(http, url, response)
    return fetched(papers, problems, {"http": http} if http else {}, 1)


def _atom(text: str, url: str) -> Element:
    kind, root = feed_root(text, url)
    if kind != "atom":
        raise SourceError(url, "not an arXiv API answer (an RSS feed)")
    return root


def _api_errors(root: Element) -> list[str]:
    """The messages of arXiv's error entries (``…/api/errors#…``)."""
    return [
        one_line("".join(entry.findtext(ATOM + "summary") or entry.findtext(ATOM + "title") or "error"))
        for entry in root.findall(ATOM + "entry")
        if "arxiv.org/api/errors" in (entry.findtext(ATOM + "id") or "")
    ]


def _total(root: Element, url: str) -> int:
    text = (root.findtext(_OPENSEARCH + "totalResults") or "").strip()
    if not text.isdigit():
        raise SourceError(url, "the arXiv API answer has no totalResults")
    return int(text)


def _search_url(endpoints: Endpoints, query: str, start: int, size: int) -> str:
    return endpoints.arxiv_api + "?" + urlencode({
        "search_query": query, "sortBy": "submittedDate", "sortOrder": "descending",
        "start": start, "max_results": size,
    })


def fetch_arxiv_search(get: Get, endpoints: Endpoints, query: str, max_results: int,
                       validators: Mapping[str, Any] | None, *, page_size: int = PAGE_SIZE,
                       empty_retries: int = EMPTY_PAGE_RETRIES) -> Fetched:
    """Papers of an arXiv API search, newest submissions first (see the
    module docstring for how far it pages)."""
    newest = (validators or {}).get("newest")
    newest = newest if isinstance(newest, str) and newest else None
    limit = max(0, max_results) if newest is None else MAX_CATCH_UP
    papers: list[ParsedPaper] = []
    problems: list[str] = []
    requests = start = 0
    total: int | None = None
    newest_seen = newest
    while start < limit and (total is None or start < total):
        size = min(page_size, limit - start)
        url = _search_url(endpoints, query, start, size)
        for _attempt in range(1 + empty_retries):
            requests += 1
            root = _atom(body_text(get(url, {}), url), url)
            errors = _api_errors(root)
            if errors:
                raise SourceError(url, "arXiv API error: " + errors[0])
            page_total = _total(root, url)
            total = page_total if total is None else total
            entries = len(root.findall(ATOM + "entry"))
            if entries or start >= total:
                break
        else:
            raise SourceError(url, f"the page at {start:,} came back empty {1 + empty_retries} times "
                                   f"while arXiv reports {total:,} results")
        if not entries:
            break
        page_papers, page_problems = parse_atom(root)
        problems += page_problems
        reached = False
        for paper in page_papers:
            if newest and paper.published and paper.published < newest:
                reached = True
                continue
            papers.append(paper)
            if paper.published and (newest_seen is None or paper.published > newest_seen):
                newest_seen = paper.published
        start += entries
        if reached:
            break
    else:
        if newest is not None and total is not None and start < total and start >= limit:
            problems.append(PartlyRead(f"stopped after {limit:,} papers; older ones were not fetched"))
    return fetched(papers, problems, {"newest": newest_seen} if newest_seen else {}, requests)


def _unique_ids(ids: list[str]) -> tuple[list[str], list[str]]:
    """(arXiv ids without version, in order, once each; the strings that are not ids)."""
    found: dict[str, None] = {}
    bad: list[str] = []
    for raw in ids:
        parsed = parse_arxiv_id(raw)
        if parsed:
            found.setdefault(parsed)
        elif raw.strip():
            bad.append(raw.strip())
    return list(found), bad


def _named_in(arxiv_id: str, message: str) -> bool:
    return arxiv_id in re.split(r"[\s,;]+", message)


def fetch_arxiv_ids(get: Get, endpoints: Endpoints, ids: list[str]) -> tuple[Fetched, list[str]]:
    """The papers of *ids* (versions ignored), and the ids arXiv does not
    know (its error entry names them, or the answer leaves them out)."""
    wanted, unknown = _unique_ids(ids)
    papers: list[ParsedPaper] = []
    problems: list[str] = []
    requests = 0
    for begin in range(0, len(wanted), IDS_PER_REQUEST):
        pending = wanted[begin:begin + IDS_PER_REQUEST]
        while pending:
            url = endpoints.arxiv_api + "?" + urlencode({"id_list": ",".join(pending), "max_results": len(pending)})
            requests += 1
            root = _atom(body_text(get(url, {}), url), url)
            errors = _api_errors(root)
            if errors:
                named = [arxiv_id for arxiv_id in pending if any(_named_in(arxiv_id, e) for e in errors)]
                if not named:
                    raise SourceError(url, "arXiv API error: " + errors[0])
                unknown += named
                pending = [arxiv_id for arxiv_id in pending if arxiv_id not in named]
                continue
            page_papers, page_problems = parse_atom(root)
            asked = set(pending)
            got = set()
            for paper in page_papers:
                if paper.arxiv_id in asked and paper.arxiv_id not in got:
                    got.add(paper.arxiv_id)
                    papers.append(paper)
            problems += page_problems
            unknown += [arxiv_id for arxiv_id in pending if arxiv_id not in got]
            break
    return fetched(papers, problems, {}, requests), unknown
