"""The queue in the formats other tools read: BibTeX, Markdown, JSON, CSV.

JSON carries every field and the person's state, and reads back with
``paperqueue import`` into the same queue (keys and state included).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable

from paperqueue.core.formats import markdown_link
from paperqueue.core.models import Paper, PaperDetails, PaperState
from paperqueue.core.queue import select
from paperqueue.core.store import Store

FORMATS = ("bibtex", "markdown", "json", "csv")
Row = tuple[Paper, PaperDetails, PaperState]


class UnknownBatchError(ValueError):
    pass


def rows(store: Store, view: str = "all", batch: str | None = None) -> list[Row]:
    """The papers to export, newest first, with their abstracts and state."""
    papers = select(store.ordered_papers(), store.states, view)
    if batch is not None:
        number = find_batch(store, batch)
        papers = [p for p in papers if p.in_batch(number)]
    wanted = {p.key for p in papers}
    details = {p.key: d for p, d in store.iter_details() if p.key in wanted}
    return [(p, details.get(p.key, PaperDetails()), store.state(p.key)) for p in papers]


def find_batch(store: Store, name: str) -> int:
    """The batch called ``name`` (exactly, else the only one starting with it)."""
    names = {number: store.batch_name(number) for number in store.batch_info}
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
        "batches": [store.batch_name(b) for b in paper.batches],
        "tags": list(state.tags),
        "note": state.note,
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


def to_markdown(store: Store, selected: Iterable[Row]) -> str:
    lines = []
    for paper, _details, state in selected:
        mark = "x" if state.read else " "
        star = " ★" if state.starred else ""
        tags = "".join(f" #{tag}" for tag in state.tags)
        lines.append(f"- [{mark}] {markdown_link(paper.display_title, paper.primary_link)}{star}{tags}")
        if state.note:
            lines.extend(f"    > {line}" if line else "    >" for line in state.note.splitlines())
    return "".join(line + "\n" for line in lines)


# -- BibTeX ------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))
_STOP = {"a", "an", "the", "on", "of", "for", "and", "in", "to", "with", "from", "via", "is", "are", "towards", "toward"}


def latex_escape(text: str) -> str:
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group()], text)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def citation_key(paper: Paper, details: PaperDetails) -> str:
    """``lastname`` + ``year`` + first significant title word: vaswani2017attention."""
    author = details.authors[0].split()[-1] if details.authors else "anon"
    year = (details.published or "")[:4]
    year = year if year.isdigit() else "nd"
    words = [w for w in re.findall(r"[^\W_]+", paper.display_title) if w.lower() not in _STOP]
    word = _ascii_word(words[0]) if words else "paper"
    return f"{_ascii_word(author) or 'anon'}{year}{word}"


def to_bibtex(store: Store, selected: Iterable[Row]) -> str:
    entries = []
    used: dict[str, int] = {}
    for paper, details, _state in selected:
        key = citation_key(paper, details)
        count = used.get(key, 0)
        used[key] = count + 1
        if count:
            key += "abcdefghijklmnopqrstuvwxyz"[(count - 1) % 26] * (1 + (count - 1) // 26)
        fields = [("title", "{" + latex_escape(paper.display_title) + "}")]
        if details.authors:
            fields.append(("author", " and ".join(latex_escape(a) for a in details.authors)))
        year = (details.published or "")[:4]
        if year.isdigit():
            fields.append(("year", year))
        if paper.arxiv_id:
            fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
            if details.categories:
                fields.append(("primaryClass", details.categories[0]))
        if paper.doi:
            fields.append(("doi", paper.doi))
        if paper.arxiv_id or paper.doi:  # a search URL is no citation (and its % would break LaTeX)
            fields.append(("url", paper.primary_link))
        if details.abstract:
            fields.append(("abstract", latex_escape(details.abstract)))
        if _state.tags:
            fields.append(("keywords", latex_escape(", ".join(_state.tags))))
        if _state.note:
            fields.append(("note", latex_escape(" ".join(_state.note.split()))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


WRITERS = {"bibtex": to_bibtex, "markdown": to_markdown, "json": to_json, "csv": to_csv}


def export(store: Store, fmt: str, view: str = "all", batch: str | None = None) -> str:
    return WRITERS[fmt](store, rows(store, view, batch))
