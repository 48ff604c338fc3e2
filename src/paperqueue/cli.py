"""The command line: ``paperqueue`` opens the app; subcommands for scripts.

Exit codes: 0 ok, 1 the store could not be written or is locked, 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from paperqueue import __version__

EXIT_OK, EXIT_STORE, EXIT_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paperqueue",
        description="A keyboard-driven reading queue for research papers. With no command, opens the app.",
        epilog="Data lives in $PAPERQUEUE_HOME, or the platform's user data folder when it is not set.",
    )
    parser.add_argument("--version", action="version", version=f"paperqueue {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    importer = commands.add_parser(
        "import",
        help="import papers from files",
        description="Import papers. The format is detected from the content: a pasted trending-papers page, "
        "Hugging Face daily-papers JSON, an arXiv Atom or RSS feed, BibTeX, a list of arXiv ids or URLs, "
        "or a paperqueue JSON export.",
    )
    importer.add_argument("files", nargs="*", type=Path, metavar="FILE", help="files to import")
    importer.add_argument("--sample", action="store_true", help="import the bundled sample page")
    importer.add_argument("--dry-run", action="store_true", help="say what would be imported; write nothing")
    importer.add_argument("--name", help="name of the batch (default: the file name and today's date)")
    importer.add_argument("--restore", action="store_true", help="bring back papers you removed if the file has them")
    importer.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="while another paperqueue import (or undo) has the queue, wait at most this long for it "
        "(default: until it is done; 0: do not wait)",
    )

    commands.add_parser("undo", help="undo the last change to your stars, read marks, tags, notes or removals")
    commands.add_parser("redo", help="redo what undo undid")
    commands.add_parser("doctor", help="where the store lives, its size, and what the clipboard can do here")

    lister = commands.add_parser("list", help="print the queue")
    which = lister.add_mutually_exclusive_group()
    for view in ("unread", "starred", "read", "all"):
        which.add_argument(f"--{view}", dest="view", action="store_const", const="inbox" if view == "unread" else view)
    lister.add_argument("--format", choices=("table", "json", "md"), default="table")
    lister.set_defaults(view="all")

    exporter = commands.add_parser("export", help="write the queue as BibTeX, Markdown, JSON or CSV")
    which = exporter.add_mutually_exclusive_group()
    for view in ("starred", "unread", "read", "all"):
        which.add_argument(f"--{view}", dest="view", action="store_const", const="inbox" if view == "unread" else view)
    exporter.add_argument(
        "--format",
        choices=("bibtex", "markdown", "json", "csv"),
        help="default: from the -o file's extension (.bib .bibtex .json .csv .md .markdown), else json",
    )
    exporter.add_argument("--batch", metavar="NAME", help="only papers of this import batch")
    exporter.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: standard output)")
    exporter.set_defaults(view="all")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "import":
            return cmd_import(args)
        if args.command == "list":
            return cmd_list(args)
        if args.command == "export":
            return cmd_export(args)
        if args.command in ("undo", "redo"):
            return cmd_undo(args.command)
        if args.command == "doctor":
            return cmd_doctor()
    except BrokenPipeError:
        return EXIT_OK
    return run_app()


def run_app() -> int:
    from paperqueue.ui.app import PaperQueueApp

    app = PaperQueueApp()
    app.run()
    return app.return_code or EXIT_OK  # 1 when the queue could not be opened at all


def _error(message: str) -> None:
    from paperqueue.core.text import one_line

    print(f"paperqueue: {one_line(message)}", file=sys.stderr)  # paths and input can carry escape codes


def _warn_all(warnings: list[str]) -> None:
    for warning in warnings:
        _error(f"warning: {warning}")


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
            _clean_requests(store.home)
            try:
                repair(store, history)
            except OSError as error:
                _error(f"cannot bring the queue up to date with its action log ({error.strerror or error}); nothing imported")
                return EXIT_STORE
        for path, name in usable:
            bar = ProgressBar(name)
            try:
                result = import_file(
                    store, path, source=name, progress=bar, name=args.name, dry_run=args.dry_run, restore=args.restore
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
            line = summary_line(name, result, args.dry_run)
            print(line)
            if not args.dry_run:
                writer.note(f"Imported {line}")
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


def _clean_requests(home: Path) -> None:
    """Requests a crash left behind (this process holds the writer lock)."""
    from paperqueue.core import handoff

    handoff.clean_stale(home)


def _open_for_reading():
    """The store opened read-only for a listing, or ``None`` after saying why not."""
    from paperqueue.core.store import Store

    try:
        store = Store.open(lock=False)
    except OSError as error:
        _error(f"cannot open the queue: {error}")
        return None
    _warn_all(store.warnings)
    return store


def cmd_list(args: argparse.Namespace) -> int:
    from paperqueue.core.listing import render_list

    store = _open_for_reading()
    if store is None:
        return EXIT_STORE
    try:
        sys.stdout.write(render_list(store, args.view, args.format))
    finally:
        store.close()
    return EXIT_OK


def _hand_to_app(locked: Exception, usable: list[tuple[Path, str]], args: argparse.Namespace, bad_input: bool) -> int:
    """The app has the queue open: let it import the files, and report."""
    from paperqueue.core import handoff
    from paperqueue.core.lock import StoreLock, StoreLockedError
    from paperqueue.core.paths import data_home

    home = data_home()

    def app_alive() -> bool:
        probe = StoreLock(home / "queue.lock")
        try:
            probe.acquire()
        except (StoreLockedError, OSError):
            return True
        probe.release()
        return False

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


def cmd_undo(command: str) -> int:
    from paperqueue.core.history import History, repair
    from paperqueue.core.writer import Writer
    from paperqueue.core.lock import StoreLockedError
    from paperqueue.core.store import Store

    from paperqueue.core.lock import acting_as

    try:
        with acting_as(command):
            store = Store.open()
    except StoreLockedError as error:
        if error.note.is_command:
            _error(f"{error}; try again when it is done")
        else:
            _error(f"{error}; use u / ctrl+r in the app, or close it first")
        return EXIT_STORE
    except OSError as error:
        _error(f"cannot open the queue: {error}")
        return EXIT_STORE
    _warn_all(store.warnings)
    try:
        _clean_requests(store.home)
        history = History(store.home)
        repair(store, history)
        writer = Writer(store, history)
        action = writer.undo() if command == "undo" else writer.redo()
        if action is None:
            print(f"nothing to {command}")
            return EXIT_OK
        for key, state in action.states(after=(command == "redo")).items():
            if key in store.papers:
                store.set_state(key, state)
        writer.save()
        print(f"{'undid' if command == 'undo' else 'redid'}: {action.label}")
    except OSError as error:
        _error(f"{command} failed, the store could not be written ({error.strerror or error})")
        return EXIT_STORE
    finally:
        store.close()
    return EXIT_OK


def cmd_doctor() -> int:
    from paperqueue.core.doctor import diagnose, render
    from paperqueue.core.paths import data_home

    sys.stdout.write(render(diagnose(data_home())))
    return EXIT_OK


def _umask_mode() -> int:
    """The mode a new file gets from ``open()`` here (0666 less the umask): an
    export is the person's own document, not part of the private store."""
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


def _unwritable_output(path: Path) -> str | None:
    """Why ``export -o`` will not write ``path`` (a FIFO, a device, a link to
    one or to nothing), or ``None``. A regular file, a link to one, or a new
    name are fine."""
    import stat

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"{path}: cannot check ({error.strerror or error})"
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        try:
            info = os.lstat(target)
        except OSError:
            return f"{path}: is a symbolic link to {target}, which does not exist; give the file itself"
        if not stat.S_ISREG(info.st_mode):
            return f"{path}: is a symbolic link to {target}, which is not a regular file; leave out -o to write to standard output"
        return None
    if not stat.S_ISREG(info.st_mode):
        return f"{path}: not a regular file; leave out -o to write to standard output"
    return None


def cmd_export(args: argparse.Namespace) -> int:
    from paperqueue.core.atomic import UnsafePathError, atomic_write_bytes
    from paperqueue.core.export import UnknownBatchError, export, format_for

    implied = format_for(args.output) if args.output is not None else None
    if args.format is None:
        args.format = implied or "json"
    elif implied and implied != args.format:
        _error(f"note: writing {args.format} into {args.output} as --format asks")
    if args.output is not None:
        folder = args.output.parent
        if not folder.is_dir():
            _error(f"export: {folder}: no such folder" if not folder.exists() else f"export: {folder}: not a folder")
            return EXIT_INPUT
        if args.output.is_dir():
            _error(f"export: {args.output}: is a folder; give a file name")
            return EXIT_INPUT
        problem = _unwritable_output(args.output)
        if problem:
            _error(f"export: {problem}")
            return EXIT_INPUT
    store = _open_for_reading()
    if store is None:
        return EXIT_STORE
    try:
        text = export(store, args.format, args.view, args.batch)
    except UnknownBatchError as error:
        _error(str(error))
        return EXIT_INPUT
    finally:
        store.close()
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        # A link to a regular file is followed (the link stays, its file is
        # replaced); anything else that is not a regular file was refused above.
        atomic_write_bytes(args.output, text.encode("utf-8"), new_mode=_umask_mode(), follow=True)
    except UnsafePathError as error:
        _error(f"export: {error}")
        return EXIT_INPUT
    except OSError as error:
        _error(f"{args.output}: cannot write ({error.strerror or error})")
        return EXIT_STORE
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
