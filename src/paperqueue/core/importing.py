"""Reading input files into the store, with one-line reasons for refusals.

The files themselves are read by :mod:`~paperqueue.core.input_files`
(regular files only, bounded blocks, a NUL byte refuses the file), their
formats told apart and streamed by :mod:`~paperqueue.core.input_formats`;
here the papers land in the store and the search index. Nothing is
committed until the whole file has been read and found usable: a stream
that breaks off raises where it breaks, and the import lands nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from paperqueue.core.importers.detect import FORMATS
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.input_files import UnusableFileError, check_file, open_regular
from paperqueue.core.input_formats import open_papers
from paperqueue.core.models import ImportResult
from paperqueue.core.search import SearchIndex
from paperqueue.core.store import Store, layout
from paperqueue.core.store.merge import ImportLog, Progress

__all__ = ["UnusableFileError", "add_indexed", "check_file", "import_file", "open_papers", "open_regular", "summary_line"]


def import_file(
    store: Store,
    path: Path,
    source: str | None = None,
    progress: Progress | None = None,
    *,
    name: str | None = None,
    dry_run: bool = False,
    restore: bool = False,
    refresh: bool = True,
) -> ImportResult:
    """Import ``path`` whole or not at all as one batch, keeping the search
    index current. With ``dry_run``, only say what would happen. Without
    ``refresh`` the new papers are read into memory only when next needed
    (a command that closes the store right after never pays for them).
    In a store set up for sync, the states a paperqueue JSON carries for
    new papers are kept for the import's log line (they are synced too)."""
    from paperqueue.core.sync.settings import configured

    opened = open_papers(path, progress)
    result = add_indexed(
        store,
        opened.papers,
        source=source or path.name,
        progress=progress,
        name=name,
        dry_run=dry_run,
        restore=restore,
        refresh=refresh,
        log_new_states=not dry_run and configured(store.home),
    )
    result.format = opened.format
    problems = opened.problems.lines()
    if result.unusable:
        problems = [*problems, f"{result.unusable} entries with no arXiv id, no DOI and no letter or digit in the title were skipped"]
    result.problems = problems
    result.not_understood = opened.problems.not_understood + result.unusable
    return result


def add_indexed(store: Store, papers: Iterable[ParsedPaper], *, source: str, dry_run: bool = False, **options) -> ImportResult:
    """``store.add_papers`` keeping the search index current: the new papers
    are indexed as they land when the index is current (a stale one is left
    for the app to rebuild, a broken one thrown away), and the index is
    closed before returning, never left to the garbage collector (in the
    app, a later import must not find the file rewritten under it by this
    connection's last checkpoint)."""
    index = None if dry_run else SearchIndex(store.home / layout.SEARCH)
    writer = None
    try:
        if index is not None:
            try:
                if index.generation() == store.generation:
                    writer = index.writer()
            except Exception:  # noqa: BLE001 - a cache must never fail an import
                writer = None
            if writer is None:
                index.discard()
        try:
            result = store.add_papers(
                papers,
                source=source,
                # Without a writer (a dry run, a stale cache) the texts are dropped:
                # with on_new None the merge would keep every new title and abstract.
                on_new=writer.add if writer else _not_indexed,
                dry_run=dry_run,
                **options,
            )
        except BaseException:
            if writer:
                writer.abort()
            raise
        if writer:
            try:
                writer.commit(result)
            except Exception:  # noqa: BLE001 - a cache must never fail an import
                writer.index.discard()
        return result
    finally:
        if index is not None:
            index.close()


def _not_indexed(doc_id: int, title: str, abstract: str) -> None:
    """``on_new`` when the search cache is not written: the app rebuilds it."""


def summary_line(name: str, result: ImportResult, dry_run: bool = False, logged: ImportLog | None = None) -> str:
    """What ``paperqueue import`` prints for one file (with ``logged``, the
    store's ``last_import``: also how many papers of deleted batches it
    shows again)."""
    prefix = "would import: " if dry_run else ""
    back = f", {logged.unhidden:,} back from a deleted batch" if logged is not None and logged.unhidden else ""
    return f"{name}: {FORMATS.get(result.format, result.format)}: {prefix}{result.summary()}{back}"
