"""arXiv's gate for :class:`~.client.Client`: requests to arXiv from every
paperqueue process of a data folder pass one at a time, at least a delay
apart, through a locked file in that folder (``arxiv.gate``) that holds
when the last one ended."""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from paperqueue.core.atomic import PRIVATE_FILE, UnsafePathError, check_regular, make_private_dirs
from paperqueue.core.crashpoints import boundary

GATE_FILE = "arxiv.gate"
_STAMP_WIDTH = 24  # bytes of the timestamp in arxiv.gate: "1715000000.123456" padded


class GateUnavailable(Exception):
    """The gate file cannot be used (a link in its place, an unwritable folder)."""


class ArxivGate:
    """One arXiv request at a time, at least ``delay`` seconds after the
    previous one ended, across the threads of this process and every
    process using the same data folder.

    The gate is a file (0600, never through a link) that is locked
    (``flock``) for the whole turn and holds the time the last turn ended."""

    def __init__(self, path: Path, delay: float, *, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.delay = delay
        self._sleep = sleep
        self._clock = clock
        self._local = threading.Lock()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for the gate and the delay; the request runs inside."""
        with self._local:
            try:
                fd = self._open()
            except OSError as error:
                raise GateUnavailable(str(error) if isinstance(error, UnsafePathError) else f"{self.path}: {error.strerror or error}") from None
            try:
                try:
                    _lock(fd)
                except OSError as error:
                    raise GateUnavailable(f"{self.path}: cannot lock ({error.strerror or error})") from None
                last = _read_stamp(fd)
                now = self._clock()
                if last is None:
                    wait = self.delay if _has_junk(fd) else 0.0
                else:
                    wait = min(self.delay, last + self.delay - now)  # a stamp in the future waits one delay at most
                if wait > 0:
                    self._sleep(wait)
                try:
                    yield
                finally:
                    self._write_stamp(fd, self._clock())
            finally:
                os.close(fd)  # drops the lock

    def _open(self) -> int:
        check_regular(self.path)
        make_private_dirs(self.path.parent)
        flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            created = True
        except FileExistsError:
            created = False
            try:
                fd = os.open(self.path, flags)
            except OSError:
                check_regular(self.path)  # replaced meanwhile: say what is there
                raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise UnsafePathError(self.path, "is not a regular file")
            if created and stat.S_IMODE(info.st_mode) != PRIVATE_FILE:
                os.fchmod(fd, PRIVATE_FILE)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _write_stamp(self, fd: int, moment: float) -> None:
        data = f"{moment:.6f}".ljust(_STAMP_WIDTH - 1).encode("ascii")[: _STAMP_WIDTH - 1] + b"\n"
        try:
            boundary(f"write {self.path.name}")
            os.pwrite(fd, data, 0)
            boundary(f"wrote {self.path.name}")
        except OSError:
            pass  # a full disk: the next turn waits a whole delay (see _has_junk)


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: this process's threads only
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _read_stamp(fd: int) -> float | None:
    raw = os.pread(fd, _STAMP_WIDTH, 0)
    try:
        value = float(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def _has_junk(fd: int) -> bool:
    """The gate file holds something that is not a timestamp (a torn write,
    a full disk): wait one whole delay to be safe."""
    return bool(os.pread(fd, 1, 0))
