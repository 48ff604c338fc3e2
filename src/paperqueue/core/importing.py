"""Reading input files into the store, with one-line reasons for refusals.

Only regular files are read: a named pipe, a device or a socket is refused
before it is opened for reading (opening a pipe would wait for a writer,
and a device such as ``/dev/zero`` never ends).  Every file is read in
bounded blocks, and a NUL byte anywhere refuses it as binary, so memory
stays bounded whatever the file holds: a page streams line by line (a line
over :data:`LONGEST_LINE` characters refuses the file), a BibTeX file
streams entry by entry (see :mod:`~paperqueue.core.importers.bibtex`), JSON
row by row (see :mod:`~paperqueue.core.importers.json_stream`) and an Atom or
RSS feed entry by entry (each entry's element dropped once read).  Only a
list of arXiv ids is read whole.  Format detection reads the head, then for
JSON the first rows (for a top-level object, its members: the ``"papers"``
items past the first few are stepped over, not kept), for XML up to the root
element.  Nothing is committed until the whole file has been read and found
usable: a stream that breaks off raises where it breaks, and the import
lands nothing.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from paperqueue.core.importers.bibtex import chunks_of, iter_bibtex
from paperqueue.core.importers import json_stream
from paperqueue.core.importers.arxiv_feed import channel_date, iter_atom, iter_rss, xml_root_tag
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
from paperqueue.core.importers.pq_json import pq_row, pq_rows
from paperqueue.core.importers.page import ParsedPaper, iter_page
from paperqueue.core.importers.record import UnreadableError, load_json
from paperqueue.core.models import ImportResult
from paperqueue.core.search import SearchIndex
from paperqueue.core.store import Store
from paperqueue.core.store import layout
from paperqueue.core.store.merge import ImportLog, Progress
from paperqueue.core.text import one_line

_SNIFF = 64 * 1024
BLOCK = 1 << 20  # bytes read at a time
LONGEST_LINE = 8 << 20  # characters in one line of a page; longer refuses the file

_KINDS = (
    (stat.S_ISDIR, "is a directory, not a file"),
    (stat.S_ISFIFO, "is a named pipe, not a file"),
    (stat.S_ISCHR, "is a device, not a file"),
    (stat.S_ISBLK, "is a device, not a file"),
    (stat.S_ISSOCK, "is a socket, not a file"),
)


class UnusableFileError(Exception):
    """A file that cannot be imported; the message is one line for the user."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode cannot be read as a file, or None."""
    if stat.S_ISREG(mode):
        return None
    return next((reason for test, reason in _KINDS if test(mode)), "is not a regular file")


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, IsADirectoryError):
        return "is a directory, not a file"
    return error.strerror or str(error)


def open_regular(path: Path) -> io.FileIO:
    """``path`` opened for reading in binary, unbuffered; anything but a
    regular file (a link to one is fine) raises :class:`UnusableFileError`
    without blocking.  The mode is checked before opening and again on the
    open descriptor (a pipe swapped in between is caught: ``O_NONBLOCK``
    keeps its open from waiting for a writer)."""
    try:
        reason = _not_regular(os.stat(path).st_mode)
        if reason:
            raise UnusableFileError(path, reason)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as error:
        raise UnusableFileError(path, _os_reason(error)) from None
    try:
        reason = _not_regular(os.fstat(fd).st_mode)
        if reason:
            raise UnusableFileError(path, reason)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return io.FileIO(fd, "rb", closefd=True)


def _nul_refusal(path: Path, offset: int) -> UnusableFileError:
    return UnusableFileError(path, f"binary file (not text): a NUL byte at offset {offset:,}")


def check_file(path: Path) -> int:
    """The file's size, or :class:`UnusableFileError` saying why it is unusable
    (not a regular file, empty, a NUL byte in its head).  The rest of the
    file is checked as it is read."""
    with open_regular(path) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(_SNIFF)
        except OSError as error:
            raise UnusableFileError(path, _os_reason(error)) from None
    if not head:
        raise UnusableFileError(path, "file is empty")
    if (nul := head.find(b"\x00")) >= 0:
        raise _nul_refusal(path, nul)
    return size


class _CheckedReader(io.RawIOBase):
    """The bytes of a regular file, refused at the first NUL byte; calls
    ``on_bytes(done)`` now and then."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.done = 0
        self._file = open_regular(path)
        self._on_bytes = on_bytes
        self._reported = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        try:
            data = self._file.read(len(buffer))
        except OSError as error:
            raise UnusableFileError(self.path, _os_reason(error)) from None
        if (nul := data.find(b"\x00")) >= 0:
            raise _nul_refusal(self.path, self.done + nul)
        count = len(data)
        buffer[:count] = data
        self.done += count
        if self._on_bytes and self.done - self._reported >= 4 * BLOCK:
            self._reported = self.done
            self._on_bytes(self.done)
        return count

    def close(self) -> None:
        self._file.close()
        super().close()


def open_text(path: Path, on_bytes: Callable[[int], None] | None = None) -> io.TextIOWrapper:
    """The file as UTF-8 text (a BOM dropped, line ends kept as they are),
    read in blocks of :data:`BLOCK` bytes, refused at the first NUL."""
    raw = _CheckedReader(path, on_bytes)
    return io.TextIOWrapper(io.BufferedReader(raw, BLOCK), encoding="utf-8-sig", errors="strict", newline="")


def read_lines(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The file's lines (line ends kept), decoded strictly as UTF-8; a line
    longer than :data:`LONGEST_LINE` characters refuses the file (it is
    never held whole)."""
    number = 0
    try:
        with open_text(path, progress) as handle:
            while line := handle.readline(LONGEST_LINE):
                number += 1
                if len(line) == LONGEST_LINE and not line.endswith(("\n", "\r")) and handle.read(1):
                    raise UnusableFileError(
                        path, f"line {number:,} is longer than {LONGEST_LINE >> 20} MB: not a text page of papers"
                    )
                yield line
    except UnicodeDecodeError:
        raise UnusableFileError(path, f"not UTF-8 text (undecodable bytes in line {number + 1:,})") from None
    except OSError as error:
        raise UnusableFileError(path, _os_reason(error)) from None


def text_blocks(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[str]:
    """The file as UTF-8 text in pieces of about :data:`BLOCK` characters
    (a BOM dropped, line ends as they are), refused at the first NUL byte
    or undecodable byte."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    with _CheckedReader(path, on_bytes) as raw:
        offset = 0
        while True:
            data = raw.read(BLOCK)
            held = len(decoder.getstate()[0])
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as error:
                where = offset - held + error.start
                raise UnusableFileError(path, f"not UTF-8 text (bad byte at offset {where:,})") from None
            offset += len(data)
            if text:
                yield text
            if not data:
                return


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


def _head(path: Path) -> str:
    """The first bytes of the file as text, for format detection."""
    with open_regular(path) as handle:
        return handle.read(_SNIFF).decode("utf-8-sig", errors="ignore")


def read_text(path: Path) -> str:
    """The whole file as text (for formats parsed whole: id lists), read in
    blocks and refused at the first NUL or bad byte."""
    return "".join(text_blocks(path))


class _Utf8Bytes(io.RawIOBase):
    """The bytes of a regular file for a JSON stream: a leading BOM dropped,
    refused at the first NUL byte or the first byte that is not UTF-8."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None = None) -> None:
        self.path = path
        self._raw = _CheckedReader(path, on_bytes)
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._offset = 0
        self._started = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(BLOCK if size is None or size < 0 else size) or b""
        held = len(self._decoder.getstate()[0])
        try:
            self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            where = self._offset - held + error.start
            raise UnusableFileError(self.path, f"not UTF-8 text (bad byte at offset {where:,})") from None
        self._offset += len(data)
        if not self._started and data:
            self._started = True
            data = data.removeprefix(codecs.BOM_UTF8)
            if not data:  # only the BOM in this read: read on
                return self.read(size)
        return data

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Blocks:
    """:func:`text_blocks` as a file for ``iterparse`` (its ``read`` hands
    out the next block, whatever the size asked for)."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None = None) -> None:
        self._blocks = text_blocks(path, on_bytes)

    def read(self, _size: int = -1) -> str:
        return next(self._blocks, "")

    def __enter__(self) -> _Blocks:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._blocks.close()


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
    with _Utf8Bytes(path) as stream:
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
        with _Utf8Bytes(path, on_bytes) as stream:
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
            with _Blocks(path, on_bytes) as stream:
                for paper in iter_atom(stream, problems.add):
                    count += 1
                    yield paper
        else:
            with _Blocks(path) as stream:
                date = channel_date(stream)
            with _Blocks(path, on_bytes) as stream:
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
        with _Utf8Bytes(path) as stream:
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
        with _Blocks(path) as stream:
            return xml_format(xml_root_tag(stream))
    except UnreadableError as error:
        raise UnusableFileError(path, str(error)) from None


def open_papers(path: Path, progress: Progress | None = None) -> Opened:
    """Detect the format from the content and start reading.
    Raises :class:`UnusableFileError` for unusable input (for a stream, at
    the latest when it ends)."""
    size = check_file(path)
    head = _head(path)
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


def import_file(
    store: Store,
    path: Path,
    source: str | None = None,
    progress: Progress | None = None,
    *,
    name: str | None = None,
    dry_run: bool = False,
    restore: bool = False,
    refresh: bool = True,
) -> ImportResult:
    """Import ``path`` whole or not at all as one batch, keeping the search
    index current. With ``dry_run``, only say what would happen. Without
    ``refresh`` the new papers are read into memory only when next needed
    (a command that closes the store right after never pays for them).
    In a store set up for sync, the states a paperqueue JSON carries for
    new papers are kept for the import's log line (they are synced too)."""
    from paperqueue.core.sync.settings import configured

    opened = open_papers(path, progress)
    result = add_indexed(
        store,
        opened.papers,
        source=source or path.name,
        progress=progress,
        name=name,
        dry_run=dry_run,
        restore=restore,
        refresh=refresh,
        log_new_states=not dry_run and configured(store.home),
    )
    result.format = opened.format
    problems = opened.problems.lines()
    if result.unusable:
        problems = [*problems, f"{result.unusable} entries with no arXiv id, no DOI and no letter or digit in the title were skipped"]
    result.problems = problems
    result.not_understood = opened.problems.not_understood + result.unusable
    return result


def add_indexed(store: Store, papers: Iterable[ParsedPaper], *, source: str, dry_run: bool = False, **options) -> ImportResult:
    """``store.add_papers`` keeping the search index current: the new papers
    are indexed as they land when the index is current (a stale one is left
    for the app to rebuild, a broken one thrown away), and the index is
    closed before returning, never left to the garbage collector (in the
    app, a later import must not find the file rewritten under it by this
    connection's last checkpoint)."""
    index = None if dry_run else SearchIndex(store.home / layout.SEARCH)
    writer = None
    try:
        if index is not None:
            try:
                if index.generation() == store.generation:
                    writer = index.writer()
            except Exception:  # noqa: BLE001 - a cache must never fail an import
                writer = None
            if writer is None:
                index.discard()
        try:
            result = store.add_papers(
                papers,
                source=source,
                # Without a writer (a dry run, a stale cache) the texts are dropped:
                # with on_new None the merge would keep every new title and abstract.
                on_new=writer.add if writer else _not_indexed,
                dry_run=dry_run,
                **options,
            )
        except BaseException:
            if writer:
                writer.abort()
            raise
        if writer:
            try:
                writer.commit(result)
            except Exception:  # noqa: BLE001 - a cache must never fail an import
                writer.index.discard()
        return result
    finally:
        if index is not None:
            index.close()


def _not_indexed(doc_id: int, title: str, abstract: str) -> None:
    """``on_new`` when the search cache is not written: the app rebuilds it."""


def summary_line(name: str, result: ImportResult, dry_run: bool = False, logged: ImportLog | None = None) -> str:
    """What ``paperqueue import`` prints for one file (with ``logged``, the
    store's ``last_import``: also how many papers of deleted batches it
    shows again)."""
    prefix = "would import: " if dry_run else ""
    back = f", {logged.unhidden:,} back from a deleted batch" if logged is not None and logged.unhidden else ""
    return f"{name}: {FORMATS.get(result.format, result.format)}: {prefix}{result.summary()}{back}"
