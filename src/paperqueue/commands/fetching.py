"""``paperqueue fetch`` and ``paperqueue add``: papers from the network.

Exit codes: 0 every subscription (every paper) landed; 1 a source failed
(the others still landed), a paper is only pending, or the store could not
be written; 2 bad arguments (an unknown subscription, something that is not
a paper id, an id arXiv or a DOI Crossref does not know). While the app has
the queue open, the work is handed to it (it makes the requests and
imports) and the command prints what it answers, with its exit code.
"""

from __future__ import annotations

import argparse
import sys

from paperqueue.commands import EXIT_INPUT, EXIT_OK, EXIT_STORE, clean_requests
from paperqueue.commands import error as _error
from paperqueue.commands import warn_all as _warn_all


def add_parsers(commands) -> None:  # noqa: ANN001 - argparse's subparsers action
    fetch = commands.add_parser(
        "fetch",
        help="fetch new papers of every subscription (or the named ones)",
        description="Fetch the subscriptions: one line per subscription. Each subscription's papers land "
        "together or not at all, as a batch named after it and the date. Papers added while offline "
        "are looked up again. Exit 0 when all succeeded, 1 when any failed (the others still land).",
    )
    fetch.add_argument("names", nargs="*", metavar="NAME", help="subscriptions to fetch (default: all)")
    fetch.add_argument("--dry-run", action="store_true", help="fetch and say what would be imported; write nothing")
    adder = commands.add_parser(
        "add",
        help="add papers by arXiv id, DOI or URL",
        description="Add papers by arXiv id (2401.01234, hep-th/9901001, with or without version), DOI, "
        "or arxiv.org / doi.org / huggingface.co/papers URL, with their details from arXiv or Crossref. "
        "Offline, they land by id alone, marked details pending, and every later fetch fills them in (exit 1).",
    )
    adder.add_argument("items", nargs="+", metavar="ID|DOI|URL")


def _client(home):  # noqa: ANN001
    from paperqueue.core.net.client import Client

    return Client(home)


def _open(dry_run: bool, kind: str = "fetch"):
    """The store for a fetch (read-only for a dry run), or a
    :class:`StoreLockedError` the caller hands over on."""
    from paperqueue.core.store import Store
    from paperqueue.commands.importing import _open_writer

    if dry_run:
        return Store.open(lock=False)
    return _open_writer(kind, None)  # waits for another import, fetch or add


def _open_or_hand_over(dry_run: bool, kind: str, body: dict, done: str):  # noqa: ANN202 - a Store or an exit code
    """The store for a fetch or an add; while the app has the queue, the
    work handed to it and its exit code; else an exit code after one line
    (``done``: "fetched", "added", for "nothing fetched")."""
    from paperqueue.core.lock import StoreLockedError

    try:
        store = _open(dry_run, kind)
    except StoreLockedError as error:
        if error.note.is_command:
            _error(f"another paperqueue {error.note.kind} is running (pid {error.note.pid}); nothing {done}, try again when it is done")
            return EXIT_STORE
        return _hand_to_app(error, kind, body)
    except KeyboardInterrupt:
        _error(f"stopped waiting; nothing {done}")
        return EXIT_STORE
    except OSError as error:
        _error(f"cannot open the queue: {error}")
        return EXIT_STORE
    _warn_all(store.warnings)
    return store


def cmd_fetch(args: argparse.Namespace) -> int:
    from paperqueue.core import fetching, handoff
    from paperqueue.core.history import History, repair
    from paperqueue.core.paths import data_home
    from paperqueue.core.subscriptions import SubscriptionError, Subscriptions
    from paperqueue.core.writer import Writer

    home = data_home()
    book = Subscriptions(home)
    try:
        chosen = fetching.select(book, args.names)
        pending = book.pending()
    except SubscriptionError as error:
        _error(f"fetch: {error}")
        return EXIT_INPUT
    except OSError as error:
        _error(f"fetch: cannot read the subscriptions ({error.strerror or error})")
        return EXIT_STORE
    _warn_all(book.warnings)
    if not chosen and not pending:
        print("no subscriptions (paperqueue subscribe arxiv cs.CL, subscribe hf, subscribe feed URL ... adds one)")
        return EXIT_OK
    store = _open_or_hand_over(args.dry_run, handoff.FETCH, {"names": list(args.names)}, "fetched")
    if isinstance(store, int):
        return store
    try:
        writer = None
        if not args.dry_run:
            clean_requests(store.home)
            history = History(store.home)
            try:
                repair(store, history)
            except OSError as error:
                _error(f"cannot bring the queue up to date with its action log ({error.strerror or error}); nothing fetched")
                return EXIT_STORE
            writer = Writer(store, history)
        with _client(store.home) as client:
            lines = fetching.fetch_all(store, client, args.names or None, dry_run=args.dry_run, writer=writer)
    except SubscriptionError as error:  # unsubscribed meanwhile
        _error(f"fetch: {error}")
        return EXIT_INPUT
    finally:
        store.close()
    return _report(lines)


def _report(lines) -> int:  # noqa: ANN001 - FetchLines
    from paperqueue.core.text import one_line

    for line in lines:
        for problem in line.problems:
            _error(problem)
        sys.stdout.write(one_line(line.text) + "\n")
    return EXIT_OK if all(line.ok for line in lines) else EXIT_STORE


def fetch_result(lines) -> tuple[list[str], list[str], int]:  # noqa: ANN001
    """A fetch's lines as the app answers a handed-over request:
    (lines, error lines, exit code)."""
    out = [line.text for line in lines]
    errors = [problem for line in lines for problem in line.problems]
    return out, errors, EXIT_OK if all(line.ok for line in lines) else EXIT_STORE


def cmd_add(args: argparse.Namespace) -> int:
    from paperqueue.core import adding, handoff
    from paperqueue.core.history import History, repair
    from paperqueue.core.writer import Writer

    items, errors = adding.parse_items(args.items)
    if errors:
        for line in errors:
            _error(line)
        _error("add: nothing added")
        return EXIT_INPUT
    store = _open_or_hand_over(False, handoff.ADD, {"items": list(args.items)}, "added")
    if isinstance(store, int):
        return store
    try:
        clean_requests(store.home)
        history = History(store.home)
        try:
            repair(store, history)
        except OSError as error:
            _error(f"cannot bring the queue up to date with its action log ({error.strerror or error}); nothing added")
            return EXIT_STORE
        with _client(store.home) as client:
            added = adding.add(store, client, items, writer=Writer(store, history))
    finally:
        store.close()
    for line in added.errors:
        _error(line)
    for line in added.lines:
        print(line)
    return added.status


def _hand_to_app(locked: Exception, kind: str, body: dict) -> int:
    """The app has the queue open: let it do the fetch or the add, and report."""
    from paperqueue.core import handoff
    from paperqueue.core.paths import data_home

    home = data_home()
    app_alive = lambda: handoff.holder_alive(home)  # noqa: E731

    request = handoff.submit_work(home, kind, body)
    result = handoff.wait(request, app_alive)
    if result is None:
        _error(f"{locked}; it did not take the {kind}, so close it and run the {kind} again")
        return EXIT_STORE
    if handoff.answered_kind(result) != kind:
        _error(f"{locked}; that app cannot {kind} for the command line (an older paperqueue?): close it and run the {kind} again")
        return EXIT_STORE
    for line in result.get("lines", []):
        print(line)
    for line in result.get("errors", []):
        _error(line)
    status = result.get("status", EXIT_OK)
    return status if status in (EXIT_OK, EXIT_STORE, EXIT_INPUT) else EXIT_STORE
