"""Reading an input file into the store, with one-line reasons for refusals."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.importers.page import NoPapersError, ParsedPaper, parse_page
from paperqueue.core.models import ImportResult
from paperqueue.core.store import Store

_SNIFF = 64 * 1024


class UnusableFileError(Exception):
    """A file that cannot be imported; the message is one line for the user."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def read_text_file(path: Path) -> str:
    """The file's text, or :class:`UnusableFileError` saying why not."""
    try:
        if path.is_dir():
            raise UnusableFileError(path, "is a directory, not a file")
        with path.open("rb") as handle:
            head = handle.read(_SNIFF)
            if not head.strip():
                if not head:
                    raise UnusableFileError(path, "file is empty")
                rest = handle.read()
                if not rest.strip():
                    raise UnusableFileError(path, "file holds only whitespace")
                head += rest
            if b"\x00" in head:
                raise UnusableFileError(path, "binary file (not text)")
            raw = head + handle.read()
    except FileNotFoundError:
        raise UnusableFileError(path, "no such file") from None
    except PermissionError:
        raise UnusableFileError(path, "permission denied") from None
    except IsADirectoryError:
        raise UnusableFileError(path, "is a directory, not a file") from None
    except OSError as error:
        raise UnusableFileError(path, error.strerror or str(error)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnusableFileError(path, f"not UTF-8 text (bad byte at offset {error.start})") from None


def parse_file(path: Path) -> list[ParsedPaper]:
    text = read_text_file(path)
    try:
        return parse_page(text)
    except NoPapersError as error:
        raise UnusableFileError(path, f"no papers found ({error})") from None


def import_file(store: Store, path: Path, source: str | None = None) -> ImportResult:
    """Parse ``path`` and add its papers; nothing is written if it is unusable."""
    papers = parse_file(path)
    return store.add_papers(papers, source=source or path.name)
