"""Reading input files safely: only regular files (a named pipe, a device
or a socket is refused before it is opened for reading: opening a pipe
would wait for a writer, and a device such as ``/dev/zero`` never ends),
in bounded blocks, and a NUL byte or a byte that is not UTF-8 anywhere
refuses the file with a one-line reason (:class:`UnusableFileError`).
Pages are read line by line (a line over :data:`LONGEST_LINE` characters
refuses the file), other formats in blocks; only a list of arXiv ids is
read whole (:func:`read_text`)."""

from __future__ import annotations

import codecs
import io
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

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



def head_text(path: Path) -> str:
    """The first bytes of the file as text, for format detection."""
    with open_regular(path) as handle:
        return handle.read(_SNIFF).decode("utf-8-sig", errors="ignore")


def read_text(path: Path) -> str:
    """The whole file as text (for formats parsed whole: id lists), read in
    blocks and refused at the first NUL or bad byte."""
    return "".join(text_blocks(path))


class Utf8Bytes(io.RawIOBase):
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


class TextBlocks:
    """:func:`text_blocks` as a file for ``iterparse`` (its ``read`` hands
    out the next block, whatever the size asked for)."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None = None) -> None:
        self._blocks = text_blocks(path, on_bytes)

    def read(self, _size: int = -1) -> str:
        return next(self._blocks, "")

    def __enter__(self) -> TextBlocks:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._blocks.close()


