"""``paperqueue tag list|rename|delete``, and the way every organizing
command changes the queue: open it to write, bring it up to date with the
action log, plan the change (:mod:`paperqueue.core.organize`), record it as
one undoable action and save."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from paperqueue.commands import EXIT_INPUT, EXIT_OK, EXIT_STORE, open_for_reading
from paperqueue.commands import error as _error


def add_parser(commands) -> None:  # noqa: ANN001 - argparse's subparsers action
    tag = commands.add_parser("tag", help="list, rename or delete tags", description="List, rename or delete tags "
                              "(compared without regard to case; a leading # is fine). Rename and delete are undoable "
                              "(paperqueue undo, or u in the app).")
    actions = tag.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    lister = actions.add_parser("list", help="each tag with the number of papers carrying it")
    lister.add_argument("--format", choices=("table", "json"), default="table", help="table for people (default), json for scripts")
    rename = actions.add_parser("rename", help="rename a tag on every paper (onto a tag in use: the two merge)")
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    delete = actions.add_parser("delete", help="take a tag off every paper")
    delete.add_argument("name", metavar="NAME")


def cmd_tag(args: argparse.Namespace) -> int:
    from paperqueue.core import organize

    if args.tag_command == "list":
        store = open_for_reading()
        if store is None:
            return EXIT_STORE
        try:
            counts = organize.tag_counts(store)
        finally:
            store.close()
        if args.format == "json":
            sys.stdout.write(json.dumps([{"tag": tag, "papers": n} for tag, n in counts], ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write("".join(f"{n:>7,}  #{tag}\n" for tag, n in counts))
        return EXIT_OK
    if args.tag_command == "rename":
        return change("tag", lambda store: organize.rename_tag(store, args.old, args.new))
    return change("tag", lambda store: organize.delete_tag(store, args.name))


def change(kind: str, plan: Callable) -> int:
    """Open the queue to write, plan with ``plan(store)`` and carry it out as
    one undoable action. One line on success (the action's label); a refused
    plan is one line and exit 2, nothing written."""
    from paperqueue.commands import open_for_writing
    from paperqueue.core.organize import OrganizeError, carry_out
    from paperqueue.core.writer import Writer

    opened = open_for_writing(kind, "close the app first (or do it there)")
    if opened is None:
        return EXIT_STORE
    store, history = opened
    try:
        store.load_rest()
        try:
            planned = plan(store)
        except OrganizeError as error:
            _error(str(error))
            return EXIT_INPUT
        writer = Writer(store, history)
        carry_out(store, writer, planned)
        writer.save()
        print(planned.label)
    except OSError as error:
        _error(f"nothing changed, the store could not be written ({error.strerror or error})")
        return EXIT_STORE
    finally:
        store.close()
    return EXIT_OK
