"""Handing an import to the open app: ``paperqueue import`` while the app
holds the writer lock.

The command writes a request file into ``requests/`` beside the store; the
app (the one writer) claims it by renaming it, imports the files exactly as
``i`` does, and writes a result file that the command prints. A request not
claimed within a few seconds (a read-only second app, a hung one) is taken
back and the command refuses, as it would have without an app. Files a
crash left behind are removed by the next writer (:func:`clean_stale`).

Requests have a ``kind`` (:func:`kind_of`): ``import`` (files; a request
without a kind is one), ``fetch`` (``names``: the subscriptions to fetch,
empty for all), ``add`` (``items``: what the person typed) and ``sync``
(``paperqueue sync``: the app syncs with the writer it holds). The app
answers with the same kind, so a command can tell an app that did the work
from one that does not know the kind (:func:`answered_kind`).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import orjson

from paperqueue.core.atomic import atomic_write_bytes, check_regular, make_private_dirs

FOLDER = "requests"
CLAIM_WITHIN = 5.0  # seconds for the app to claim a request
POLL = 0.1
STALE_AFTER = 60.0  # seconds: no command waits this long without reading its result


def submit(home: Path, files: list[Path], *, name: str | None, restore: bool) -> Path:
    """Write a request for the open app; returns its path."""
    folder = home / FOLDER
    make_private_dirs(folder)
    request = folder / f"{uuid.uuid4().hex}.json"
    body = {"files": [str(path.resolve()) for path in files], "name": name, "restore": restore}
    atomic_write_bytes(request, orjson.dumps(body))
    return request


IMPORT, FETCH, ADD, SYNC = "import", "fetch", "add", "sync"
KINDS = (IMPORT, FETCH, ADD, SYNC)


def submit_work(home: Path, kind: str, body: dict) -> Path:
    """Write a ``fetch``, ``add`` or ``sync`` request for the open app; returns its path."""
    if kind not in (FETCH, ADD, SYNC):
        raise ValueError(f"unknown request kind {kind!r}")
    folder = home / FOLDER
    make_private_dirs(folder)
    request = folder / f"{uuid.uuid4().hex}.json"
    atomic_write_bytes(request, orjson.dumps({**body, "kind": kind}))
    return request


def kind_of(body: dict) -> str | None:
    """The kind of a claimed request; ``None`` for one this version does not know."""
    kind = body.get("kind", IMPORT)
    return kind if kind in KINDS else None


def answered_kind(result: dict) -> str:
    """The kind the app answered (``import`` from an app that predates kinds)."""
    kind = result.get("kind", IMPORT)
    return kind if isinstance(kind, str) else IMPORT


def wait(
    request: Path,
    app_alive: Callable[[], bool],
    claim_within: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict | None:
    """The app's result, or ``None`` when no app claimed the request in time
    (the request is then withdrawn) or the app went away mid-import."""
    working = request.with_suffix(".working")
    result = request.with_suffix(".result")
    deadline = time.monotonic() + (CLAIM_WITHIN if claim_within is None else claim_within)
    while True:
        if result.exists():
            try:
                data = orjson.loads(_read(result))
            except (OSError, orjson.JSONDecodeError):
                data = None
            finally:
                result.unlink(missing_ok=True)
            return data if isinstance(data, dict) else None
        if request.exists() and time.monotonic() > deadline:
            try:
                request.unlink()  # withdrawn; if the app claimed it this instant, wait on
                return None
            except FileNotFoundError:
                pass
        if not request.exists() and not result.exists() and (not working.exists() or not app_alive()):
            working.unlink(missing_ok=True)
            return None  # claimed and lost: the app quit or died mid-import
        sleep(POLL)


def holder_alive(home: Path) -> bool:
    """Whether the process holding the queue's lock (the app a request was
    handed to) is still there: a waiting command stops waiting when not."""
    from paperqueue.core.lock import StoreLock, StoreLockedError

    probe = StoreLock(home / "queue.lock")
    try:
        probe.acquire()
    except (StoreLockedError, OSError):
        return True
    probe.release()
    return False


def claim(home: Path) -> tuple[Path, dict] | None:
    """The oldest waiting request, claimed (renamed), with its body."""
    folder = home / FOLDER
    try:
        waiting = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
    except OSError:
        return None
    for request in waiting:
        working = request.with_suffix(".working")
        try:
            os.rename(request, working)
        except OSError:
            continue  # withdrawn meanwhile
        try:
            body = orjson.loads(_read(working))
        except (OSError, orjson.JSONDecodeError):
            working.unlink(missing_ok=True)
            continue
        if isinstance(body, dict):
            return working, body
        working.unlink(missing_ok=True)
    return None


def _read(path: Path) -> bytes:
    """A request or result file: a regular file only (a FIFO planted in
    ``requests/`` would hang the reader), never through a link."""
    check_regular(path)
    return path.read_bytes()


def answer(working: Path, lines: list[str], errors: list[str], status: int, kind: str = IMPORT) -> None:
    """Write the result for the waiting command and drop the claimed request
    (``kind``: the request's, see :func:`kind_of`)."""
    result = working.with_suffix(".result")
    body = {"lines": lines, "errors": errors, "status": status}
    if kind != IMPORT:
        body["kind"] = kind
    atomic_write_bytes(result, orjson.dumps(body))
    working.unlink(missing_ok=True)


def clean_stale(home: Path, now: float | None = None) -> int:
    """Remove what crashes left in ``requests/``; returns how many files.

    Call only while holding the writer lock (the app when it opens as the
    writer, a command that took the lock). Then every ``.working`` file is
    stale: the app that claimed it is gone. A ``.result``, a ``.json``
    request and a temporary file are stale once older than
    :data:`STALE_AFTER` (a waiting command reads its result within
    :data:`POLL`, and withdraws its request after :data:`CLAIM_WITHIN`)."""
    folder = home / FOLDER
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if name.endswith(".working"):
            old_enough = True
        elif name.endswith((".result", ".json")) or (name.startswith(".") and name.endswith(".tmp")):
            try:
                old_enough = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
            except OSError:
                continue
        else:
            continue  # not ours
        if old_enough and not entry.is_dir(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed
