"""Sync's device-local settings, ``sync.json`` (folder mode, issue 13).

Only a data folder where ``paperqueue sync init`` wrote ``sync.json`` syncs;
without it nothing in folder mode runs and no file is made. It lives
beside the store, never in the shared folder, and holds the mode, the
shared folder, the device id, ``exported`` (every log record up to this
``seq`` has had its sync lines appended to the shared folder), ``papers``
(every paper up to this id has had its paper line appended, or was landed
from another device), the clock's last stamp and the last sync time.
"""

from __future__ import annotations

import re
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

import orjson

from paperqueue.core.atomic import CorruptFileError, atomic_write_bytes, read_json
from paperqueue.core.sync.hlc import valid_device

SETTINGS = "sync.json"


class SyncError(Exception):
    """A sync that cannot go on; its message is one line for the person."""


@dataclass
class Settings:
    mode: str
    folder: str
    device: str
    exported: int = 0
    clock: str | None = None
    last_sync: str | None = None
    compacted: int = 0  # bytes the last compaction wrote (the next waits until the files are twice that)
    papers: int = 0  # paper ids up to this one have been exported (or were landed from another device)
    generation: int = 0  # store generation up to which papers an import changed (``Paper.gen``) were sent again

    def record(self) -> dict:
        record = {"mode": self.mode, "folder": self.folder, "device": self.device, "exported": self.exported,
                  "clock": self.clock, "last_sync": self.last_sync}
        if self.compacted:
            record["compacted"] = self.compacted
        if self.papers:
            record["papers"] = self.papers
        if self.generation:
            record["generation"] = self.generation
        return record

    @property
    def own(self) -> Path:
        return Path(self.folder) / self.device


def configured(home: Path) -> bool:
    """Whether ``home`` is set up for sync (one stat)."""
    return (home / SETTINGS).exists()


def load_settings(home: Path) -> Settings | None:
    """The settings, ``None`` when sync was never set up here."""
    path = home / SETTINGS
    if not path.exists():
        return None
    try:
        record = read_json(path)
    except (OSError, ValueError, CorruptFileError):
        record = None
    if (not isinstance(record, dict) or record.get("mode") != "folder" or not isinstance(record.get("folder"), str)
            or not valid_device(record.get("device")) or type(record.get("exported", 0)) is not int):
        raise SyncError(f"{path} is damaged; set sync up again with paperqueue sync init")
    clock = record.get("clock")
    last = record.get("last_sync")
    compacted = record.get("compacted", 0)
    papers = record.get("papers", 0)
    generation = record.get("generation", 0)
    return Settings("folder", record["folder"], record["device"], record.get("exported", 0),
                    clock if isinstance(clock, str) else None, last if isinstance(last, str) else None,
                    compacted if type(compacted) is int and compacted > 0 else 0,
                    papers if type(papers) is int and papers > 0 else 0,
                    generation if type(generation) is int and generation > 0 else 0)


def save_settings(home: Path, settings: Settings) -> None:
    atomic_write_bytes(home / SETTINGS, orjson.dumps(settings.record(), option=orjson.OPT_INDENT_2) + b"\n",
                       new_mode=0o600)


def new_device_id() -> str:
    """The host name as a slug, and random hex (two copies of one store get two ids)."""
    slug = re.sub(r"[^a-z0-9]+", "-", socket.gethostname().casefold()).strip("-")[:40] or "device"
    return f"{slug}-{secrets.token_hex(3)}"



__all__ = ["Settings", "SyncError", "configured", "load_settings", "new_device_id", "save_settings"]
