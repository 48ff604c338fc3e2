"""The queue in the formats other tools read: BibTeX, Markdown, JSON, CSV.

JSON carries every field and the person's state, and reads back with
``paperqueue import`` into the same queue (keys and state included).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import PurePath

from paperqueue.core.export_bibtex import citation_key, latex_escape, to_bibtex
from paperqueue.core.formats import markdown_escape, markdown_link
from paperqueue.core.models import Paper, PaperDetails, PaperState
from paperqueue.core.views import select
from paperqueue.core.store import Store

FORMATS = ("bibtex", "markdown", "json", "csv")
__all__ = ["FORMATS", "citation_key", "export", "format_for", "latex_escape", "rows", "to_bibtex", "to_csv", "to_json", "to_markdown"]
Row = tuple[Paper, PaperDetails, PaperState]


_EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


def format_for(path: PurePath) -> str | None:
    """The export format a file name asks for by its extension, if any."""
    return _EXTENSIONS.get(path.suffix.lower())


class UnknownBatchError(ValueError):
    pass


class UnknownTagError(ValueError):
    pass


def find_tag(store: Store, name: str) -> str:
    """``name`` (without a leading ``#``) as a tag some paper carries, compared
    without regard to case; the folded form."""
    wanted = name.lstrip("#").casefold()
    known = {tag.casefold(): tag for state in store.states.values() for tag in state.tags}
    if wanted not in known:
        listed = ", ".join(sorted(set(known.values()), key=str.casefold)) or "none yet"
        raise UnknownTagError(f"no tag called {name!r} (tags: {listed})")
    return wanted


def rows(store: Store, view: str = "all", batch: str | None = None, tag: str | None = None,
         limit: int | None = None) -> list[Row]:
    """The papers to export, newest first, with their abstracts and state
    (only those of one batch, or carrying one tag, when asked; only the
    first ``limit``)."""
    papers = select(store.ordered_papers(), store.states, view)
    if batch is not None:
        number = find_batch(store, batch)
        papers = [p for p in papers if p.in_batch(number)]
    if tag is not None:
        wanted_tag = find_tag(store, tag)
        papers = [p for p in papers if wanted_tag in {t.casefold() for t in store.state(p.key).tags}]
    papers = papers[:limit]
    wanted = {p.key for p in papers}
    details = {p.key: d for p, d in store.iter_details() if p.key in wanted}
    return [(p, details.get(p.key, PaperDetails()), store.state(p.key)) for p in papers]


def find_batch(store: Store, name: str) -> int:
    """The batch called ``name`` (exactly, else the only one starting with it)."""
    names = {number: store.batch_name(number) for number in store.live_batches()}
    exact = [n for n, label in names.items() if label == name]
    if exact:
        return max(exact)
    prefixed = [n for n, label in names.items() if label.startswith(name)]
    if len(prefixed) == 1:
        return prefixed[0]
    known = ", ".join(sorted(set(names.values()))) or "none yet"
    raise UnknownBatchError(f"no batch called {name!r} (batches: {known})")


def paper_json(store: Store, paper: Paper, details: PaperDetails, state: PaperState) -> dict:
    return {
        "key": paper.key,
        "arxiv_id": paper.arxiv_id,
        "doi": paper.doi,
        "title": paper.title,
        "abstract": details.abstract,
        "authors": list(details.authors),
        "published": details.published,
        "updated": details.updated,
        "categories": list(details.categories),
        "upvotes": details.upvotes,
        "comments": details.comments,
        "pdf_url": details.pdf_url,
        "links": paper.all_links,
        "primary_link": paper.primary_link,
        "starred": state.starred,
        "read": state.read,
        "added_at": paper.added_at or None,
        "starred_at": state.starred_at,
        "read_at": state.read_at,
        "batches": [store.batch_name(b) for b in paper.batches if b not in store.deleted_batches],
        "tags": list(state.tags),
        "note": state.note,
        "entry_type": details.entry_type,
        "venue": details.venue,
    }


def to_json(store: Store, selected: Iterable[Row]) -> str:
    return json.dumps([paper_json(store, *row) for row in selected], ensure_ascii=False, indent=2) + "\n"


# -- CSV ---------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will show, never run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(store: Store, selected: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer: csv.writer | None = None
    for row in selected:
        record = paper_json(store, *row)
        if writer is None:
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(list(record))
        writer.writerow([_cell(v) for v in record.values()])
    return buffer.getvalue()


# -- Markdown ----------------------------------------------------------------


def _quoted(line: str) -> str:
    """A note line inside the paper's quote, shown as written: escaped
    (:func:`markdown_escape`), its leading blanks kept as no-break spaces
    so four of them do not start a code block."""
    text = line.rstrip()
    body = text.lstrip()
    if not body:
        return "    >"
    return "    > " + "\u00a0" * (len(text) - len(body)) + markdown_escape(body)


def to_markdown(store: Store, selected: Iterable[Row]) -> str:
    lines = []
    for paper, _details, state in selected:
        mark = "x" if state.read else " "
        star = " ★" if state.starred else ""
        tags = "".join(f" #{markdown_escape(tag)}" for tag in state.tags)
        lines.append(f"- [{mark}] {markdown_link(paper.display_title, paper.primary_link)}{star}{tags}")
        if state.note:
            lines.extend(_quoted(line) for line in state.note.splitlines())
    return "".join(line + "\n" for line in lines)


WRITERS = {"bibtex": to_bibtex, "markdown": to_markdown, "json": to_json, "csv": to_csv}


def export(store: Store, fmt: str, view: str = "all", batch: str | None = None, tag: str | None = None) -> str:
    return WRITERS[fmt](store, rows(store, view, batch, tag))
