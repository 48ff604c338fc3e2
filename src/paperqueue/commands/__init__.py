"""What every command shares: exit codes, one-line messages on stderr, and
opening the store to read."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_STORE, EXIT_INPUT = 0, 1, 2


def error(message: str) -> None:
    from paperqueue.core.text import one_line

    print(f"paperqueue: {one_line(message)}", file=sys.stderr)  # paths and input can carry escape codes


def warn_all(warnings: list[str]) -> None:
    for warning in warnings:
        error(f"warning: {warning}")


def open_for_reading():
    """The store opened read-only for a listing, or ``None`` after saying why not."""
    from paperqueue.core.store import Store

    try:
        store = Store.open(lock=False)
    except OSError as failure:
        error(f"cannot open the queue: {failure}")
        return None
    warn_all(store.warnings)
    return store


def clean_requests(home: Path) -> None:
    """Requests a crash left behind (this process holds the writer lock)."""
    from paperqueue.core import handoff

    handoff.clean_stale(home)
