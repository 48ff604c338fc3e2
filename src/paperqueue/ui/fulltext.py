"""The thread side of ``P`` and ``F``: what a worker calls to get a
paper's PDF or full text through the core (:mod:`paperqueue.core.fulltext`)
and to hand a PDF to the system viewer. Nothing here touches a widget;
everything here blocks (network, disk, a child process), so the queue
screen calls it from thread workers (:mod:`paperqueue.ui.screens.queue_fulltext`).

The cache and the reading positions are not the store: a read-only window
(another paperqueue has the queue) reads and adds to them too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from paperqueue.core.fulltext import FullText, FullTextCache, FullTextError, PaperRef, Position, ReadingPositions
from paperqueue.core.fulltext import fetch_pdf, full_text
from paperqueue.core.fulltext.settings import cache_cap
from paperqueue.core.models import Paper
from paperqueue.core.net.body import size_text

__all__ = ["Stopped", "Throttle", "TextResult", "cache_for", "get_pdf", "get_text", "hand_over_pdf", "progress_text"]

PROGRESS_EVERY = 0.1  # seconds between progress reports (a PDF's chunks come far faster)


class Stopped(Exception):
    """Raised from a progress callback: the person no longer waits for it."""


def cache_for(store) -> FullTextCache:  # noqa: ANN001 - a Store
    return FullTextCache(store.home, cache_cap(store.settings))


def ref_for(store, paper: Paper) -> PaperRef:  # noqa: ANN001 - a Store
    """The paper's key, arXiv id and (only used without an id) its source's PDF link."""
    details = store.cached_details(paper.key)
    if details is None and not paper.arxiv_id:
        try:
            details = store.details(paper.key)  # its pdf_url is the only way to a PDF
        except (OSError, KeyError):
            details = None
    return PaperRef.of(paper, details)


def progress_text(what: str, done: int, total: int | None) -> str:
    """``downloading the PDF 45%`` (the status line puts the percentage
    first), or how much arrived when the server did not say."""
    if total:
        return f"{what} {min(done, total) * 100 // total}%"
    return f"{what} ({size_text(done)})" if done else what


class Throttle:
    """Calls ``report(done, total)`` at most every :data:`PROGRESS_EVERY`
    seconds (and at the end); raises :class:`Stopped` once ``stopped()``."""

    def __init__(self, report: Callable[[int, int | None], None], stopped: Callable[[], bool]) -> None:
        self.report = report
        self.stopped = stopped
        self._last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        if self.stopped():
            raise Stopped
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY or (total is not None and done >= total):
            self._last = now
            self.report(done, total)


def get_pdf(client, store, paper: Paper, progress: Throttle) -> tuple[Path, bool]:  # noqa: ANN001
    """``(path, fetched)`` of the paper's PDF in the cache (downloaded when
    missing); :class:`FullTextError` with one line when it cannot be had."""
    cache = cache_for(store)
    try:
        return fetch_pdf(client, cache, ref_for(store, paper), progress)
    except OSError as error:  # the cache folder cannot be made or written
        raise FullTextError(f"{cache.folder}: {error.strerror or error}") from None


@dataclass(frozen=True)
class TextResult:
    text: FullText
    position: Position | None  # where reading stopped last time


def get_text(client, store, paper: Paper, progress: Throttle) -> TextResult:  # noqa: ANN001
    """The paper's full text (cached, else fetched, cached and indexed) and
    where the person stopped reading it."""
    cache = cache_for(store)
    try:
        text = full_text(client, cache, ref_for(store, paper), progress)
    except OSError as error:
        raise FullTextError(f"{cache.folder}: {error.strerror or error}") from None
    return TextResult(text, ReadingPositions(store.home).get(paper.key))


def hand_over_pdf(path: Path) -> tuple[bool, str]:
    """Open ``path`` with the system viewer the way links are opened
    (detached, its output captured): ``(opened, why not)``. With no
    display nothing is started: ``(False, "")``."""
    from paperqueue.desktop import has_display, open_url

    if not has_display():  # $BROWSER alone may name a text browser, no PDF viewer
        return False, ""
    outcome = open_url(path.as_uri())
    return outcome.ok, outcome.detail


def copy_path(path: Path) -> bool:
    """The path into the system clipboard (pyperclip in a child process);
    False when there is none (the terminal's OSC 52 copy still holds it)."""
    from paperqueue.desktop import system_copy

    return system_copy(str(path)).ok
