"""paperqueue's own JSON export, read back for round trips.

Accepted shapes: a list of paper objects, or the wrapper
``{"paperqueue": <anything, e.g. a version>, "papers": [paper objects]}``.
A paper object needs ``key`` and ``title``; everything else is optional::

    key                              -> key (one_line'd; required)
    title                            -> title (required; may be "" only when
                                        the paper has an arXiv id)
    arxiv_id                         -> arxiv_id (versionless)
    abstract                         -> abstract
    links, primary_link              -> links (GitHub first; arXiv pages, arXiv
                                        searches and the DOI's doi.org page dropped:
                                        paperqueue makes those itself)
    authors, categories              -> authors, categories (lists of strings)
    published, updated               -> published, updated
    doi                              -> doi
    upvotes, comments                -> upvotes, comments (integers)
    pdf_url                          -> pdf_url (an http(s) URL)
    entry_type, venue                -> entry_type (lower case), venue
    starred, read                    -> state["starred"], state["read"] (booleans)
    added_at, starred_at, read_at    -> state[...] (normalised to "...Z" UTC)
    tags                             -> state["tags"] (tuple of one-line strings)
    note                             -> state["note"] (control characters
                                        removed, line breaks KEPT: a note is
                                        the person's multi-line text)
    batches                          -> batches (names of the batches the paper
                                        was in; the importing queue puts it in
                                        batches of those names)

``state`` holds only the person's fields that were present, and is a dict
(possibly empty) for every paper from this format.  A row without a usable
key or title is a problem line and is skipped (one line per skipped row); a
field of the wrong type is a :class:`PartlyRead` problem line and is left out
(the paper is still imported).  Papers are not ``authoritative``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from paperqueue.core.identity import parse_arxiv_id
from paperqueue.core.importers.record import (
    collect,
    ParsedPaper,
    PartlyRead,
    UnreadableError,
    checked_doi,
    clean_categories,
    clean_names,
    iso_datetime,
    load_json,
    order_links,
    shown,
    take,
)
from paperqueue.core.text import clean_text, one_line

__all__ = ["pq_row", "parse_pq", "pq_rows"]

_SNIFF_ROWS = 20
_ARXIV_SITE_RE = re.compile(r"\s*https?://(?:[\w-]+\.)*arxiv\.org(?:[/?#:]|\Z)", re.IGNORECASE)


def _is_row(row: object) -> bool:
    return isinstance(row, dict) and isinstance(row.get("key"), str) and "title" in row


def pq_rows(data: object) -> list[object] | None:
    """The paper rows of *data* if it has the export's shape, else None."""
    if isinstance(data, dict):
        if "paperqueue" in data and isinstance(data.get("papers"), list):
            return data["papers"]
        return None
    if isinstance(data, list) and any(_is_row(row) for row in data[:_SNIFF_ROWS]):
        return data
    return None


def _strings(row: Mapping[str, object], name: str, where: str, problems: list[str]) -> list[object]:
    value = take(row, name, list, where, problems)
    if value is None:
        return []
    if not all(isinstance(item, str) for item in value):
        problems.append(f'{where}: "{name}" holds a value that is not a string')
    return value


def _stamp(row: Mapping[str, object], name: str, where: str, problems: list[str]) -> str | None:
    value = take(row, name, str, where, problems)
    if value is None:
        return None
    stamp = iso_datetime(value)
    if stamp is None:
        problems.append(f'{where}: "{name}" is not a date: {shown(value)}')
    return stamp


def _state(row: Mapping[str, object], where: str, problems: list[str]) -> dict[str, object]:
    state: dict[str, object] = {}
    for name in ("starred", "read"):
        if name in row:
            flag = take(row, name, bool, where, problems)
            if flag is not None:
                state[name] = flag
    for name in ("added_at", "starred_at", "read_at"):
        if name in row:
            stamp = _stamp(row, name, where, problems)
            if stamp is not None or row[name] is None:
                state[name] = stamp
    if "tags" in row:
        state["tags"] = clean_names(_strings(row, "tags", where, problems))
    note = take(row, "note", str, where, problems)
    if note is not None:
        state["note"] = clean_text(note.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return state


def _row(row: object, where: str, problems: list[str]) -> ParsedPaper | None:
    """One paper, or None; every problem line but the reason a row was
    skipped is a :class:`PartlyRead` warning, so each skipped row counts once."""
    found: list[str] = []
    paper = _read_row(row, where, found)
    if paper is None and found:
        problems.extend(PartlyRead(line) for line in found[:-1])
        problems.append(found[-1])
    else:
        problems.extend(PartlyRead(line) for line in found)
    return paper


def _read_row(row: object, where: str, problems: list[str]) -> ParsedPaper | None:
    if not isinstance(row, dict):
        problems.append(f"{where}: not an object")
        return None
    key = one_line(take(row, "key", str, where, problems) or "")
    if not key:
        problems.append(f"{where}: no key")
        return None
    where = f"{where} ({shown(key, 40)})"
    arxiv_id = None
    raw_id = take(row, "arxiv_id", str, where, problems)
    if raw_id:
        arxiv_id = parse_arxiv_id(raw_id)
        if arxiv_id is None:
            problems.append(f"{where}: not an arXiv id: {shown(raw_id)}")
    title = one_line(take(row, "title", str, where, problems) or "")
    if not title and arxiv_id is None:
        problems.append(f"{where}: no title")
        return None
    links = _strings(row, "links", where, problems)
    primary = take(row, "primary_link", str, where, problems)
    doi = checked_doi(take(row, "doi", str, where, problems), where, problems)
    if primary:
        # The export lists the primary link first among "links"; paperqueue
        # derives it again (arXiv page, doi.org, arXiv title search), so it
        # is kept as a link only when it is something else.
        links = [link for link in links if link != primary]
        if not _derived(primary, doi):
            links = [*links, primary]
    return ParsedPaper(
        title=title,
        abstract=one_line(take(row, "abstract", str, where, problems) or ""),
        arxiv_id=arxiv_id,
        links=order_links(links),
        authors=clean_names(_strings(row, "authors", where, problems)),
        published=_stamp(row, "published", where, problems),
        updated=_stamp(row, "updated", where, problems),
        doi=doi,
        categories=clean_categories(_strings(row, "categories", where, problems), where, problems),
        upvotes=take(row, "upvotes", int, where, problems),
        comments=take(row, "comments", int, where, problems),
        pdf_url=_url(take(row, "pdf_url", str, where, problems)),
        entry_type=one_line(take(row, "entry_type", str, where, problems) or "").lower() or None,
        venue=one_line(take(row, "venue", str, where, problems) or "") or None,
        key=key,
        batches=_batch_names(row, where, problems),
        state=_state(row, where, problems),
    )


def _batch_names(row: Mapping[str, object], where: str, problems: list[str]) -> tuple[str, ...]:
    """Batch names; numbers (what early exports wrote) name nothing outside
    the exporting queue and are passed over in silence."""
    value = take(row, "batches", list, where, problems)
    if not value:
        return ()
    if not all(isinstance(item, (str, int)) and not isinstance(item, bool) for item in value):
        problems.append(f'{where}: "batches" holds a value that is not a name')
    return clean_names(item for item in value if isinstance(item, str))


def _derived(link: str, doi: str | None) -> bool:
    """Whether paperqueue makes ``link`` itself: an arxiv.org page or search,
    or the doi.org page of the paper's DOI."""
    if _ARXIV_SITE_RE.match(link):
        return True
    return doi is not None and link.strip().lower() in {f"https://doi.org/{doi.lower()}", f"http://doi.org/{doi.lower()}"}


def _url(value: str | None) -> str | None:
    text = one_line(value or "")
    return text if text.startswith(("http://", "https://")) and " " not in text else None


def parse_pq(source: str | object) -> tuple[list[ParsedPaper], list[str]]:
    """Papers and problem lines from an export's text (or decoded value).
    Raises :class:`UnreadableError` for invalid JSON or JSON of another
    shape; an empty result is left to the caller."""
    data = load_json(source) if isinstance(source, str) else source
    rows = pq_rows(data)
    if rows is None:
        raise UnreadableError("JSON is not a paperqueue export (a list of papers with key and title)")
    return collect(rows, _row)


pq_row = _row  # one row read on its own (streamed imports)
