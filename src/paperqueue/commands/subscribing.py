"""``paperqueue subscribe`` / ``subscriptions`` / ``unsubscribe``."""

from __future__ import annotations

import argparse
import sys

from paperqueue.commands import EXIT_INPUT, EXIT_OK, EXIT_STORE
from paperqueue.commands import error as _error
from paperqueue.commands import warn_all as _warn_all


def add_parsers(commands) -> None:  # noqa: ANN001 - argparse's subparsers action
    subscribe = commands.add_parser(
        "subscribe",
        help="fetch papers from arXiv, Hugging Face or a feed with every paperqueue fetch",
        description="Add a subscription; paperqueue fetch (or R in the app) brings its new papers.",
    )
    kinds = subscribe.add_subparsers(dest="kind", metavar="KIND", required=True)
    arxiv = kinds.add_parser("arxiv", help="the daily announcements of arXiv categories",
                             description="One subscription for the categories together (named like cs.CL+cs.LG).")
    arxiv.add_argument("categories", nargs="+", metavar="CATEGORY", help="arXiv categories, like cs.CL cs.LG")
    arxiv.add_argument("--types", metavar="TYPES",
                       help="announcement types to take, comma-separated: new, cross, replace, replace-cross "
                       "(default: new,cross)")
    search = kinds.add_parser("arxiv-search", help="an arXiv API search, newest submissions first",
                              description="The first fetch takes the newest --max papers; later fetches "
                              "take what was submitted since.")
    search.add_argument("query", metavar="QUERY", help="an arXiv API search_query, like 'abs:retrieval AND cat:cs.IR'")
    search.add_argument("--max", type=int, dest="max_results", metavar="N", help="papers the first fetch takes (default: 100)")
    kinds.add_parser("hf", help="Hugging Face daily papers",
                     description="The first fetch takes the last 7 days; later fetches the days since.")
    feed = kinds.add_parser("feed", help="any RSS or Atom feed (journal contents, bioRxiv, blogs)")
    feed.add_argument("url", metavar="URL", help="the feed's http or https URL")
    for kind in ("arxiv", "arxiv-search", "hf", "feed"):
        kinds.choices[kind].add_argument("--name", help="the subscription's name (its batches and view are named after it)")

    commands.add_parser("subscriptions", help="list the subscriptions: name, kind, last fetch, papers brought, last error")

    unsubscribe = commands.add_parser("unsubscribe", help="remove a subscription (its papers stay)")
    unsubscribe.add_argument("names", nargs="+", metavar="NAME")


def cmd_subscribe(args: argparse.Namespace) -> int:
    from paperqueue.core import subscriptions as subs
    from paperqueue.core.paths import data_home

    try:
        if args.kind == "arxiv":
            params = subs.arxiv_params(args.categories, args.types)
        elif args.kind == "arxiv-search":
            params = subs.search_params(args.query, args.max_results)
        elif args.kind == "feed":
            params = subs.feed_params(args.url)
        else:
            params = {}
        name = subs.check_name(args.name if args.name is not None else subs.default_name(args.kind, params))
    except subs.SubscriptionError as error:
        _error(f"subscribe: {error}")
        return EXIT_INPUT
    book = subs.Subscriptions(data_home())
    try:
        sub = book.add(subs.Subscription(name=name, kind=args.kind, params=params))
    except subs.SubscriptionError as error:
        _warn_all(book.warnings)
        _error(f"subscribe: {error}")
        return EXIT_INPUT
    except OSError as error:
        _error(f"subscribe: the subscription could not be saved ({error.strerror or error})")
        return EXIT_STORE
    _warn_all(book.warnings)
    print(f"subscribed: {sub.name} ({sub.description}); paperqueue fetch brings its papers")
    return EXIT_OK


def cmd_subscriptions(_args: argparse.Namespace) -> int:
    from paperqueue.core.subscriptions import Subscriptions
    from paperqueue.core.paths import data_home
    from paperqueue.core.text import one_line

    book = Subscriptions(data_home())
    try:
        found = book.all()
    except OSError as error:
        _error(f"cannot read the subscriptions ({error.strerror or error})")
        return EXIT_STORE
    _warn_all(book.warnings)
    if not found:
        print("no subscriptions (paperqueue subscribe arxiv cs.CL, subscribe hf, subscribe feed URL ... adds one)")
        return EXIT_OK
    rows = [("NAME", "KIND", "LAST FETCH", "PAPERS", "LAST ERROR")]
    for sub in found:
        when = sub.last_fetch.replace("T", " ").removesuffix("Z")[:16] + " UTC" if sub.last_fetch else "never"
        rows.append((one_line(sub.name), sub.kind, when, f"{sub.papers_brought:,}", one_line(sub.last_error or "")))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) if i != 3 else row[i].rjust(widths[i]) for i in range(4)]
        sys.stdout.write("  ".join(cells + [row[4]]).rstrip() + "\n")
    return EXIT_OK


def cmd_unsubscribe(args: argparse.Namespace) -> int:
    from paperqueue.core.subscriptions import SubscriptionError, Subscriptions
    from paperqueue.core.paths import data_home

    book = Subscriptions(data_home())
    status = EXIT_OK
    for name in args.names:
        try:
            sub = book.remove(name)
        except SubscriptionError as error:
            _error(f"unsubscribe: {error}")
            status = EXIT_INPUT
            continue
        except OSError as error:
            _error(f"unsubscribe: {name}: could not be saved ({error.strerror or error})")
            return EXIT_STORE
        print(f"unsubscribed: {sub.name} (the {sub.papers_brought:,} papers it brought stay in the queue)")
    _warn_all(book.warnings)
    return status
