"""``paperqueue add`` (and ``a`` in the app): papers by arXiv id, DOI or
URL, looked up through the sources and landed as one batch ``add <date>``.
Those whose request failed land by id alone and stay pending (every fetch,
:mod:`paperqueue.core.fetching`, asks for them again); those arXiv or
Crossref do not know are refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from paperqueue.core import fetching
from paperqueue.core.fetching import LandedUnlogged, item_text, land, lookup, unknown_reason
from paperqueue.core.subscriptions import Pending, Subscriptions
from paperqueue.core.text import one_line

__all__ = ["Added", "add", "parse_items"]
# The sources, endpoints and today's date are looked up on the fetching
# module when called, so a test (or a mirror) set there reaches add too.


@dataclass
class Added:
    """What ``add`` did: lines for standard output and standard error, and
    the exit code (0 all landed with details, 1 some are pending or the
    store failed, 2 something given is not a paper or is unknown)."""

    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status: int = 0


def parse_items(texts: list[str], sources=None) -> tuple[list[Pending], list[str]]:  # noqa: ANN001
    """What the person typed as papers to look up, and one error line per
    argument that is not an arXiv id, a DOI or a paper URL."""
    src = sources or fetching.default_sources()
    items: list[Pending] = []
    errors: list[str] = []
    for text in texts:
        parsed = src.parse_add_argument(text.strip())
        if parsed is None:
            errors.append(f"add: not an arXiv id, a DOI or an arXiv / doi.org / Hugging Face paper URL: {one_line(text)!r}")
            continue
        item = Pending(*parsed)
        if item.key not in {i.key for i in items}:
            items.append(item)
    return items, errors


def add(store, client, items: list[Pending], *, writer=None, sources=None, today: date | None = None,  # noqa: ANN001
        clock: Callable[[], str] | None = None) -> Added:
    """Look the papers up and land them as one batch ``add <date>``. Those
    whose request failed land by id alone and stay pending (every fetch
    retries them); those arXiv or Crossref do not know are refused."""
    from paperqueue.core.clock import utc_now
    from paperqueue.core.importers.record import ParsedPaper

    src = sources or fetching.default_sources()
    day = today or fetching.today_utc()
    out = Added()
    book = Subscriptions(store.home, clock=clock or utc_now)
    found = lookup(items, client.get, fetching.endpoints(client), src)
    for item in found.unknown:
        out.errors.append(f"add: {item_text(item)}: {unknown_reason(item)}; not added")
        out.status = 2
    stand_ins = [
        ParsedPaper("", arxiv_id=item.value) if item.kind == "arxiv" else ParsedPaper("", doi=item.value)
        for item, _reason in found.still
    ]
    if found.still:
        # Pending first: a crash before the papers land leaves an entry the
        # next fetch fills in (it lands the paper then), never a paper
        # nobody asks details for.
        try:
            book.add_pending([item for item, _reason in found.still])
        except OSError as failure:
            out.errors.append(f"add: nothing added, the pending papers could not be saved ({failure.strerror or failure})")
            return Added(out.lines, out.errors, 1)
    papers = found.papers + stand_ins
    if papers:
        try:
            result = land(store, writer, papers, "add", f"add {day.isoformat()}", label="Added")
        except LandedUnlogged as landed_only:
            result = landed_only.result
            out.errors.append(f"add: the papers landed, but the line in the history could not be written "
                              f"({landed_only.failure.strerror or landed_only.failure}): undo may not take it back")
            out.status = 1
        except OSError as failure:
            out.errors.append(f"add: not added, the store could not be written ({failure.strerror or failure})")
            return Added(out.lines, out.errors, 1)
        out.lines.append(f"add: {result.summary()}")
    for item, reason in found.still:
        out.lines.append(f"{item_text(item)}: details pending ({reason}); paperqueue fetch fills them in")
        out.status = out.status or 1
    return out
