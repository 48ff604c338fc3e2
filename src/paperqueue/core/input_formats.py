"""Which format a file is, and its papers as a stream
(:func:`open_papers`): a page line by line, a BibTeX file entry by entry
(see :mod:`~paperqueue.core.importers.bibtex`), JSON row by row (see
:mod:`~paperqueue.core.importers.json_stream`) and an Atom or RSS feed
entry by entry (each entry's element dropped once read), so memory stays
bounded whatever the file holds. Detection reads the head, then for JSON
the first rows (for a top-level object, its members: the ``"papers"``
items past the first few are stepped over, not kept), for XML up to the
root element. A stream that breaks off raises where it breaks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paperqueue.core.importers import json_stream
from paperqueue.core.importers.arxiv_feed import iter_atom, xml_root_tag
from paperqueue.core.importers.rss_feed import channel_date, iter_rss
from paperqueue.core.importers.bibtex import chunks_of, iter_bibtex
from paperqueue.core.importers.detect import (
    FORMATS,
    Problems,
    head_kind,
    json_marks,
    json_shape,
    no_papers,
    parse_text,
    xml_format,
)
from paperqueue.core.importers.hf_json import hf_row, hf_rows
from paperqueue.core.importers.page import ParsedPaper, iter_page
from paperqueue.core.importers.pq_json import pq_row, pq_rows
from paperqueue.core.importers.record import UnreadableError, load_json
from paperqueue.core.input_files import (
    TextBlocks,
    UnusableFileError,
    Utf8Bytes,
    check_file,
    head_text,
    read_lines,
    read_text,
    text_blocks,
)
from paperqueue.core.store.merge import Progress
from paperqueue.core.text import one_line


def iter_file(path: Path, progress: Progress | None = None) -> Iterator[ParsedPaper]:
    """Papers from a page at ``path``; raises :class:`UnusableFileError` (at
    the end at the latest) when the file holds no title/abstract pair at all."""
    size = check_file(path)
    on_bytes = (lambda done: progress("reading", done, size)) if progress else None
    with_abstract = 0
    for paper in iter_page(read_lines(path, on_bytes)):
        with_abstract += bool(paper.abstract)
        yield paper
    if not with_abstract:
        raise UnusableFileError(path, "no papers found (no title/abstract pairs)")


def iter_bibtex_file(path: Path, problems: Problems, progress: Progress | None = None) -> Iterator[ParsedPaper]:
    """Papers from a BibTeX file, read entry by entry (never whole); problem
    lines go to *problems*.  Raises :class:`UnusableFileError` at the end
    when no entry gave a paper."""
    size = check_file(path)
    on_bytes = [(lambda done: progress("reading", done, size))] if progress else []

    def open_chunks() -> Iterator:
        # Progress follows the first reading (the papers); the readings
        # that look up crossref parents on the way do not report.
        return chunks_of(text_blocks(path, on_bytes.pop() if on_bytes else None))

    count = 0
    for paper in iter_bibtex(open_chunks, problems.add):
        count += 1
        yield paper
    if not count:
        first = problems.kept[0] if problems.kept else None
        raise UnusableFileError(path, f"{FORMATS['bibtex']}: {no_papers('bibtex', first)}")



@dataclass
class Opened:
    """A file being read: its format, its papers (a stream for every format
    but id lists: a file can be huge) and its problem lines (filled as the
    stream is read: look at them after the papers)."""

    format: str
    papers: Iterable[ParsedPaper]
    problems: Problems = field(default_factory=Problems)


_WHOLE_FOR_MESSAGES = 8 << 20  # bytes: a broken JSON file this small is decoded whole for json's message


def _json_error(path: Path, size: int, error: Exception) -> str:
    """The one-line reason for JSON ijson could not read: json's own
    message (line and column) when the file is small enough to decode
    whole, else ijson's first line."""
    if size <= _WHOLE_FOR_MESSAGES:
        try:
            load_json(read_text(path))
        except UnreadableError as whole:
            return str(whole)
    first = one_line(str(error).splitlines()[0] if str(error) else type(error).__name__)
    hint = " (truncated file?)" if "premature EOF" in first or "Incomplete" in first else ""
    return f"invalid JSON: {first[:100]}{hint}"


def _sniff_json(path: Path, size: int) -> json_stream.Sniffed:
    with Utf8Bytes(path) as stream:
        try:
            return json_stream.sniff(stream)
        except json_stream.JSONError as error:
            raise UnreadableError(_json_error(path, size, error)) from None


def iter_json_file(path: Path, fmt: str, sniffed: json_stream.Sniffed, problems: Problems,
                   progress: Progress | None = None) -> Iterator[ParsedPaper]:
    """Papers from daily-papers JSON (*fmt* "hf") or a paperqueue export
    ("pq"), read row by row; problem lines go to *problems*.  Raises
    :class:`UnusableFileError` when the JSON breaks off (at that point) or
    when no row gave a paper (at the end)."""
    size = check_file(path)
    read_row = hf_row if fmt == "hf" else pq_row
    found = hf_rows(sniffed.data) if fmt == "hf" else pq_rows(sniffed.data)
    count = 0

    def row_paper(number: int, row: object) -> ParsedPaper | None:
        lines: list[str] = []
        paper = read_row(row, f"entry {number}", lines)
        for line in lines:
            problems.add(line)
        return paper

    if sniffed.kind == "object" and found is not sniffed.data.get("papers"):  # type: ignore[union-attr]
        # One row object (daily papers' single-paper shape): read already.
        papers = (row_paper(number, row) for number, row in enumerate(found or [], 1))
        for paper in papers:
            if paper is not None:
                count += 1
                yield paper
    else:
        where = "item" if sniffed.kind == "list" else "papers.item"
        on_bytes = (lambda done: progress("reading", done, size)) if progress else None
        with Utf8Bytes(path, on_bytes) as stream:
            rows = json_stream.rows(stream, where)
            number = 0
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except json_stream.JSONError as error:
                    raise UnusableFileError(path, f"{FORMATS[fmt]}: {_json_error(path, size, error)}") from None
                number += 1
                paper = row_paper(number, row)
                if paper is not None:
                    count += 1
                    yield paper
    if not count:
        first = problems.kept[0] if problems.kept else None
        raise UnusableFileError(path, f"{FORMATS[fmt]}: {no_papers(fmt, first)}")


def iter_feed_file(path: Path, fmt: str, problems: Problems, progress: Progress | None = None) -> Iterator[ParsedPaper]:
    """Papers from an Atom (*fmt* "atom") or RSS ("rss") feed, read entry
    by entry (each entry's element dropped once read); problem lines go to
    *problems*.  Raises :class:`UnusableFileError` for XML that breaks off
    or is refused (where it happens), or when no entry gave a paper."""
    size = check_file(path)
    on_bytes = (lambda done: progress("reading", done, size)) if progress else None
    count = 0
    try:
        if fmt == "atom":
            with TextBlocks(path, on_bytes) as stream:
                for paper in iter_atom(stream, problems.add):
                    count += 1
                    yield paper
        else:
            with TextBlocks(path) as stream:
                date = channel_date(stream)
            with TextBlocks(path, on_bytes) as stream:
                for paper in iter_rss(stream, date, problems.add):
                    count += 1
                    yield paper
    except UnreadableError as error:
        raise UnusableFileError(path, f"{FORMATS[fmt]}: {error}") from None
    if not count:
        first = problems.kept[0] if problems.kept else None
        raise UnusableFileError(path, f"{FORMATS[fmt]}: {no_papers(fmt, first)}")


def _open_json(path: Path, size: int, head: str, progress: Progress | None, sure: bool) -> Opened | None:
    """The JSON file at *path* opened as a stream.  When not *sure* (a head
    such as ``[1]``: JSON only if it decodes) None for a file whose outline
    does not decode into a list or an object."""
    if not sure:
        with Utf8Bytes(path) as stream:
            if not json_stream.decodes(stream):
                return None
    try:
        sniffed = _sniff_json(path, size)
    except UnreadableError as error:
        if not sure:
            return None
        marked = json_marks(head.lstrip("\ufeff \t\r\n"))
        if marked:
            raise UnusableFileError(path, f"{FORMATS[marked]}: {error}") from None
        raise UnusableFileError(path, str(error)) from None
    if not sure and sniffed.kind == "scalar":
        return None
    try:
        fmt = json_shape(sniffed.data)
    except UnreadableError as error:
        raise UnusableFileError(path, str(error)) from None
    problems = Problems()
    return Opened(fmt, iter_json_file(path, fmt, sniffed, problems, progress), problems)


def _xml_format(path: Path) -> str:
    """atom / rss from the root element, parsing only up to it."""
    try:
        with TextBlocks(path) as stream:
            return xml_format(xml_root_tag(stream))
    except UnreadableError as error:
        raise UnusableFileError(path, str(error)) from None


def open_papers(path: Path, progress: Progress | None = None) -> Opened:
    """Detect the format from the content and start reading.
    Raises :class:`UnusableFileError` for unusable input (for a stream, at
    the latest when it ends)."""
    size = check_file(path)
    head = head_text(path)
    try:
        kind = head_kind(head, path.name)
        if kind in ("json", "json?"):
            opened = _open_json(path, size, head, progress, sure=kind == "json")
            if opened is not None:
                return opened
            kind = head_kind(head, path.name, json=False)
    except UnreadableError as error:
        raise UnusableFileError(path, str(error)) from None
    if kind == "xml":
        kind = _xml_format(path)
    if kind == "page":
        return Opened(kind, iter_file(path, progress))
    problems = Problems()
    if kind == "bibtex":
        return Opened(kind, iter_bibtex_file(path, problems, progress), problems)
    if kind in ("atom", "rss"):
        return Opened(kind, iter_feed_file(path, kind, problems, progress), problems)
    try:
        parsed = parse_text(read_text(path), path.name)
    except UnreadableError as error:
        raise UnusableFileError(path, f"{FORMATS[kind]}: {error}") from None
    problems.kept, problems.total, problems.not_understood = parsed.problems, len(parsed.problems), parsed.not_understood
    return Opened(parsed.format, parsed.papers, problems)


