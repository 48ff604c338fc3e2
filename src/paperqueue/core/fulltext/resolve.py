"""Which paper an argument of ``paperqueue pdf`` or ``paperqueue read`` names.

In order: a key of the queue (as ``paperqueue list --format json`` shows
it); a key the queue once used for a paper now kept under another (an
alias in ``meta.json``, followed to the paper); an arXiv id in any form
``paperqueue add`` takes (``2401.01234``, ``arXiv:2401.01234v2``, an
arxiv.org abs/pdf/html URL, a Hugging Face paper page), which names the
queue's paper with that id, or, when the queue has none, the arXiv paper
itself (``PaperRef("arxiv:<id>", arxiv_id=...)``: its PDF and text are
cached under that key); a DOI of a paper in the queue.

Only reads the store (opened read-only by the caller); no network.
"""

from __future__ import annotations

from paperqueue.core.fulltext.download import PaperRef
from paperqueue.core.identity import doi_key
from paperqueue.core.models import Paper
from paperqueue.core.sources.arguments import parse_add_argument
from paperqueue.core.store.fold import resolve
from paperqueue.core.text import one_line

__all__ = ["UnknownPaper", "paper_ref"]

_SHOWN = 100  # characters of an argument repeated in a message


class UnknownPaper(ValueError):
    """The argument names no paper that can be fetched. ``str()`` is one line."""


def paper_ref(store, text: str) -> tuple[PaperRef, Paper | None]:  # noqa: ANN001 - a Store (read-only is enough)
    """``(ref, paper)`` for ``text`` (see the module's docstring); ``paper``
    is None for an arXiv paper that is not in the queue.
    :class:`UnknownPaper` when ``text`` names nothing fetchable."""
    raw = text.strip()
    paper = _by_key(store, raw)
    if paper is None:
        parsed = parse_add_argument(raw) if raw else None
        shown = one_line(raw)[:_SHOWN]
        if parsed is None:
            raise UnknownPaper(f"{shown!r} is not a key of the queue, an arXiv id or an arXiv URL")
        kind, value = parsed
        if kind == "arxiv":
            paper = _by_arxiv_id(store, value)
            if paper is None:
                return PaperRef(f"arxiv:{value}", arxiv_id=value), None
        else:
            paper = _by_doi(store, value)
            if paper is None:
                raise UnknownPaper(f"no paper with the DOI {one_line(value)[:_SHOWN]} is in the queue (a DOI is found only there)")
    return _ref(store, paper), paper


def _by_key(store, key: str) -> Paper | None:  # noqa: ANN001
    if not key:
        return None
    paper = store.papers.get(key)
    if paper is None and store.aliases:
        paper = store.papers.get(resolve(key, store.aliases))
    return paper


def _by_arxiv_id(store, arxiv_id: str) -> Paper | None:  # noqa: ANN001
    paper = store.papers.get(f"arxiv:{arxiv_id}")
    if paper is not None and paper.arxiv_id == arxiv_id:
        return paper
    return next((paper for paper in store.papers.values() if paper.arxiv_id == arxiv_id), None)


def _by_doi(store, doi: str) -> Paper | None:  # noqa: ANN001
    wanted = doi_key(doi)
    return next((paper for paper in store.papers.values() if paper.doi and doi_key(paper.doi) == wanted), None)


def _ref(store, paper: Paper) -> PaperRef:  # noqa: ANN001
    """The paper's key and arXiv id; its source's PDF link (read from its
    abstract's shard) only when it has no arXiv id, the only time it is used."""
    details = None
    if not paper.arxiv_id:
        try:
            details = store.details(paper.key)
        except (OSError, KeyError, ValueError):
            details = None
    return PaperRef.of(paper, details)
