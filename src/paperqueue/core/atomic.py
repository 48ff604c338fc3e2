"""Crash-safe file writes and a TinyDB storage built on them.

A write goes to a temporary file in the same folder, is fsynced, then
renamed over the target with ``os.replace`` and the folder is fsynced: a
reader (or a crash) sees the old file or the new one, never a mix.

The data folder is private: what paperqueue creates there is 0600 (files)
and 0700 (folders) from the moment it exists, whatever the umask, and an
existing file or folder keeps its mode. Nothing is written through a
symbolic link or into a FIFO or device planted where a store file belongs:
:class:`UnsafePathError` names the file instead.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from paperqueue.core.crashpoints import boundary


class CorruptFileError(Exception):
    """A store file exists but does not hold valid JSON."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class UnsafePathError(OSError):
    """A path where paperqueue would write is a link, a FIFO, a device or a
    folder. ``str()`` and ``strerror`` both give one line naming the file."""

    def __init__(self, path: Path | str, what: str) -> None:
        message = f"{path}: {what}; paperqueue does not write through it"
        super().__init__(errno.ELOOP if "symbolic link" in what else errno.EINVAL, message)
        self.path = Path(path)

    def __str__(self) -> str:
        return str(self.strerror)


def _kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_ISDIR(mode):
        return "is a folder, not a regular file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    return "is not a regular file"


def check_regular(path: Path) -> os.stat_result | None:
    """``lstat`` of ``path`` when it is a regular file, ``None`` when nothing
    is there; :class:`UnsafePathError` for anything else (a link included)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePathError(path, _kind_of(info.st_mode))
    return info


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents 0700 (whatever the umask);
    folders that exist keep their mode."""
    if folder.is_dir():
        return
    missing = []
    at = folder
    while not at.exists() and not at.is_symlink():
        missing.append(at)
        if at.parent == at:
            break
        at = at.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, PRIVATE_DIR)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # made meanwhile by another process: its mode is its own
        if stat.S_IMODE(os.lstat(path).st_mode) != PRIVATE_DIR:
            os.chmod(path, PRIVATE_DIR)  # a umask that took owner bits; never wider than 0700
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{folder}: not a folder", str(folder))


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty and 0600 unless a regular file is there already
    (refusing a link, FIFO, device or folder). Returns whether it was made."""
    if check_regular(path) is not None:
        return False
    make_private_dirs(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, PRIVATE_FILE)
    except FileExistsError:
        check_regular(path)  # made meanwhile: fine if it is a regular file
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def open_append(path: Path) -> int:
    """A descriptor appending to ``path`` (``history.jsonl``): created 0600
    (its folder 0700) when missing, never through a symbolic link, and only a
    regular file (a FIFO would block the writer, a device is not ours).
    Close it with ``os.close``."""
    path = Path(path)
    check_regular(path)
    make_private_dirs(path.parent)
    flags = os.O_WRONLY | os.O_APPEND | _NOFOLLOW | _CLOEXEC | _NONBLOCK
    created = False
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        created = True
    except FileExistsError:
        try:
            fd = os.open(path, flags)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
                raise UnsafePathError(path, _kind_of(os.lstat(path).st_mode)) from None
            raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePathError(path, _kind_of(info.st_mode))
        if created and stat.S_IMODE(info.st_mode) != PRIVATE_FILE:
            os.fchmod(fd, PRIVATE_FILE)
        if _NONBLOCK:
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    if created:
        fsync_dir(path.parent)
    return fd


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        boundary(f"fsync dir {folder.name}")
        os.fsync(fd)
        boundary(f"fsynced dir {folder.name}")
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, new_mode: int | None = None, *, follow: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    An existing file keeps its mode; a new one is private (0600, its
    missing folders 0700) unless ``new_mode`` says otherwise. A symbolic
    link, FIFO, device or folder at ``path`` is refused
    (:class:`UnsafePathError`); with ``follow`` (an export, the person's own
    file) a link to a regular file is followed and its target replaced,
    the link kept."""
    path = Path(path)
    if follow and path.is_symlink():
        target = Path(os.path.realpath(path))
        try:
            check_regular(target)
        except UnsafePathError:
            raise UnsafePathError(path, f"is a symbolic link to {target}, which is not a regular file") from None
        if not target.exists():
            raise UnsafePathError(path, f"is a symbolic link to {target}, which does not exist")
        path = target
    folder = path.parent
    make_private_dirs(folder)
    info = check_regular(path)
    mode = stat.S_IMODE(info.st_mode) if info is not None else (PRIVATE_FILE if new_mode is None else new_mode)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            if stat.S_IMODE(os.fstat(handle.fileno()).st_mode) != mode:
                os.fchmod(handle.fileno(), mode)  # mkstemp made it 0600 less the umask
            boundary(f"write {path.name}")
            handle.write(data)
            handle.flush()
            boundary(f"fsync {path.name}")
            os.fsync(handle.fileno())
        boundary(f"rename {path.name}")
        os.replace(tmp_name, path)
        boundary(f"renamed {path.name}")
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    fsync_dir(folder)


# A filesystem without hard links (FAT on a USB stick, some network shares).
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV, errno.EMLINK}


def write_new_file(folder: Path, names: Iterable[str], data: bytes) -> Path:
    """``data`` saved durably in ``folder`` under the first of ``names`` that
    nothing holds, never replacing a file, even one another program makes
    while this runs: the whole file is written aside first, then linked in
    under a name the kernel refuses when it is taken. Where the filesystem
    has no hard links, the name is claimed with ``O_EXCL`` and the file
    renamed over that claim. The file's mode follows the umask, as a
    browser's download does (it is the person's file, not the store's).
    Returns the path; :class:`FileExistsError` when every name is taken."""
    folder = Path(folder)
    tmp_name = str(folder / f".paperqueue-{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            boundary("write new file")
            handle.write(data)
            handle.flush()
            boundary("fsync new file")
            os.fsync(handle.fileno())
        for name in names:
            path = folder / name
            try:
                boundary(f"link {name}")
                os.link(tmp_name, path)
            except FileExistsError:
                continue
            except OSError as error:
                if error.errno not in _NO_LINKS:
                    raise
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666))
                except FileExistsError:
                    continue
                boundary(f"rename {name}")
                os.replace(tmp_name, path)  # over our own empty claim
            boundary(f"linked {name}")
            fsync_dir(folder)
            return path
        raise FileExistsError(errno.EEXIST, f"{folder}: every name for the file is taken")
    finally:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass


def set_aside(path: Path) -> Path:
    """Move a damaged file out of the way, never deleting it: to
    ``<name>.<time>.corrupt`` beside it. Returns the new path; raises
    :class:`OSError` when it cannot be moved."""
    from paperqueue.core.clock import compact_stamp

    aside = path.with_name(f"{path.name}.{compact_stamp()}.corrupt")
    path.replace(aside)
    return aside


def read_json(path: Path) -> Any | None:
    """The JSON in ``path``, ``None`` when it is missing or empty. A FIFO,
    device or socket there (reading would hang, or is not ours) is reported
    as a corrupt file, so the store sets it aside like one."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        what = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket or other special file"
        raise CorruptFileError(path, f"not a regular file ({what})")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise CorruptFileError(path, f"not valid JSON ({error})") from None


def dump_json(data: Any) -> bytes:
    """Compact UTF-8 JSON (orjson: several times faster than ``json`` at 100k papers)."""
    return orjson.dumps(data)


class AtomicJSONStorage(Storage):
    """TinyDB storage: write-through cache in memory, atomic writes on disk.

    Reads are served from memory after the first one, so TinyDB does not
    re-parse the file on every query. If a write fails the cache is dropped,
    so memory never claims what the disk does not hold.
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._cache: dict | None = None
        self.empty = False  # set when an unreadable file is shown as empty

    def read(self) -> dict | None:
        if self.empty:
            return self._cache
        if self._cache is None:
            data = read_json(self.path)
            if data is not None and not isinstance(data, dict):
                raise CorruptFileError(self.path, "not a TinyDB document (top level is not an object)")
            self._cache = data
        return self._cache

    def write(self, data: dict) -> None:
        if self.read_only:
            self._cache = None
            raise PermissionError(f"{self.path}: the store is open read-only")
        try:
            atomic_write_bytes(self.path, dump_json(data))
        except BaseException:
            self._cache = None
            raise
        self._cache = data

    def close(self) -> None:
        self._cache = None
