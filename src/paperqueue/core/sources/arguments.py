"""What ``paperqueue add`` accepts: arXiv ids and URLs, DOIs and doi.org
URLs, Hugging Face paper pages."""

from __future__ import annotations

import re
from urllib.parse import unquote

from paperqueue.core.identity import parse_arxiv_id
from paperqueue.core.importers.record import arxiv_id_from_doi, clean_doi

__all__ = ["parse_add_argument"]

_HF_RE = re.compile(r"(?:https?://)?(?:www\.)?huggingface\.co/papers/([^/?#\s]+)/?(?:[?#]\S*)?", re.IGNORECASE)
_DOI_URL_RE = re.compile(r"(?:https?://)?(?:dx\.|www\.)?doi\.org/(\S+)", re.IGNORECASE)


def parse_add_argument(text: str) -> tuple[str, str] | None:
    """``("arxiv", id)`` (versionless) or ``("doi", doi)`` (as written) for
    one argument, None when it is neither."""
    text = text.strip()
    if not text or len(text) > 2000:
        return None
    arxiv_id = parse_arxiv_id(text)
    if arxiv_id:
        return "arxiv", arxiv_id
    hf = _HF_RE.fullmatch(text)
    if hf:
        arxiv_id = parse_arxiv_id(hf.group(1))
        return ("arxiv", arxiv_id) if arxiv_id else None
    url = _DOI_URL_RE.fullmatch(text)
    doi = clean_doi(unquote(url.group(1).split("#")[0])) if url else clean_doi(text)
    if doi is None:
        return None
    arxiv_id = arxiv_id_from_doi(doi)
    return ("arxiv", arxiv_id) if arxiv_id else ("doi", doi)
