"""``paperqueue fetch`` and ``paperqueue add``: papers from the network into
the store, each subscription whole or not at all.

:func:`fetch_all` runs every subscription's source (:mod:`paperqueue.core.sources`)
with the HTTP client (:mod:`paperqueue.core.net.client`): the subscriptions
of one host one after the other, different hosts at the same time (one
thread per host; arXiv's requests are spaced by the client's gate whatever
thread makes them), so the whole fetch takes about as long as its slowest
host. The caller's thread lands each subscription as soon as its requests
are done: all of them (7 days, several pages) in one ``store.add_papers``,
one batch named after the subscription and the date, recorded as an
undoable import. A subscription whose requests fail, or whose answer does
not parse, lands nothing and says why in its line; the others still land.
Its ``validators`` (what makes the next request conditional, or where the
next search stops) are saved only after its papers landed.

Papers ``add`` (:mod:`paperqueue.core.adding`) could not get details for
(offline) land by id alone and stay pending (:class:`~paperqueue.core.subscriptions.Pending`); every fetch
asks for them again and fills them in.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from paperqueue.core.models import ImportResult
from paperqueue.core.subscriptions import (
    Pending,
    Subscription,
    SubscriptionError,
    Subscriptions,
)
from paperqueue.core.text import one_line

PENDING_NAME = "details pending"


@dataclass
class FetchLine:
    """What one subscription's fetch did: its summary line, and whether it failed."""

    name: str
    text: str  # the one line printed for it
    ok: bool = True
    new: int = 0
    not_modified: bool = False
    problems: list[str] = field(default_factory=list)  # lines about single entries (stderr)
    result: ImportResult | None = None


@dataclass
class _Job:
    name: str
    host: str
    run: Callable[[], Any]
    sub: Subscription | None = None  # None: the pending papers of ``add``


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or ''}"
    except ValueError:
        return url


def default_sources():
    from paperqueue.core import sources

    return sources


def endpoints(client):  # noqa: ANN001
    found = getattr(client, "endpoints", None)
    if found is not None:
        return found
    from paperqueue.core.net.endpoints import endpoints

    return endpoints()


def failure_reason(error: BaseException) -> str:
    """One line for a failed request or answer: ``<url>: <reason>`` for the
    client's and the sources' errors, the error's text otherwise."""
    text = one_line(str(error)) or type(error).__name__
    return text


def today_utc() -> date:
    return datetime.now(UTC).date()


def _job_for(sub: Subscription, get, ends, src, today: date) -> _Job:  # noqa: ANN001
    p, v = sub.params, dict(sub.validators)
    if sub.kind == "arxiv":
        cats = list(p.get("categories", []))
        types = set(p.get("types", ["new", "cross"]))
        return _Job(sub.name, _host(ends.arxiv_rss), lambda: src.fetch_arxiv_rss(get, ends, cats, types, v), sub)
    if sub.kind == "arxiv-search":
        query, count = p.get("query", ""), int(p.get("max", 100))
        return _Job(sub.name, _host(ends.arxiv_api), lambda: src.fetch_arxiv_search(get, ends, query, count, v), sub)
    if sub.kind == "hf":
        return _Job(sub.name, _host(ends.hf_api), lambda: src.fetch_hf_daily(get, ends, v, today), sub)
    url = p.get("url", "")
    return _Job(sub.name, _host(url), lambda: src.fetch_feed(get, url, v), sub)


@dataclass
class _PendingOutcome:
    """What asking again for the pending papers gave."""

    papers: list = field(default_factory=list)
    filled: list[Pending] = field(default_factory=list)
    unknown: list[Pending] = field(default_factory=list)
    still: list[tuple[Pending, str]] = field(default_factory=list)  # with the reason


def lookup(items: list[Pending], get, ends, src=None) -> _PendingOutcome:  # noqa: ANN001
    """Ask arXiv (ids, up to 100 a request) and Crossref (DOIs, one by one)
    for these papers. A failed request leaves its papers in ``still``."""
    src = src or default_sources()
    out = _PendingOutcome()
    ids = [item for item in items if item.kind == "arxiv"]
    if ids:
        try:
            fetched, unknown = src.fetch_arxiv_ids(get, ends, [item.value for item in ids])
        except Exception as error:  # noqa: BLE001 - the client's or the source's error, one line
            out.still.extend((item, failure_reason(error)) for item in ids)
        else:
            missing = set(unknown)
            out.papers.extend(fetched.papers)
            for item in ids:
                (out.unknown if item.value in missing else out.filled).append(item)
    for item in (item for item in items if item.kind == "doi"):
        try:
            fetched = src.fetch_crossref(get, ends, item.value)
        except Exception as error:  # noqa: BLE001
            out.still.append((item, failure_reason(error)))
            continue
        if fetched is None:
            out.unknown.append(item)
        else:
            out.papers.extend(fetched.papers)
            out.filled.append(item)
    return out


def land(store, writer, papers: Iterable, source: str, name: str, *, dry_run: bool = False,  # noqa: ANN001
         label: str = "Fetched", batch_extra: dict | None = None) -> ImportResult:
    """``papers`` into the store as one batch ``name`` (none when nothing is
    new), keeping the search index current, recorded as an undoable import."""
    from paperqueue.core.importing import add_indexed

    result = add_indexed(store, list(papers), source=source, name=name, dry_run=dry_run,
                         refresh=True, batch_extra=batch_extra)
    if not dry_run and writer is not None:
        writer.record_import(f"{label} {source}: {result.summary()}", store.last_import)
        try:
            writer.save()
        except OSError as failure:
            raise LandedUnlogged(result, failure) from failure
    return result


class LandedUnlogged(Exception):
    """The papers landed (the import committed) but its line in the history
    could not be made durable: undo may not take it back. Not a failure to
    land: the subscription's validators still move on."""

    def __init__(self, result: ImportResult, failure: OSError) -> None:
        super().__init__(str(failure))
        self.result = result
        self.failure = failure


def _summary(name: str, result: ImportResult, extra_not_understood: int, dry_run: bool) -> str:
    result.not_understood += extra_not_understood + result.unusable
    return f"{name}: {'would import: ' if dry_run else ''}{result.summary()}"


def select(book: Subscriptions, names: list[str] | None) -> list[Subscription]:
    """The subscriptions to fetch (all, or the named ones in the order
    named); :class:`SubscriptionError` for a name that is not one."""
    found = book.all()
    if not names:
        return found
    by_name = {sub.name: sub for sub in found}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        listed = ", ".join(repr(n) for n in unknown)
        raise SubscriptionError(f"no subscription named {listed} (paperqueue subscriptions lists them)")
    return [by_name[name] for name in dict.fromkeys(names)]


def fetch_all(
    store,  # noqa: ANN001 - a Store (a read-only one for a dry run)
    client,  # noqa: ANN001 - a net.client.Client, or anything with get(url, headers)
    names: list[str] | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    *,
    writer=None,  # noqa: ANN001 - a Writer: each landing becomes an undoable action
    sources=None,  # noqa: ANN001 - the sources module (tests may give their own)
    today: date | None = None,
    clock: Callable[[], str] | None = None,
) -> list[FetchLine]:
    """Fetch the subscriptions (all, or ``names``) and the pending papers
    of ``add``; one :class:`FetchLine` per subscription, in the order
    they were made (then one for the pending papers, when there are any).
    ``progress(done, total, name)`` after each one is done."""
    from paperqueue.core.clock import utc_now

    clock = clock or utc_now
    book = Subscriptions(store.home, clock=clock)
    chosen = select(book, names)
    src = sources or default_sources()
    ends = endpoints(client)
    get = client.get
    day = today or today_utc()
    jobs = [_job_for(sub, get, ends, src, day) for sub in chosen]
    pending = [] if dry_run else book.pending()
    if pending:
        jobs.append(_Job(PENDING_NAME, _host(ends.arxiv_api), lambda: lookup(pending, get, ends, src)))
    by_host: dict[str, list[_Job]] = {}
    for job in jobs:
        by_host.setdefault(job.host, []).append(job)
    done: queue.Queue = queue.Queue()

    def run_host(host_jobs: list[_Job]) -> None:
        for job in host_jobs:
            try:
                done.put((job, job.run(), None))
            except Exception as error:  # noqa: BLE001 - reported on the subscription's line
                done.put((job, None, error))

    threads = [threading.Thread(target=run_host, args=(group,), name=f"fetch {host}", daemon=True)
               for host, group in by_host.items()]
    for thread in threads:
        thread.start()
    lines: dict[str, FetchLine] = {}
    for count in range(1, len(jobs) + 1):
        job, fetched, error = done.get()
        if job.sub is None:
            lines[job.name] = _land_pending(store, writer, book, fetched, error, dry_run, day)
        else:
            lines[job.name] = _land_subscription(store, writer, book, job.sub, fetched, error, dry_run, day, clock)
        if progress is not None:
            progress(count, len(jobs), job.name)
    for thread in threads:
        thread.join()
    return [lines[job.name] for job in jobs]


def _land_subscription(store, writer, book: Subscriptions, sub: Subscription, fetched, error,  # noqa: ANN001
                       dry_run: bool, day: date, clock) -> FetchLine:
    name = one_line(sub.name)
    if error is not None:
        reason = failure_reason(error)
        if not dry_run:
            _note_error(book, sub.name, reason)
        return FetchLine(sub.name, f"{name}: failed, nothing imported: {reason}", ok=False)
    problems = [f"{name}: {one_line(p)}" for p in getattr(fetched, "problems", [])]
    if fetched.not_modified:
        line = FetchLine(sub.name, f"{name}: not modified (0 new)", not_modified=True, problems=problems)
    else:
        unlogged = None
        if fetched.papers:
            try:
                result = land(store, writer, fetched.papers, sub.name, f"{sub.name} {day.isoformat()}", dry_run=dry_run,
                              batch_extra={"subscription": sub.name})
            except LandedUnlogged as landed_only:
                result, unlogged = landed_only.result, landed_only.failure
            except Exception as failure:  # noqa: BLE001 - this subscription fails, the others land
                reason = (f"the store could not be written ({failure.strerror or failure})"
                          if isinstance(failure, OSError) else f"{type(failure).__name__}: {failure_reason(failure)}")
                if not dry_run:
                    _note_error(book, sub.name, reason)
                return FetchLine(sub.name, f"{name}: not imported, {reason}", ok=False, problems=problems)
        else:
            result = ImportResult(source=sub.name)  # an empty day, a search with no hits: nothing to write
        text = _summary(name, result, fetched.not_understood, dry_run)
        line = FetchLine(sub.name, text, new=result.new, problems=problems, result=result)
        if unlogged is not None:
            line.ok = False
            line.problems.append(
                f"{name}: its papers landed, but its line in the history could not be written "
                f"({unlogged.strerror or unlogged}): undo may not take this fetch back"
            )
    if not dry_run:
        validators = dict(fetched.validators or {})
        now = clock()

        def landed(saved: Subscription) -> None:
            saved.validators = {**saved.validators, **validators}
            saved.last_fetch = now
            saved.papers_brought += line.new
            saved.last_error = None

        try:
            book.update(sub.name, landed)
        except OSError as failure:
            line.problems.append(
                f"{name}: its papers landed, but where the next fetch starts could not be saved "
                f"({failure.strerror or failure}); the next fetch asks for them again"
            )
    return line


def _note_error(book: Subscriptions, name: str, reason: str) -> None:
    def failed(saved: Subscription) -> None:
        saved.last_error = reason

    try:
        book.update(name, failed)
    except OSError:
        pass  # the line printed says it already


def _land_pending(store, writer, book: Subscriptions, outcome: _PendingOutcome | None, error,  # noqa: ANN001
                  dry_run: bool, day: date) -> FetchLine:
    if error is not None or outcome is None:
        reason = failure_reason(error) if error is not None else "no answer"
        return FetchLine(PENDING_NAME, f"{PENDING_NAME}: still pending: {reason}", ok=False)
    problems = [f"{PENDING_NAME}: {item_text(item)}: {reason}" for item, reason in outcome.still]
    problems += [f"{PENDING_NAME}: {item_text(item)}: {unknown_reason(item)}; no longer asked for" for item in outcome.unknown]
    if outcome.papers:
        try:
            land(store, writer, outcome.papers, "add", f"add {day.isoformat()}", dry_run=dry_run, label="Filled in")
        except LandedUnlogged as landed_only:  # filled in all the same
            problems.append(f"{PENDING_NAME}: filled in, but the line in the history could not be written "
                            f"({landed_only.failure.strerror or landed_only.failure})")
        except OSError as failure:
            return FetchLine(PENDING_NAME, f"{PENDING_NAME}: not filled in, the store could not be written "
                             f"({failure.strerror or failure})", ok=False, problems=problems)
    book.drop_pending(outcome.filled + outcome.unknown)
    text = f"{PENDING_NAME}: {len(outcome.filled):,} filled in, {len(outcome.still):,} still pending"
    if outcome.unknown:
        text += f", {len(outcome.unknown):,} unknown"
    return FetchLine(PENDING_NAME, text, ok=not outcome.still, problems=problems)


def item_text(item: Pending) -> str:
    return f"arXiv:{item.value}" if item.kind == "arxiv" else f"doi:{item.value}"


def unknown_reason(item: Pending) -> str:
    return "arXiv does not know this id" if item.kind == "arxiv" else "Crossref does not know this DOI"


def answer_request(store, client, kind: str, body: dict, writer=None, sources=None,  # noqa: ANN001
                   progress: Callable[[int, int, str], None] | None = None) -> tuple[list[str], list[str], int]:
    """Do a ``fetch`` or ``add`` handed over by the command line (see
    :mod:`paperqueue.core.handoff`) in the open app: (lines, error lines,
    exit code), exactly what the command would have printed and returned."""
    from paperqueue.core.adding import add, parse_items

    try:
        if kind == "fetch":
            names = [n for n in body.get("names", []) if isinstance(n, str)] or None
            lines = fetch_all(store, client, names, writer=writer, sources=sources, progress=progress)
            errors = [problem for line in lines for problem in line.problems]
            return [line.text for line in lines], errors, 0 if all(line.ok for line in lines) else 1
        if kind == "add":
            texts = [t for t in body.get("items", []) if isinstance(t, str)]
            items, errors = parse_items(texts, sources)
            if errors or not items:
                return [], [*errors, "add: nothing added"], 2
            added = add(store, client, items, writer=writer, sources=sources)
            return added.lines, added.errors, added.status
    except SubscriptionError as error:
        return [], [f"{kind}: {error}"], 2
    return [], [f"unknown request {kind!r}"], 2
