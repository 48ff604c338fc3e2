"""``paperqueue import``: files into the store, each whole or not at all;
waiting for another import, or handing the files to an open app."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from paperqueue.commands import EXIT_INPUT, EXIT_OK, EXIT_STORE, clean_requests
from paperqueue.commands import error as _error
from paperqueue.commands import warn_all as _warn_all


def cmd_import(args: argparse.Namespace) -> int:
    from paperqueue.core.history import History, repair
    from paperqueue.core.writer import Writer
    from paperqueue.core.importing import UnusableFileError, check_file, import_file, summary_line
    from paperqueue.core.lock import StoreLockedError
    from paperqueue.core.store import Store
    from paperqueue.progress import ProgressBar
    from paperqueue.resources import sample_path

    from paperqueue.core.text import one_line

    sources: list[tuple[Path, str]] = [(path, one_line(path.name)) for path in args.files]
    if args.sample:
        sources.append((sample_path(), "bundled sample"))
    if not sources:
        _error("import: give one or more FILEs, or --sample")
        return EXIT_INPUT
    usable = []
    bad_input = store_failed = False
    for path, name in sources:
        try:
            check_file(path)
            usable.append((path, name))
        except UnusableFileError as error:
            _error(str(error))
            bad_input = True
    if not usable:
        return EXIT_INPUT
    try:
        store = Store.open(lock=False) if args.dry_run else _open_writer("import", args.wait)
    except StoreLockedError as error:
        if error.note.is_command:
            _error(f"another paperqueue {error.note.kind} is running (pid {error.note.pid}); nothing imported, try again when it is done")
            return EXIT_STORE
        return _hand_to_app(error, usable, args, bad_input)
    except KeyboardInterrupt:
        _error("stopped waiting; nothing imported")
        return EXIT_STORE
    except OSError as error:
        _error(f"cannot open the queue: {error}")
        return EXIT_STORE
    _warn_all(store.warnings)
    history = History(store.home)
    writer = Writer(store, history)
    try:
        if not args.dry_run:
            clean_requests(store.home)
            try:
                repair(store, history)
            except OSError as error:
                _error(f"cannot bring the queue up to date with its action log ({error.strerror or error}); nothing imported")
                return EXIT_STORE
        for path, name in usable:
            bar = ProgressBar(name)
            try:
                # refresh=False: the new papers are not read back into memory
                # (the store closes after; a next file reads them when it starts).
                result = import_file(
                    store, path, source=name, progress=bar, name=args.name, dry_run=args.dry_run, restore=args.restore,
                    refresh=False,
                )
            except UnusableFileError as error:
                bar.finish()
                _error(str(error))
                bad_input = True
                continue
            except OSError as error:
                bar.finish()
                _error(f"{name}: not imported, the store could not be written ({error.strerror or error})")
                store_failed = True
                continue
            bar.finish()
            for problem in result.problems:
                _error(f"{path}: {problem}")
            line = summary_line(name, result, args.dry_run, store.last_import)
            print(line)
            if not args.dry_run:
                writer.record_import(f"Imported {line}", store.last_import)  # undoable: deletes its batch
                try:
                    writer.save()
                except OSError as error:
                    _error(f"{name}: imported, but its line in the history ({history.path.name}) could not be written ({error.strerror or error})")
                    store_failed = True
    finally:
        store.close()
    if bad_input:
        return EXIT_INPUT
    return EXIT_STORE if store_failed else EXIT_OK


def _open_writer(kind: str, wait: float | None):
    """The store with the writer lock, for the command ``kind``. While
    another command (an import, an undo) holds it, say so once and wait for
    it: until it is done, or at most ``wait`` seconds (then, or when the
    holder is the app, :class:`StoreLockedError` is raised)."""
    from paperqueue.core import lock
    from paperqueue.core.store import Store

    deadline = None if wait is None else time.monotonic() + max(wait, 0.0)
    said = False
    while True:
        try:
            with lock.acting_as(kind):
                return Store.open()
        except lock.StoreLockedError as error:
            note = error.note
            if not note.is_command or (deadline is not None and time.monotonic() >= deadline):
                raise
            if not said:
                limit = "" if deadline is None else f", at most {wait:g} s"
                _error(f"waiting for another paperqueue {note.kind} (pid {note.pid}) to finish{limit}")
                said = True
            time.sleep(0.2 if deadline is None else min(0.2, max(0.0, deadline - time.monotonic())))


def _hand_to_app(locked: Exception, usable: list[tuple[Path, str]], args: argparse.Namespace, bad_input: bool) -> int:
    """The app has the queue open: let it import the files, and report."""
    from paperqueue.core import handoff
    from paperqueue.core.paths import data_home

    home = data_home()
    app_alive = lambda: handoff.holder_alive(home)  # noqa: E731

    request = handoff.submit(home, [path for path, _name in usable], name=args.name, restore=args.restore)
    result = handoff.wait(request, app_alive)
    if result is None:
        _error(f"{locked}; it did not take the import, so close it and run the import again")
        return EXIT_STORE
    for line in result.get("lines", []):
        print(line)
    for line in result.get("errors", []):
        _error(line)
    status = int(result.get("status", EXIT_OK))
    return EXIT_INPUT if bad_input else status
