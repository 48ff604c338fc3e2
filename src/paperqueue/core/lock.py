"""One writer per store: an advisory lock file beside the TinyDB files.

The lock file says who holds it, ``PID KIND``: ``KIND`` is ``app`` (the
open app, which takes imports handed to it), or the command that holds it
(``import``, ``undo``, ``redo``), which lets a second command wait for it
instead of handing its files to an app that is not there. The file is
created 0600 and is never opened through a symbolic link.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from paperqueue.core.atomic import PRIVATE_FILE, UnsafePathError, check_regular, make_private_dirs

APP = "app"
COMMANDS = ("import", "undo", "redo", "tag", "batch", "fetch", "add", "sync")  # short-lived holders: worth waiting for
KINDS = (APP, *COMMANDS)
_NOTE_RE = re.compile(rb"\A\s*(\d{1,10})(?:\s+([a-z]{1,16}))?\s*\Z")
_process_kind = APP


@contextmanager
def acting_as(kind: str) -> Iterator[None]:
    """Locks taken inside say they are held by ``kind`` (the CLI opens the
    store this way for its command; otherwise a lock says ``app``)."""
    global _process_kind
    if kind not in KINDS:
        raise ValueError(f"unknown lock holder kind {kind!r}")
    before, _process_kind = _process_kind, kind
    try:
        yield
    finally:
        _process_kind = before


@dataclass(frozen=True)
class Note:
    """What a lock file says about its holder."""

    text: str  # the file's text, printable characters only, at most 40
    pid: int | None = None
    kind: str | None = None  # one of KINDS, or None (an older paperqueue wrote only the pid)

    @classmethod
    def parse(cls, raw: bytes) -> Note:
        text = "".join(ch if ch.isprintable() else "?" for ch in raw[:40].decode("utf-8", "replace")).strip()
        found = _NOTE_RE.match(raw)
        if not found:
            return cls(text)
        kind = found.group(2).decode("ascii") if found.group(2) else None
        return cls(text, int(found.group(1)), kind if kind in KINDS else None)

    @property
    def is_command(self) -> bool:
        return self.kind in COMMANDS


class StoreLockedError(Exception):
    def __init__(self, path: Path, note: Note) -> None:
        if note.is_command:
            message = f"another paperqueue {note.kind} is running on the queue in {path.parent} (pid {note.pid})"
        else:
            who = f" (pid {note.pid})" if note.pid is not None else ""
            message = f"the queue in {path.parent} is open in another paperqueue{who}"
        super().__init__(message)
        self.path = path
        self.note = note
        self.holder = str(note.pid) if note.pid is not None else ""


class StoreLock:
    """An exclusive, non-blocking lock; released when the process dies."""

    def __init__(self, path: Path, kind: str | None = None) -> None:
        self.path = path
        self.kind = kind
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = _open_lock_file(self.path)
        try:
            _lock_fd(fd)
        except OSError:
            note = Note.parse(os.pread(fd, 64, 0))
            os.close(fd)
            raise StoreLockedError(self.path, note) from None
        try:  # the note only helps the message of a second process; a full disk must not stop us
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {self.kind or _process_kind}".encode(), 0)
        except OSError:
            pass
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _open_lock_file(path: Path) -> int:
    """The lock file, created 0600 (its folder 0700); a link, FIFO or device
    in its place is refused, never opened."""
    check_regular(path)
    make_private_dirs(path.parent)
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        created = True
    except FileExistsError:
        created = False
        try:
            fd = os.open(path, flags)
        except OSError:
            check_regular(path)  # replaced meanwhile: say what is there
            raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePathError(path, "is not a regular file")
        if created and stat.S_IMODE(info.st_mode) != PRIVATE_FILE:
            os.fchmod(fd, PRIVATE_FILE)  # the umask took owner bits
    except BaseException:
        os.close(fd)
        raise
    return fd


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


# -- who holds it (for doctor and the messages of a second process) -----------------


@dataclass(frozen=True)
class Holder:
    note: Note
    locker: int | None  # the pid the kernel shows holding the lock (/proc/locks), when it tells
    note_alive: bool | None  # whether the pid the note names is running (None: unknown)
    command: str | None  # the command line of the holding process, where /proc tells
    is_paperqueue: bool | None  # whether that command line runs paperqueue (None: unknown)

    def describe(self) -> str:
        """What is known about the holder, in one line of printable text:
        the pids, whether the one the lock file names runs, whether the
        holder's command line is paperqueue."""
        note = self.note
        what = f"paperqueue {note.kind}" if note.kind else "paperqueue"
        if self.locker is not None and self.locker == note.pid:
            return f"another {what} (pid {note.pid})"  # the kernel and the note agree
        if self.locker is not None:
            who = f"pid {self.locker}{self._command_part()}"
            if note.pid is None:
                return who + (f"; the lock file says {note.text!r}" if note.text else "")
            state = {True: "running", False: "not running", None: "state unknown"}[self.note_alive]
            return f"{who}; the lock file names pid {note.pid} ({state}), left by a {what} that stopped"
        if note.pid is None:
            return "another process" + (f" (the lock file says {note.text!r})" if note.text else " (the lock file does not say which)")
        if self.note_alive is False:
            return f"another process; the lock file names pid {note.pid} ({what}), which is not running"
        if self.is_paperqueue is False:
            return f"pid {note.pid}{self._command_part()}; the lock file says {what}"
        return f"another {what} (pid {note.pid})"

    def _command_part(self) -> str:
        if self.command is None:
            return ""
        return f" ({'a paperqueue' if self.is_paperqueue else 'not paperqueue'}: {self.command})"


def who_holds(path: Path, note: Note) -> Holder:
    """What the system tells about the holder of the lock at ``path``."""
    locker = _locker(path)
    pid = locker if locker is not None else note.pid
    alive = _alive(note.pid) if note.pid is not None else None
    words = _command(pid) if pid is not None else None
    if words is None:
        return Holder(note, locker, alive, None, None)
    text = "".join(ch if ch.isprintable() else "?" for ch in " ".join(words))
    text = text if len(text) <= 80 else text[:79] + "…"
    return Holder(note, locker, alive, text, _runs_paperqueue(words))


def _runs_paperqueue(words: list[str]) -> bool:
    """``paperqueue ...``, ``python /path/bin/paperqueue ...``, ``python -m paperqueue ...``."""
    head = words[:3]
    if any(os.path.basename(word) == "paperqueue" for word in head):
        return True
    return any(a == "-m" and b.split(".")[0] == "paperqueue" for a, b in zip(head, head[1:]))


def _alive(pid: int) -> bool | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, someone else's
    except (OSError, OverflowError):
        return None
    return True


def _command(pid: int) -> list[str] | None:
    """The arguments of ``pid``, where /proc tells."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [word.decode("utf-8", "replace") for word in raw.split(b"\0") if word] or None


def _locker(path: Path) -> int | None:
    """The pid holding a flock on ``path``, from /proc/locks (Linux)."""
    try:
        info = os.stat(path)
        lines = Path("/proc/locks").read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return None
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    by_inode = []
    for line in lines:
        fields = line.split()
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK":
            continue  # a waiter, or another kind of lock
        try:
            pid = int(fields[4])
        except ValueError:
            continue
        if fields[5] == device:
            return pid
        if fields[5].rsplit(":", 1)[-1] == str(info.st_ino):
            by_inode.append(pid)
    return by_inode[0] if len(set(by_inode)) == 1 else None  # devices can differ on overlay filesystems
