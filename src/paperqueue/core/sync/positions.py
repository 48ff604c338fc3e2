"""How far a sync has read (folder mode, issue 13): ``sync-positions.json``.

Device-local, beside the store: a byte position per shared file read
(``<device>/<file>``), and the keys of papers that changes named while
this store did not hold them yet (``pending``: applied when the paper
arrives). A damaged file is set aside and every file read again from its
start: folding again is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from paperqueue.core.atomic import CorruptFileError, atomic_write_bytes, read_json, set_aside

POSITIONS = "sync-positions.json"


@dataclass
class Positions:
    files: dict[str, int] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, home: Path) -> Positions:
        try:
            record = read_json(home / POSITIONS)
        except (ValueError, CorruptFileError):
            record = False
        except OSError:
            record = None
        if record is not None and not isinstance(record, dict):
            try:
                set_aside(home / POSITIONS)  # kept, never deleted
            except OSError:
                pass
        if not isinstance(record, dict):
            return cls()  # read every file again from the start: folding again is harmless
        files = record.get("files")
        pending = record.get("pending")
        return cls({k: v for k, v in files.items() if isinstance(v, int) and v >= 0} if isinstance(files, dict) else {},
                   {k for k in pending if isinstance(k, str)} if isinstance(pending, list) else set())

    def save(self, home: Path) -> None:
        atomic_write_bytes(home / POSITIONS, orjson.dumps({"files": self.files, "pending": sorted(self.pending)}),
                           new_mode=0o600)


__all__ = ["POSITIONS", "Positions"]
