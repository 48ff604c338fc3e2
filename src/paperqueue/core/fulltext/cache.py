"""The full-text cache: papers' PDFs and texts in ``<data home>/fulltext/``.

Not the store: any paperqueue process may add to it, and losing it loses
nothing that cannot be fetched again.

- Each paper has a stem made from its key (:func:`stem_for`): the key's
  letters, digits, dots and dashes (others become ``_``, 60 at most) and a
  hash of the whole key, so no key, whatever it holds, names a path outside
  the folder or another paper's file. ``<stem>.pdf`` is the PDF,
  ``<stem>.txt`` the text: a first line of JSON (the key, where the text
  came from, a note saying so) and the text after it.
- Every file is written to a hidden temporary file in the folder
  (``.<stem>.<random>.part``), synced, then renamed: a reader, or a process
  killed mid-download, never leaves a half-written PDF or text under its
  name. Parts left by a killed process are removed once they are older than
  :data:`STALE_PART_SECONDS` (a part that young may be another process's
  download under way).
- The size cap (:data:`DEFAULT_CAP`, 2 GB, or the ``cap`` given) counts the
  PDFs and texts; past it the least recently *opened* ones are removed
  first. A file's modification time is when it was last opened (set on
  every :meth:`FullTextCache.open_pdf` and :meth:`FullTextCache.read_text`)
  or written: no index to keep in step, nothing to lock, and two processes
  evicting at once at worst both try to remove the same file.
- Nothing is read or written through a symbolic link; the folder is 0700
  and its files 0600.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from paperqueue.core.atomic import PRIVATE_FILE, UnsafePathError, atomic_write_bytes, check_regular, fsync_dir, make_private_dirs

__all__ = [
    "DEFAULT_CAP", "FOLDER", "STALE_PART_SECONDS", "CacheSize", "CachedText", "FullTextCache", "stem_for",
]

FOLDER = "fulltext"
DEFAULT_CAP = 2 * 1024**3  # bytes of PDFs and texts kept
STALE_PART_SECONDS = 6 * 3600.0  # a download's part older than this was left by a killed process
_STEM_LEN = 60
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9.-]+")
_CACHED_SUFFIXES = (".pdf", ".txt")
HEADER_VERSION = 1


def stem_for(key: str) -> str:
    """The file stem of ``key``'s PDF and text: readable, safe, unique."""
    readable = _UNSAFE_RE.sub("_", key)[:_STEM_LEN].strip("._") or "paper"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{readable}-{digest}"


@dataclass(frozen=True)
class CachedText:
    """A paper's text as cached: ``source`` is ``"html"`` or ``"pdf"``,
    ``note`` one line saying where it came from, ``url`` what was fetched."""

    key: str
    text: str
    source: str
    note: str
    url: str
    path: Path


@dataclass(frozen=True)
class CacheSize:
    """What the cache holds, for ``paperqueue doctor``."""

    pdfs: int  # files
    texts: int
    files_bytes: int  # PDFs and texts (what the cap counts)
    index_bytes: int  # the full-text search index and other bookkeeping
    cap: int

    @property
    def total_bytes(self) -> int:
        return self.files_bytes + self.index_bytes

    def describe(self) -> str:
        """One line for ``paperqueue doctor``: ``12.0 MiB (3 PDFs, 5 texts,
        search index 1.0 MiB), cap 2.0 GiB``."""
        from paperqueue.core.doctor import human_size

        pdfs = f"{self.pdfs} PDF{'' if self.pdfs == 1 else 's'}"
        texts = f"{self.texts} text{'' if self.texts == 1 else 's'}"
        return f"{human_size(self.total_bytes)} ({pdfs}, {texts}, search index {human_size(self.index_bytes)}), cap {human_size(self.cap)}"


class FullTextCache:
    """The cache folder of a data home (see the module's docstring)."""

    def __init__(self, home: Path, cap: int = DEFAULT_CAP, *, clock=time.time) -> None:  # noqa: ANN001 - a callable
        self.home = Path(home)
        self.folder = self.home / FOLDER
        self.cap = max(0, int(cap))
        self._clock = clock

    # -- names ---------------------------------------------------------------

    def pdf_path(self, key: str) -> Path:
        return self.folder / f"{stem_for(key)}.pdf"

    def text_path(self, key: str) -> Path:
        return self.folder / f"{stem_for(key)}.txt"

    @property
    def index_path(self) -> Path:
        return self.folder / "search.sqlite"

    def ensure(self) -> Path:
        """The folder, made (0700) if missing."""
        make_private_dirs(self.folder)
        return self.folder

    # -- reading -------------------------------------------------------------

    def open_pdf(self, key: str) -> Path | None:
        """The cached PDF of ``key`` (marked opened now), or None."""
        path = self.pdf_path(key)
        if not _is_file(path):
            return None
        self._touch(path)
        return path

    def has_pdf(self, key: str) -> bool:
        return _is_file(self.pdf_path(key))

    def has_text(self, key: str) -> bool:
        return _is_file(self.text_path(key))

    def read_text(self, key: str, *, touch: bool = True) -> CachedText | None:
        """The cached text of ``key`` (marked opened now unless ``touch`` is
        false), or None when there is none or it is unreadable."""
        path = self.text_path(key)
        cached = _read_text_file(path)
        if cached is None or cached.key != key:
            return None
        if touch:
            self._touch(path)
        return cached

    def texts(self) -> Iterator[CachedText]:
        """Every readable cached text (for rebuilding the search index)."""
        for path in self._cached_files():
            if path.suffix == ".txt":
                cached = _read_text_file(path)
                if cached is not None:
                    yield cached

    # -- writing -------------------------------------------------------------

    def store_text(self, key: str, text: str, source: str, note: str, url: str) -> CachedText:
        """Write ``key``'s text (atomically) and return it as cached."""
        self.ensure()
        path = self.text_path(key)
        header = orjson.dumps({"v": HEADER_VERSION, "key": key, "source": source, "note": note, "url": url})
        atomic_write_bytes(path, header + b"\n" + text.encode("utf-8", "replace"))
        return CachedText(key, text, source, note, url, path)

    @contextmanager
    def part(self, key: str) -> Iterator[tuple[BinaryIO, Path]]:
        """A hidden temporary file in the folder for ``key``'s download:
        ``(file, path)``. Removed when the block raises or ends without
        :meth:`commit_pdf` having renamed it."""
        self.ensure()
        fd, name = tempfile.mkstemp(prefix=f".{stem_for(key)}.", suffix=".part", dir=self.folder)
        path = Path(name)
        try:
            with os.fdopen(fd, "w+b") as handle:
                os.fchmod(handle.fileno(), PRIVATE_FILE)
                yield handle, path
        finally:
            try:
                path.unlink()
            except FileNotFoundError:
                pass  # renamed into place

    def commit_pdf(self, key: str, part: Path, handle: BinaryIO) -> Path:
        """Sync the downloaded ``part`` and rename it to ``key``'s PDF."""
        handle.flush()
        os.fsync(handle.fileno())
        target = self.pdf_path(key)
        check_regular(target)  # a link or folder planted there is refused, not replaced
        os.replace(part, target)
        fsync_dir(self.folder)
        return target

    def remove(self, key: str) -> None:
        for path in (self.pdf_path(key), self.text_path(key)):
            try:
                check_regular(path)
                path.unlink()
            except (FileNotFoundError, UnsafePathError):
                pass

    # -- size ----------------------------------------------------------------

    def evict(self, keep: Iterable[Path] = (), forget: Callable[[CachedText], None] | None = None) -> list[Path]:
        """Remove the least recently opened PDFs and texts until those left
        fit the cap (never the files in ``keep``: the one just fetched).
        ``forget`` is given each text before it goes (to take it out of the
        search index). Also removes parts left by killed downloads. Returns
        what went."""
        self.sweep_parts()
        kept = {Path(path) for path in keep}
        files = []
        total = 0
        for path in self._cached_files():
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                continue
            total += info.st_size
            files.append((info.st_mtime, path, info.st_size))
        gone: list[Path] = []
        files.sort()
        for _mtime, path, size in files:
            if total <= self.cap:
                break
            if path in kept:
                continue
            if forget is not None and path.suffix == ".txt":
                entry = _read_text_file(path)
                if entry is not None:
                    try:
                        forget(entry)
                    except Exception:  # noqa: BLE001 - the index is a cache: the file goes all the same
                        pass
            try:
                path.unlink()
            except FileNotFoundError:
                pass  # another process evicted it meanwhile
            except OSError:
                continue
            total -= size
            gone.append(path)
        return gone

    def sweep_parts(self, older_than: float = STALE_PART_SECONDS) -> list[Path]:
        """Remove hidden ``.part`` files older than ``older_than`` seconds."""
        removed = []
        now = self._clock()
        for path in self._entries():
            if path.name.startswith(".") and path.name.endswith((".part", ".tmp")):
                try:
                    info = os.lstat(path)
                    if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= older_than:
                        path.unlink()
                        removed.append(path)
                except OSError:
                    continue
        return removed

    def size(self) -> CacheSize:
        pdfs = texts = files_bytes = index_bytes = 0
        for path in self._entries():
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if not path.name.startswith(".") and path.suffix in _CACHED_SUFFIXES:
                files_bytes += info.st_size
                if path.suffix == ".pdf":
                    pdfs += 1
                else:
                    texts += 1
            else:
                index_bytes += info.st_size
        return CacheSize(pdfs, texts, files_bytes, index_bytes, self.cap)

    # -- inside --------------------------------------------------------------

    def _entries(self) -> list[Path]:
        try:
            with os.scandir(self.folder) as found:
                return [Path(entry.path) for entry in found]
        except (FileNotFoundError, NotADirectoryError):
            return []

    def _cached_files(self) -> list[Path]:
        return [
            path for path in self._entries()
            if not path.name.startswith(".") and path.suffix in _CACHED_SUFFIXES and _is_file(path)
        ]

    def _touch(self, path: Path) -> None:
        now = self._clock()
        try:
            os.utime(path, (now, now), follow_symlinks=False)
        except OSError:
            pass  # a read-only folder: eviction order is a little off, nothing more


def _is_file(path: Path) -> bool:
    try:
        return check_regular(path) is not None
    except UnsafePathError:
        return False


def _read_text_file(path: Path) -> CachedText | None:
    try:
        if check_regular(path) is None:
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except (OSError, UnsafePathError):
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    head, _, body = raw.partition(b"\n")
    try:
        header = orjson.loads(head)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(header, dict) or not isinstance(header.get("key"), str):
        return None
    return CachedText(
        key=header["key"],
        text=body.decode("utf-8", "replace"),
        source=str(header.get("source", "")),
        note=str(header.get("note", "")),
        url=str(header.get("url", "")),
        path=path,
    )
