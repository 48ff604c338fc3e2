"""Where the person stopped reading each paper's full text.

``<data home>/fulltext/positions.json``: ``{"<key>": {"line": 120,
"lines": 900, "at": 1733200000.0}}``. A setting, not a record: saved
atomically (a reader sees the old file or the new one), under a lock file
(``positions.lock``) so two processes saving at once both land, and capped
at :data:`MAX_PAPERS` papers (the least recently saved dropped). A damaged
file is set aside and counts as empty.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from paperqueue.core.atomic import CorruptFileError, atomic_write_bytes, dump_json, read_json, set_aside
from paperqueue.core.fulltext.cache import FOLDER
from paperqueue.core.lock import _open_lock_file

__all__ = ["MAX_PAPERS", "Position", "ReadingPositions"]

MAX_PAPERS = 5000
FILE = "positions.json"
LOCK = "positions.lock"


@dataclass(frozen=True)
class Position:
    """The first line shown (0-based) out of ``lines``; ``fraction`` is how
    far into the text that is (0.0 to 1.0, for a progress marker)."""

    line: int
    lines: int

    @property
    def fraction(self) -> float:
        if self.lines <= 1:
            return 0.0
        return min(1.0, max(0.0, self.line / (self.lines - 1)))


class ReadingPositions:
    def __init__(self, home: Path, *, clock=time.time) -> None:  # noqa: ANN001 - a callable
        self.folder = Path(home) / FOLDER
        self.path = self.folder / FILE
        self._clock = clock

    def get(self, key: str) -> Position | None:
        entry = self._read().get(key)
        return _position(entry)

    def all(self) -> dict[str, Position]:
        """Every saved position (for the list's progress markers)."""
        found = {}
        for key, entry in self._read().items():
            position = _position(entry)
            if position is not None:
                found[key] = position
        return found

    def save(self, key: str, line: int, lines: int) -> None:
        """Remember ``line`` of ``lines`` for ``key``."""
        line, lines = max(0, int(line)), max(0, int(lines))
        with self._locked():
            data = self._read()
            data.pop(key, None)
            data[key] = {"line": min(line, max(0, lines - 1)), "lines": lines, "at": self._clock()}
            if len(data) > MAX_PAPERS:
                ordered = sorted(data.items(), key=lambda item: item[1].get("at", 0) if isinstance(item[1], dict) else 0)
                data = dict(ordered[-MAX_PAPERS:])
            atomic_write_bytes(self.path, dump_json(data))

    def forget(self, key: str) -> None:
        with self._locked():
            data = self._read()
            if data.pop(key, None) is not None:
                atomic_write_bytes(self.path, dump_json(data))

    def _read(self) -> dict:
        try:
            data = read_json(self.path)
        except CorruptFileError:
            try:
                set_aside(self.path)
            except OSError:
                pass
            return {}
        except OSError:
            return {}
        return data if isinstance(data, dict) else {}

    @contextmanager
    def _locked(self) -> Iterator[None]:
        fd = _open_lock_file(self.folder / LOCK)
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _position(entry: object) -> Position | None:
    if not isinstance(entry, dict):
        return None
    line, lines = entry.get("line"), entry.get("lines")
    if not isinstance(line, int) or not isinstance(lines, int) or line < 0 or lines < 0:
        return None
    return Position(line, lines)
