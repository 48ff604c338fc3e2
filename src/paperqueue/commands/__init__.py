"""What every command shares: exit codes, one-line messages on stderr, and
opening the store to read or to write."""

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


def open_for_writing(kind: str, when_app_has_it: str):
    """The store opened to write by the short-lived command ``kind`` (the
    lock says so), stale hand-over requests cleaned, the action log read and
    what a crash left unsaved applied again: ``(store, history)``, or
    ``None`` after one line saying why not (``when_app_has_it`` is the
    advice when the app holds the queue). The caller closes the store."""
    from paperqueue.core import lock
    from paperqueue.core.history import History, repair
    from paperqueue.core.store import Store

    try:
        with lock.acting_as(kind):
            store = Store.open()
    except lock.StoreLockedError as failure:
        error(f"{failure}; {'try again when it is done' if failure.note.is_command else when_app_has_it}")
        return None
    except OSError as failure:
        error(f"cannot open the queue: {failure}")
        return None
    warn_all(store.warnings)
    try:
        if store.read_only:
            error("the queue is open read-only; nothing changed")
        else:
            clean_requests(store.home)
            history = History(store.home)
            repair(store, history)
            return store, history
    except OSError as failure:
        error(f"cannot bring the queue up to date with its action log ({failure.strerror or failure}); nothing changed")
    store.close()
    return None


def clean_requests(home: Path) -> None:
    """Requests a crash left behind (this process holds the writer lock)."""
    from paperqueue.core import handoff

    handoff.clean_stale(home)
