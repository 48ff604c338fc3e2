"""``paperqueue sync``, ``sync init folder PATH``, ``sync status``: two
machines, one queue, through a folder a syncer (Syncthing, Dropbox, iCloud)
keeps in step."""

from __future__ import annotations

import argparse
from pathlib import Path

from paperqueue.commands import EXIT_INPUT, EXIT_OK, EXIT_STORE, open_for_writing
from paperqueue.commands import error as _error


def add_parser(commands) -> None:  # noqa: ANN001 - argparse's subparsers action
    sync = commands.add_parser(
        "sync", help="sync papers, batches, stars, read marks, tags, notes and removals with your other machines",
        description="With no action: write this machine's changes and the records of its new papers to the sync "
        "folder, read the other machines', add the papers this queue lacks (into batches named as theirs) and "
        "apply the changes (the latest change of each field wins). Set it up once per machine with "
        "sync init folder PATH.",
    )
    actions = sync.add_subparsers(dest="sync_command", metavar="ACTION")
    init = actions.add_parser("init", help="set this queue up to sync through a folder")
    modes = init.add_subparsers(dest="mode", metavar="MODE", required=True)
    folder = modes.add_parser("folder", help="a folder kept in step by Syncthing, Dropbox, iCloud or a shared disk")
    folder.add_argument("path", type=Path, metavar="PATH")
    folder.add_argument("--auto", action="store_true",
                        help="the app syncs when it opens, when it quits, and when another device's changes arrive")
    git = modes.add_parser("git", help="a git repository: a bare one on a server or a USB disk, or a private forge one")
    git.add_argument("url", metavar="URL")
    git.add_argument("--auto", action="store_true", help="sync when the app opens and when it quits")
    actions.add_parser("status", help="this device, the devices seen, the last sync, changes waiting to go out")


def cmd_sync(args: argparse.Namespace) -> int:
    from paperqueue.core.sync.git_process import Offline
    from paperqueue.core.sync.settings import SyncError

    try:
        if args.sync_command == "status":
            return _status()
        return _with_store(args)
    except Offline as error:  # git could not reach the remote: everything is kept for the next sync
        _error(str(error))
        return EXIT_STORE
    except SyncError as error:
        _error(str(error))
        return EXIT_INPUT


def _status() -> int:
    from paperqueue.core.history import FILE
    from paperqueue.core.paths import data_home
    from paperqueue.core.sync.run import status

    home = data_home()
    found = status(home, home / FILE)
    if found is None:
        print("sync is not set up here; run paperqueue sync init folder PATH")
        return EXIT_OK
    settings = found.settings
    others = [d for d in found.devices if d != settings.device]
    print(f"this device: {settings.device}")
    from paperqueue.core.sync import git

    in_git = git.is_git(home)
    if in_git:
        found.waiting += git.unpushed(home)  # written to the tree, not pushed yet
        for line in git.status_lines(home):
            print(line)
    else:
        print(f"folder: {settings.folder}")
    print(f"devices seen: {', '.join(others) if others else 'none yet'}")
    print(f"last sync: {settings.last_sync or 'never'}")
    print(f"field changes waiting to go out: {found.waiting}")
    if found.pending:
        print(f"papers waiting to arrive here: {found.pending}")
    return EXIT_OK


def _with_store(args: argparse.Namespace) -> int:
    from paperqueue.core import lock
    from paperqueue.core.history import History
    from paperqueue.core.store import Store
    from paperqueue.core.sync.settings import SyncError
    from paperqueue.core.sync.run import drop_store_files, init_folder, only_untouched_sample, sync_folder
    from paperqueue.core.writer import Writer

    from paperqueue.core.sync import git

    if args.sync_command != "init":
        handed = _hand_over_if_app_open()
        if handed is not None:
            return handed if handed >= 0 else EXIT_OK
    opened = open_for_writing("sync", "close the app first")
    if opened is None:
        return EXIT_STORE
    store, history = opened
    try:
        if args.sync_command == "init":
            store.load_rest()  # the sample check and the first export read every paper
            remote = git.prepare(store.home, args.url, auto=args.auto) if args.mode == "git" else None
            dropped = 0
            if store.papers and only_untouched_sample(store, history):
                dropped = len(store.papers)
                drop_store_files(store.home)
                store.close()
                with lock.acting_as("sync"):
                    store = Store.open()
                history = History(store.home)
                print(f"dropped the untouched bundled sample ({dropped} papers) before joining")
            if remote is not None:
                settings = git.init_git(store, history, remote)
                where = git.shown_url(remote.url)
                writer = Writer(store, history)
                writer.note(f"Set up sync through git ({where}) as device {settings.device}")
                writer.save()
                print(f"sync set up: this device is {settings.device}; its changes go to {where}")
                print("run paperqueue sync to send and receive changes")
                return EXIT_OK
            settings = init_folder(store, history, args.path)
            if args.auto:
                from paperqueue.core.sync.status import AUTO

                store.set_settings(**{AUTO: True})  # device-local; written by the save below
            writer = Writer(store, history)
            writer.note(f"Set up sync through the folder {settings.folder} as device {settings.device}")
            writer.save()
            print(f"sync set up: this device is {settings.device}; its changes go to {settings.own}")
            print("run paperqueue sync to send and receive changes")
            return EXIT_OK
        writer = Writer(store, history)
        if git.is_git(store.home):
            print(git.sync_git(store, history, writer, store.clock()).line())
            return EXIT_OK
        summary = sync_folder(store, history, writer, store.clock())
        print(summary.line())
    except SyncError:
        raise
    except OSError as error:
        _error(f"sync stopped, a file could not be written ({error.strerror or error}); run paperqueue sync again")
        return EXIT_STORE
    finally:
        store.close()
    return EXIT_OK


def _hand_over_if_app_open() -> int | None:
    """While the app holds the queue, it syncs (with the writer it holds)
    and this prints what it says. Else, holding the lock, a folder sync
    with nothing to do is done without opening the store
    (:func:`~paperqueue.core.sync.run.quick_sync`): -1 once its line is
    printed. ``None``: open the store and sync in full (or say why not)."""
    from paperqueue.commands.fetching import _hand_to_app
    from paperqueue.core import handoff, lock
    from paperqueue.core.clock import utc_now
    from paperqueue.core.paths import data_home
    from paperqueue.core.store import layout
    from paperqueue.core.sync import git
    from paperqueue.core.sync.run import quick_sync

    home = data_home()
    held = lock.StoreLock(home / layout.LOCK)
    try:
        with lock.acting_as("sync"):
            held.acquire()
    except lock.StoreLockedError as failure:
        if failure.note.is_command:
            return None  # open_for_writing says which command has it
        return _hand_to_app(failure, handoff.SYNC, {})
    except OSError:
        return None  # open_for_writing says why
    try:
        summary = git.quick_sync_git(home, utc_now()) if git.is_git(home) else quick_sync(home, utc_now())
    except OSError:
        summary = None  # the full sync says what could not be written
    finally:
        held.release()
    if summary is None:
        return None
    print(summary.line())
    return -1
