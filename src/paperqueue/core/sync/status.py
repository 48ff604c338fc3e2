"""Read-only helpers for showing sync in the app (issue 13, "In the app"):
whether it syncs by itself, how long ago it last synced, what it has not
sent, and a cheap look at the shared folder for other devices' new lines.

``sync_auto`` lives in the store's own settings (``settings.json``, device
local, never synced): ``sync init folder PATH --auto`` and the palette set
it. A git store set up with ``sync init git URL --auto`` before the setting
existed keeps that choice (``auto`` in ``sync-git.json``) until the palette
changes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from paperqueue.core.sync.hlc import valid_device

AUTO = "sync_auto"


@dataclass
class Info:
    """What the app shows about sync, read once (on a worker's thread)."""

    mode: str  # "folder" or "git"
    folder: Path  # where every device's files are (the shared folder, or the git tree)
    device: str
    exported: int  # log records exported to the folder (or the tree)
    last_sync: str | None
    git_auto: bool  # git's ``--auto`` from ``sync-git.json``


def read_info(home: Path) -> Info | None:
    """The store's sync setup, ``None`` when there is none or it cannot be read
    (the app then shows nothing about sync; ``paperqueue sync`` says why)."""
    from paperqueue.core.sync import git
    from paperqueue.core.sync.settings import SyncError, load_settings

    try:
        settings = load_settings(home)
        if settings is None:
            return None
        remote = git.load_remote(home) if git.is_git(home) else None
    except (SyncError, OSError):
        return None
    return Info("git" if remote is not None else "folder", Path(settings.folder), settings.device,
                settings.exported, settings.last_sync, bool(remote and remote.auto))


def auto_setting(home: Path, settings: dict) -> bool:
    """Whether the app syncs by itself on open and quit (``settings``: the store's)."""
    value = settings.get(AUTO)
    if isinstance(value, bool):
        return value
    info = read_info(home)
    return bool(info and info.mode == "git" and info.git_auto)


def _parse(stamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None


def ago(last_sync: str | None, now: str) -> str:
    """``synced 5 min ago``, ``synced just now``, ``never synced``."""
    if not last_sync:
        return "never synced"
    then, at = _parse(last_sync), _parse(now)
    if then is None or at is None:
        return "synced"
    seconds = max(0, int((at - then).total_seconds()))
    if seconds < 60:
        return "synced just now"
    if seconds < 3600:
        return f"synced {seconds // 60} min ago"
    if seconds < 86400 * 2:
        return f"synced {seconds // 3600} h ago"
    return f"synced {seconds // 86400} days ago"


def unexported_changes(log: Path, after: int) -> tuple[int, int]:
    """The field changes (sync lines) of the log's action records numbered
    past ``after`` (``sync.json``'s ``exported``): the number ``paperqueue
    sync status`` gives. And the highest record number read, so the app
    counts what it records from then on from memory, never twice. Reads the
    whole log: call it off the UI thread."""
    from paperqueue.core import log_file

    records, _skipped = log_file.read_records(log, repair=False)
    count = 0
    for record in records:
        if record["kind"] in ("do", "undo", "redo") and record["seq"] > after:
            lines = record.get("sync")
            if isinstance(lines, list):
                count += sum(isinstance(line, str) for line in lines)
    return count, max((record["seq"] for record in records), default=0)


def not_synced_text(count: int) -> str:
    return f"{count:,} change{'s' * (count != 1)} not synced" if count > 0 else ""


def others_signature(folder: Path, device: str) -> frozenset[tuple[str, int, int]] | None:
    """Name, size and modification time of every other device's sync file
    (conflict copies included, a syncer's ``.`` temporary files not): a
    new or grown file changes it. Stats only, no reads; ``None`` when the
    folder is not there."""
    found: set[tuple[str, int, int]] = set()
    try:
        with os.scandir(folder) as owners:
            for owner in owners:
                if owner.name == device or not valid_device(owner.name) or not owner.is_dir():
                    continue
                with os.scandir(owner.path) as files:
                    for entry in files:
                        if entry.name.endswith(".jsonl") and not entry.name.startswith("."):
                            stat = entry.stat()
                            found.add((f"{owner.name}/{entry.name}", stat.st_size, stat.st_mtime_ns))
    except OSError:
        return None
    return frozenset(found)
