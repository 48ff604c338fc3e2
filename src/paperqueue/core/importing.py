"""Reading input files into the store, with one-line reasons for refusals.

Files are streamed line by line (a 170 MB page is fine), and nothing is
committed until the whole file has been read and found usable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from paperqueue.core.importers.detect import FORMATS, detect_format, parse_text
from paperqueue.core.importers.page import ParsedPaper, iter_page
from paperqueue.core.importers.record import UnreadableError
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


def _head(path: Path) -> str:
    """The first bytes of the file as text, for format detection."""
    with path.open("rb") as handle:
        return handle.read(_SNIFF).decode("utf-8-sig", errors="ignore")


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnusableFileError(path, f"not UTF-8 text (bad byte at offset {error.start})") from None
    except OSError as error:
        raise UnusableFileError(path, error.strerror or str(error)) from None


def open_papers(path: Path, progress: Progress | None = None) -> tuple[str, Iterable[ParsedPaper], list[str], int]:
    """Detect the format from the content and start reading.

    Returns the format key, the papers (a stream for pasted pages, which
    can be huge), the problem lines and how many entries were not
    understood. Raises :class:`UnusableFileError` for unusable input.
    """
    check_file(path)
    try:
        fmt = detect_format(_head(path), path.name)
    except UnreadableError as error:
        raise UnusableFileError(path, str(error)) from None
    if fmt == "page":
        return fmt, iter_file(path, progress), [], 0
    try:
        parsed = parse_text(read_text(path), path.name)
    except UnreadableError as error:
        raise UnusableFileError(path, f"{FORMATS[fmt]}: {error}") from None
    return parsed.format, parsed.papers, parsed.problems, parsed.not_understood


def import_file(
    store: Store,
    path: Path,
    source: str | None = None,
    progress: Progress | None = None,
    *,
    name: str | None = None,
    dry_run: bool = False,
    restore: bool = False,
) -> ImportResult:
    """Import ``path`` whole or not at all as one batch, keeping the search
    index current. With ``dry_run``, only say what would happen."""
    fmt, papers, problems, not_understood = open_papers(path, progress)
    writer = None if dry_run else _search_writer(store)
    try:
        result = store.add_papers(
            papers,
            source=source or path.name,
            progress=progress,
            on_new=writer.add if writer else None,
            name=name,
            dry_run=dry_run,
            restore=restore,
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
    result.format = fmt
    if result.unusable:
        problems = [*problems, f"{result.unusable} entries with no arXiv id, no DOI and no letter or digit in the title were skipped"]
    result.problems = problems
    result.not_understood = not_understood + result.unusable
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


def summary_line(name: str, result: ImportResult, dry_run: bool = False) -> str:
    """What ``paperqueue import`` prints for one file."""
    prefix = "would import: " if dry_run else ""
    return f"{name}: {FORMATS.get(result.format, result.format)}: {prefix}{result.summary()}"
