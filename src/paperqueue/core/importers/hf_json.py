"""Hugging Face daily papers JSON (the ``/api/daily_papers`` response).

Accepted shapes: a list of rows, a single row object, or ``{"papers": [rows]}``.
A row is ``{"paper": {...}, "numComments": 3, "publishedAt": ..., ...}``;
a bare paper object (``{"id": ..., "title": ..., "summary": ...}``, as
``/api/papers/<id>`` returns) is taken as a row too.

Field mapping (``paper`` is the row's paper object)::

    paper.id                       -> arxiv_id (versionless; required)
    paper.title  (or row.title)    -> title (required)
    paper.summary (or row.summary) -> abstract
    paper.authors[].name           -> authors (plain strings accepted too)
    paper.publishedAt (or row's)   -> published
    paper.upvotes                  -> upvotes
    row.numComments                -> comments
    paper.githubRepo, projectPage  -> links (GitHub first)

Titles, summaries and author names are arXiv's text and may hold TeX: it
is decoded as in the arXiv feeds
(:func:`~paperqueue.core.importers.latex.tex_in_prose`; math kept).

Every paper is ``authoritative``.  A row that is not an object, or lacks a
paper, an arXiv id or a title, is a problem line and is skipped; a field of
the wrong type is a problem line and is left out.
"""

from __future__ import annotations

from collections.abc import Mapping

from paperqueue.core.identity import parse_arxiv_id
from paperqueue.core.importers.latex import tex_in_prose
from paperqueue.core.importers.record import (
    collect,
    ParsedPaper,
    UnreadableError,
    clean_names,
    iso_datetime,
    load_json,
    order_links,
    shown,
    take,
)
from paperqueue.core.text import one_line

__all__ = ["hf_row", "hf_rows", "parse_hf"]

_SNIFF_ROWS = 20  # rows looked at to recognise the shape


def _paper_of(row: Mapping[str, object]) -> Mapping[str, object] | None:
    paper = row.get("paper")
    if isinstance(paper, dict):
        return paper
    if paper is None and "id" in row and ("summary" in row or "upvotes" in row):
        return row  # a bare paper object
    return None


def hf_rows(data: object) -> list[object] | None:
    """The rows of *data* if it has the daily-papers shape, else None."""
    if isinstance(data, dict):
        if "papers" in data and isinstance(data["papers"], list) and "paperqueue" not in data:
            data = data["papers"]
        elif _paper_of(data) is not None:
            return [data]
        else:
            return None
    if not isinstance(data, list):
        return None
    rows = [row for row in data[:_SNIFF_ROWS] if isinstance(row, dict)]
    if rows and any(_paper_of(row) is not None for row in rows):
        return data
    return None


def _authors(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f'{where}: "authors" is not a list')
        return ()
    names = [item.get("name") if isinstance(item, dict) else item for item in value]
    return clean_names(_tex(name) if isinstance(name, str) else name for name in names)


def _tex(text: str) -> str:
    return one_line(tex_in_prose(text)) if text else ""


def _row(row: object, where: str, problems: list[str]) -> ParsedPaper | None:
    if not isinstance(row, dict):
        problems.append(f"{where}: not an object")
        return None
    paper = _paper_of(row)
    if paper is None:
        problems.append(f'{where}: no "paper" object')
        return None
    raw_id = paper.get("id")
    if raw_id is None:
        problems.append(f"{where}: no arXiv id")
        return None
    arxiv_id = parse_arxiv_id(raw_id) if isinstance(raw_id, str) else None
    if arxiv_id is None:
        problems.append(f"{where}: not an arXiv id: {shown(raw_id)}")
        return None

    def either(name: str) -> str | None:  # the paper's value, else the row's
        value = take(paper, name, str, where, problems)
        if not value and paper is not row:
            value = take(row, name, str, where, problems)
        return value

    title = _tex(either("title") or "")
    if not title:
        problems.append(f"{where}: no title")
        return None
    return ParsedPaper(
        title=title,
        abstract=_tex(either("summary") or ""),
        arxiv_id=arxiv_id,
        links=order_links(
            take(paper, name, str, where, problems) for name in ("githubRepo", "projectPage")
        ),
        authors=_authors(paper.get("authors"), where, problems),
        published=iso_datetime(either("publishedAt")),
        upvotes=take(paper, "upvotes", int, where, problems),
        comments=take(row, "numComments", int, where, problems),
        authoritative=True,
    )


def parse_hf(source: str | object) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines from daily-papers JSON text (or its decoded
    value).  Raises :class:`UnreadableError` for invalid JSON or JSON of
    another shape; an empty result is left to the caller."""
    data = load_json(source) if isinstance(source, str) else source
    rows = hf_rows(data)
    if rows is None:
        raise UnreadableError("JSON is not a list of daily-papers rows")
    return collect(rows, _row)


hf_row = _row  # one row read on its own (streamed imports)
