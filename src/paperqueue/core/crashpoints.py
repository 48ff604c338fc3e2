"""Named moments between the steps of a durable write, for the crash tests.

Every write path calls :func:`boundary` right before and right after each
``write``, ``fsync``, ``rename`` and ``truncate``. Normally it does nothing
(one global test). The crash tests set ``PAPERQUEUE_CRASH_AT=N`` in a child
process to have it SIGKILL itself at the N-th boundary, and
``PAPERQUEUE_CRASH_LOG=FILE`` to have every boundary's label appended to
``FILE`` (to learn how many there are, and which one a stop was at).
"""

from __future__ import annotations

import os
import signal
import threading

_AT = int(os.environ.get("PAPERQUEUE_CRASH_AT") or 0)
_LOG = os.environ.get("PAPERQUEUE_CRASH_LOG") or None
_ACTIVE = bool(_AT or _LOG)
_seen = 0
_lock = threading.Lock()


def boundary(label: str) -> None:
    """A moment between two steps of a write (``label`` names it)."""
    if not _ACTIVE:
        return
    global _seen
    with _lock:
        _seen += 1
        if _LOG:
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{_seen} {label}\n")
        if _seen == _AT:
            os.kill(os.getpid(), signal.SIGKILL)
