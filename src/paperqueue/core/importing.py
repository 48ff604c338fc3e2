"""Reading input files into the store, with one-line reasons for refusals.

Files are streamed line by line (a 170 MB page is fine), and nothing is
committed until the whole file has been read and found usable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from paperqueue.core.importers.page import ParsedPaper, iter_page
from paperqueue.core.models import ImportResult
from paperqueue.core.search import IndexWriter, SearchIndex
from paperqueue.core.store import Store
from paperqueue.core.store import layout
from paperqueue.core.store.merge import Progress

_SNIFF = 64 * 1024


class UnusableFileError(Exception):
    """A file that cannot be imported; the message is one line for the user."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def check_file(path: Path) -> int:
    """The file's size, or :class:`UnusableFileError` saying why it is unusable."""
    try:
        if path.is_dir():
            raise UnusableFileError(path, "is a directory, not a file")
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_SNIFF)
    except FileNotFoundError:
        raise UnusableFileError(path, "no such file") from None
    except PermissionError:
        raise UnusableFileError(path, "permission denied") from None
    except IsADirectoryError:
        raise UnusableFileError(path, "is a directory, not a file") from None
    except OSError as error:
        raise UnusableFileError(path, error.strerror or str(error)) from None
    if not head:
        raise UnusableFileError(path, "file is empty")
    if b"\x00" in head:
        raise UnusableFileError(path, "binary file (not text)")
    return size


def read_lines(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The file's lines (line ends kept), decoded strictly as UTF-8."""
    done = 0
    try:
        with path.open("r", encoding="utf-8-sig", errors="strict", newline="") as handle:
            for number, line in enumerate(handle, start=1):
                done += len(line)
                if progress and number % 4096 == 0:
                    progress(done)
                yield line
    except UnicodeDecodeError:
        raise UnusableFileError(path, f"not UTF-8 text (undecodable bytes near character {done})") from None
    except OSError as error:
        raise UnusableFileError(path, error.strerror or str(error)) from None


def iter_file(path: Path, progress: Progress | None = None) -> Iterator[ParsedPaper]:
    """Papers from ``path``; raises :class:`UnusableFileError` (at the end at
    the latest) when the file holds no title/abstract pair at all."""
    size = check_file(path)
    on_bytes = (lambda done: progress("reading", done, size)) if progress else None
    with_abstract = 0
    for paper in iter_page(read_lines(path, on_bytes)):
        with_abstract += bool(paper.abstract)
        yield paper
    if not with_abstract:
        raise UnusableFileError(path, "no papers found (no title/abstract pairs)")


def parse_file(path: Path) -> list[ParsedPaper]:
    return list(iter_file(path))


def import_file(
    store: Store,
    path: Path,
    source: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` whole or not at all, keeping the search index current."""
    writer = _search_writer(store)
    try:
        result = store.add_papers(
            iter_file(path, progress),
            source=source or path.name,
            progress=progress,
            on_new=writer.add if writer else None,
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


def _search_writer(store: Store) -> IndexWriter | None:
    """A writer when the search cache is current; a stale one is left for
    the app to rebuild, a broken one is thrown away."""
    index = SearchIndex(store.home / layout.SEARCH)
    try:
        if index.generation() == store.generation:
            return index.writer()
    except Exception:  # noqa: BLE001
        pass
    index.discard()
    return None
