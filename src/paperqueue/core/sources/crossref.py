"""One work by DOI from Crossref: ``<crossref base>/works/<doi>``."""

from __future__ import annotations

from urllib.parse import quote

from paperqueue.core.importers.crossref import parse_crossref
from paperqueue.core.importers.record import UnreadableError
from paperqueue.core.net.endpoints import Endpoints
from paperqueue.core.sources.common import Fetched, Get, SourceError, body_text, fetched, status_of

__all__ = ["fetch_crossref"]


def fetch_crossref(get: Get, endpoints: Endpoints, doi: str) -> Fetched | None:
    """The work *doi* names, or None when Crossref does not know it (404)."""
    url = endpoints.crossref_api + "/works/" + quote(doi.strip(), safe="/:;()[]@!$'*+,=")
    try:
        response = get(url, {})
    except Exception as error:
        if status_of(error) == 404:
            return None
        raise
    if response.status == 404:
        return None
    text = body_text(response, url)
    try:
        paper = parse_crossref(text)
    except UnreadableError as error:
        raise SourceError(url, str(error)) from None
    return fetched([paper], [], {}, 1)
