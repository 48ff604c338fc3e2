"""What one import entry gives a paper's records: its details, the facts
that tell two records of one title apart (year, first author), a DOI worth
matching on, and how batches and details join. Used by the merge and the
fold (:mod:`.merge`, :mod:`.fold`)."""

from __future__ import annotations

from paperqueue.core.identity import first_surname, year_of
from paperqueue.core.importers.record import ParsedPaper, arxiv_id_from_doi
from paperqueue.core.models import Paper, PaperDetails

DETAIL_FIELDS = ("authors", "published", "updated", "categories", "pdf_url", "entry_type", "venue")


def real_doi(doi: str | None) -> str | None:
    """A DOI worth matching on: not one of arXiv's own."""
    return doi if doi and not arxiv_id_from_doi(doi) else None


def facts_of(item: ParsedPaper) -> tuple[int | None, str | None]:
    return year_of(item.published), first_surname(item.authors)


def joined(batches: tuple[int, ...], more: tuple[int, ...]) -> tuple[int, ...]:
    missing = tuple(b for b in more if b not in batches)
    return (*batches, *missing) if missing else batches


def content(paper: Paper) -> tuple:
    return (paper.title, paper.arxiv_id, paper.doi, paper.links)


def added_at_of(item: ParsedPaper) -> str | None:
    value = item.state.get("added_at") if item.state else None
    return value if isinstance(value, str) and value else None


def details_of(item: ParsedPaper) -> PaperDetails:
    return PaperDetails(
        abstract=item.abstract,
        authors=tuple(item.authors),
        published=item.published,
        updated=item.updated,
        categories=tuple(item.categories),
        upvotes=item.upvotes,
        comments=item.comments,
        pdf_url=item.pdf_url,
        entry_type=item.entry_type,
        venue=item.venue,
    )


def filled(old: PaperDetails, item: ParsedPaper, abstract: str) -> PaperDetails:
    """``old`` with its gaps filled from ``item``; counts take the newer value."""
    values = {name: getattr(old, name) or getattr(item, name) for name in DETAIL_FIELDS}
    values["authors"] = tuple(values["authors"] or ())
    values["categories"] = tuple(values["categories"] or ())
    return PaperDetails(
        abstract=abstract,
        upvotes=item.upvotes if item.upvotes is not None else old.upvotes,
        comments=item.comments if item.comments is not None else old.comments,
        **values,
    )
