"""``paperqueue batch list|rename|delete``: import batches."""

from __future__ import annotations

import argparse
import json
import sys

from paperqueue.commands import EXIT_OK, EXIT_STORE, open_for_reading
from paperqueue.commands.tags import change


def add_parser(commands) -> None:  # noqa: ANN001 - argparse's subparsers action
    batch = commands.add_parser("batch", help="list, rename or delete import batches",
                                description="List, rename or delete import batches, named by number or name (or the "
                                "start of one name). Deleting a batch hides its papers that no other batch holds; "
                                "rename and delete are undoable (paperqueue undo, or u in the app).")
    actions = batch.add_subparsers(dest="batch_command", metavar="ACTION", required=True)
    lister = actions.add_parser("list", help="number, name, date and papers of each batch, newest first")
    lister.add_argument("--format", choices=("table", "json"), default="table", help="table for people (default), json for scripts")
    rename = actions.add_parser("rename", help="give a batch a new name")
    rename.add_argument("batch", metavar="ID|NAME")
    rename.add_argument("new", metavar="NEW")
    delete = actions.add_parser("delete", help="delete a batch: its papers no other batch holds are hidden everywhere")
    delete.add_argument("batch", metavar="ID|NAME")


def cmd_batch(args: argparse.Namespace) -> int:
    from paperqueue.core import organize
    from paperqueue.core.text import one_line

    if args.batch_command == "list":
        store = open_for_reading()
        if store is None:
            return EXIT_STORE
        try:
            rows = organize.batch_rows(store)
        finally:
            store.close()
        if args.format == "json":
            body = [{"id": r.batch, "name": r.name, "added_at": r.added_at or None, "papers": r.papers} for r in rows]
            sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write("".join(f"{r.batch:>5}  {r.added_at[:10] or '-':<10}  {r.papers:>7,}  {one_line(r.name)}\n" for r in rows))
        return EXIT_OK
    if args.batch_command == "rename":
        return change("batch", lambda store: organize.rename_batch(store, args.batch, args.new))
    return change("batch", lambda store: organize.delete_batch(store, args.batch))
