"""The thread side of ``W`` (export the view or the selection as a file):
building the text through the core's writers, and where it goes. In a
terminal the file is saved (atomically, never over another file) in the
person's downloads folder; served to a browser it is handed to
``App.deliver_text`` by the screen, which the browser downloads.
Everything here blocks (abstracts from disk, a write), so the screen calls
it from a thread worker."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from pathlib import Path

from paperqueue.core.atomic import write_new_file
from paperqueue.core.export import WRITERS
from paperqueue.core.models import Paper

__all__ = ["EXTENSIONS", "MIME_TYPES", "download_name", "downloads_folder", "export_text", "save_export"]

EXTENSIONS = {"bibtex": "bib", "markdown": "md", "json": "json", "csv": "csv"}
MIME_TYPES = {"bibtex": "application/x-bibtex", "markdown": "text/markdown", "json": "application/json", "csv": "text/csv"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def download_name(stem: str, extension: str) -> str:
    """A file name made only of safe characters from ``stem`` (a view's
    name, a paper's key): ``tag:ML/vision`` gives ``tag-ML-vision``."""
    safe = _UNSAFE.sub("-", stem).strip("-.")[:80] or "paperqueue"
    return f"{safe}.{extension}"


def export_name(view: str, fmt: str, today: dt.date | None = None) -> str:
    """``paperqueue-inbox-2026-12-03.bib``."""
    day = (today or dt.date.today()).isoformat()
    return download_name(f"paperqueue-{view}-{day}", EXTENSIONS[fmt])


def export_text(store, papers: Sequence[Paper], fmt: str) -> str:  # noqa: ANN001 - a Store
    """The papers in the list's order, with their abstracts and state."""
    return WRITERS[fmt](store, [(paper, store.details(paper.key), store.state(paper.key)) for paper in papers])


def downloads_folder() -> Path:
    """The person's downloads folder (``XDG_DOWNLOAD_DIR`` where set), made
    when missing, as a browser would."""
    import platformdirs

    folder = Path(platformdirs.user_downloads_dir())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_export(text: str, name: str, folder: Path) -> Path:
    """``text`` written to ``folder/name``, or ``name-2``, ``name-3``… when
    that is taken (an earlier export is never replaced, not even one another
    program writes at the same moment)."""
    stem, dot, extension = name.rpartition(".")
    names = itertools.chain([name], (f"{stem}-{number}{dot}{extension}" for number in range(2, 10_000)))
    return write_new_file(folder, names, text.encode("utf-8"))
