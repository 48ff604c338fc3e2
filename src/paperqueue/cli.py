"""The command line: ``paperqueue`` opens the app; subcommands for scripts.

Exit codes: 0 ok, 1 the store could not be written or is locked, 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from paperqueue import __version__
from paperqueue.commands import EXIT_INPUT, EXIT_OK, EXIT_STORE, open_for_reading
from paperqueue.commands import error as _error


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

    commands.add_parser("undo", help="undo the last change: stars, read marks, tags, notes, removals, batches, an import")
    commands.add_parser("redo", help="redo what undo undid")
    commands.add_parser("doctor", help="where the store lives, its size, and what the clipboard can do here")

    lister = commands.add_parser(
        "list",
        help="print the queue",
        description="Print the queue, newest import first. Table rows: ★ starred, ● unread or ✓ read, "
        "the arXiv id, the title.",
    )
    which = _views(lister, ("unread", "starred", "read", "all"))
    which.add_argument(
        "--for-you", dest="view", action="store_const", const="for-you",
        help="unread papers ranked by what you star, tag and annotate, best first, with a score",
    )
    lister.add_argument("--limit", type=_count, metavar="N", help="the first N papers only (with --for-you: the N best)")
    lister.add_argument(
        "--format",
        choices=("table", "json", "md"),
        default="table",
        help="table for people (default), json for scripts (the fields are in the README), "
        "md a Markdown checklist of [Title](link) lines",
    )

    exporter = commands.add_parser(
        "export",
        help="write the queue as BibTeX, Markdown, JSON or CSV",
        description="Write the queue with abstracts and your state, to standard output or a file.",
    )
    _views(exporter, ("starred", "unread", "read", "all"))
    exporter.add_argument(
        "--format",
        choices=("bibtex", "markdown", "json", "csv"),
        help="default: from the -o file's extension (.bib .bibtex .json .csv .md .markdown), else json",
    )
    exporter.add_argument("--batch", metavar="NAME", help="only papers of this import batch (its name, or the start of it)")
    exporter.add_argument("--tag", metavar="NAME", help="only papers with this tag (any case, # optional)")
    exporter.add_argument(
        "-o", "--output", type=Path, metavar="FILE",
        help="write to FILE atomically (default: standard output); a link to a file writes that file",
    )
    from paperqueue.commands import batches, fetching, fulltext, serve, subscribing, syncing, tags

    tags.add_parser(commands)
    batches.add_parser(commands)
    syncing.add_parser(commands)
    subscribing.add_parsers(commands)
    fetching.add_parsers(commands)
    fulltext.add_parsers(commands)
    serve.add_parser(commands)
    return parser


def _count(text: str) -> int:
    """A number of papers: 0 or more."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{number} is below 0")
    return number


def _views(command: argparse.ArgumentParser, views: tuple[str, ...]) -> argparse._MutuallyExclusiveGroup:
    """--unread / --starred / --read / --all, one at most (default: all)."""
    which = command.add_mutually_exclusive_group()
    helps = {
        "unread": "only unread papers (the Inbox)",
        "starred": "only starred papers",
        "read": "only papers marked read",
        "all": "every paper not removed (the default)",
    }
    for view in views:
        which.add_argument(
            f"--{view}", dest="view", action="store_const", const="inbox" if view == "unread" else view, help=helps[view]
        )
    command.set_defaults(view="all")
    return which


# command -> (module in paperqueue.commands, its function taking the parsed arguments)
_ELSEWHERE = {
    "subscribe": ("subscribing", "cmd_subscribe"),
    "subscriptions": ("subscribing", "cmd_subscriptions"),
    "unsubscribe": ("subscribing", "cmd_unsubscribe"),
    "fetch": ("fetching", "cmd_fetch"),
    "add": ("fetching", "cmd_add"),
    "sync": ("syncing", "cmd_sync"),
    "pdf": ("fulltext", "cmd_pdf"),
    "read": ("fulltext", "cmd_read"),
    "serve": ("serve", "cmd_serve"),
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "import":
            from paperqueue.commands.importing import cmd_import

            return cmd_import(args)
        if args.command == "list":
            return cmd_list(args)
        if args.command == "export":
            from paperqueue.commands.exporting import cmd_export

            return cmd_export(args)
        if args.command == "tag":
            from paperqueue.commands.tags import cmd_tag

            return cmd_tag(args)
        if args.command == "batch":
            from paperqueue.commands.batches import cmd_batch

            return cmd_batch(args)
        if args.command in _ELSEWHERE:
            module, function = _ELSEWHERE[args.command]
            return getattr(__import__(f"paperqueue.commands.{module}", fromlist=[function]), function)(args)
        if args.command in ("undo", "redo"):
            return cmd_undo(args.command)
        if args.command == "doctor":
            return cmd_doctor()
    except BrokenPipeError:
        return EXIT_OK
    return run_app()


def run_app() -> int:
    # Started by paperqueue serve (or textual-serve): pipes, not a terminal.
    served = os.environ.get("TEXTUAL_DRIVER") in ("textual.drivers.web_driver:WebDriver", "paperqueue.serving.driver:ServedDriver")
    if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        _error("the app needs a terminal (standard input and output are not one); for scripts, see paperqueue --help")
        return EXIT_INPUT
    from paperqueue.ui.app import PaperQueueApp

    app = PaperQueueApp()
    app.run()
    return app.return_code or EXIT_OK  # 1 when the queue could not be opened at all


def cmd_list(args: argparse.Namespace) -> int:
    if args.view == "for-you":
        from paperqueue.commands.ranking import cmd_for_you

        return cmd_for_you(args)
    from paperqueue.core.listing import render_list

    store = open_for_reading()
    if store is None:
        return EXIT_STORE
    try:
        sys.stdout.write(render_list(store, args.view, args.format, args.limit))
    finally:
        store.close()
    return EXIT_OK


def cmd_undo(command: str) -> int:
    from paperqueue.commands import open_for_writing
    from paperqueue.core.writer import Writer

    opened = open_for_writing(command, "use u / ctrl+r in the app, or close it first")
    if opened is None:
        return EXIT_STORE
    store, history = opened
    try:
        writer = Writer(store, history)
        action = writer.undo() if command == "undo" else writer.redo()
        if action is None:
            print(f"nothing to {command}")
            return EXIT_OK
        for key, state in action.states(after=(command == "redo")).items():
            if key in store.papers:
                store.set_state(key, state)  # batch changes: put in memory by the writer
        writer.save()
        title_of = lambda key: (paper.display_title if (paper := store.papers.get(key)) else None)  # noqa: E731
        print(f"{'undid' if command == 'undo' else 'redid'}: {action.described(title_of)}")
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
