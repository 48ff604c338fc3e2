"""``paperqueue pdf`` and ``paperqueue read``: a paper's PDF and full text.

Both name a paper by its key, an alias of it, or an arXiv id or URL
(:mod:`paperqueue.core.fulltext.resolve`), read the store without its
writer lock (they work while the app has the queue open: the full-text
cache is not the store), and go to the network only when the cache does
not have what is asked.

- ``pdf``: the PDF downloaded into the cache (progress on standard error,
  one line rewritten, only when it is a terminal), then opened with the
  system viewer the way the app opens links (detached, output captured).
  With no display, the file's path on standard output, copied to the
  clipboard when one is at hand.
- ``read``: the text on standard output (plain UTF-8), the note saying
  where it came from on standard error.

Exit codes: 0 done; 1 nothing could be had (offline, an HTTP failure, too
large: one line) or the queue could not be read; 2 the argument names no
paper.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import TextIO

from paperqueue.commands import EXIT_INPUT, EXIT_OK, EXIT_STORE, open_for_reading
from paperqueue.commands import error as _error

PROGRESS_EVERY = 0.1  # seconds between two drawings of the progress line
_WHAT = "KEY|ARXIV_ID"
_NAMING = (
    "KEY|ARXIV_ID is a paper's key (as paperqueue list --format json shows it), or an arXiv id or URL "
    "(2401.01234, arXiv:2401.01234v2, https://arxiv.org/abs/2401.01234): a paper with that id in the queue, "
    "or any arXiv paper; or the DOI of a paper in the queue."
)


def add_parsers(commands) -> None:  # noqa: ANN001 - argparse's subparsers action
    pdf = commands.add_parser(
        "pdf",
        help="open a paper's PDF (downloaded into the cache the first time)",
        description="Open a paper's PDF with the system viewer, downloading it into the full-text cache first "
        "(from arXiv for a paper with an arXiv id, else from its source's PDF link); a cached PDF opens at once, "
        "without the network. With no display, print the file's path (and copy it when a clipboard is at hand). "
        "The cache keeps PDFs and texts up to 2 GB (fulltext_cache_mb in settings.json), dropping the least "
        f"recently opened first. {_NAMING} Exit 1 when the PDF cannot be had (one line says why; nothing is left "
        "half-written), 2 when KEY|ARXIV_ID names no paper.",
    )
    pdf.add_argument("paper", metavar=_WHAT)
    read = commands.add_parser(
        "read",
        help="print a paper's full text",
        description="Print a paper's full text on standard output, plain UTF-8: arXiv's HTML version turned into "
        "text (headings, paragraphs, lists, captions, table rows, references; math as its LaTeX source), or "
        "without one the text of its PDF. A note on standard error says which. The text is cached (a second read "
        "needs no network) and joins the app's search (/). Works while the app has the queue open. "
        f"{_NAMING} Exit 1 when the text cannot be had (one line says why), 2 when KEY|ARXIV_ID names no paper.",
    )
    read.add_argument("paper", metavar=_WHAT)


def cmd_pdf(args: argparse.Namespace) -> int:
    from paperqueue.core.fulltext import fetch_pdf

    found = _find(args.paper)
    if isinstance(found, int):
        return found
    cache, ref = found
    got = _fetched(cache, ref, "PDF", lambda client, progress: fetch_pdf(client, cache, ref, progress))
    if isinstance(got, int):
        return got
    path, _fetched_now = got
    return _hand_over(path)


def cmd_read(args: argparse.Namespace) -> int:
    from paperqueue.core.fulltext import full_text
    from paperqueue.core.text import clean_text, one_line

    found = _find(args.paper)
    if isinstance(found, int):
        return found
    cache, ref = found
    got = _fetched(cache, ref, "text", lambda client, progress: full_text(client, cache, ref, progress))
    if isinstance(got, int):
        return got
    print(one_line(got.note), file=sys.stderr, flush=True)
    # A server's page may carry escape sequences: none reaches the terminal
    # (or a file someone cats later). Newlines and tabs stay.
    text = clean_text(got.text.replace("\r\n", "\n").replace("\r", "\n")).rstrip("\n") + "\n"
    _write_utf8(sys.stdout, text)
    return EXIT_OK


def _fetched(cache, ref, what: str, fetch):  # noqa: ANN001, ANN202 - what fetch returns, or an exit code
    """``fetch(client, progress)`` with a progress line on a terminal; a
    failure is one line and exit 1 (``what``: "PDF" or "text")."""
    from paperqueue.core.fulltext import FullTextError

    bar = DownloadBar(_label(ref))
    try:
        with _client(cache.home) as client:
            got = fetch(client, bar if bar.enabled else None)
    except FullTextError as error:
        message = str(error)
    except KeyboardInterrupt:
        message = "stopped; no PDF was saved" if what == "PDF" else "stopped; nothing was saved"
    except OSError as error:  # the cache folder cannot be made or written
        message = f"{cache.folder}: cannot save the {what} ({error.strerror or error})"
    else:
        bar.finish()
        return got
    bar.finish()  # the progress line cleared before the one line that says why
    _error(message)
    return EXIT_STORE


# -- finding the paper ---------------------------------------------------------


def _find(argument: str):  # noqa: ANN202 - (cache, ref) or an exit code
    """The cache and the paper ``argument`` names, from the store read
    without its lock; an exit code after one line when there is none."""
    from paperqueue.core.fulltext import FullTextCache
    from paperqueue.core.fulltext.resolve import UnknownPaper, paper_ref
    from paperqueue.core.fulltext.settings import cache_cap

    store = open_for_reading()
    if store is None:
        return EXIT_STORE
    try:
        ref, _paper = paper_ref(store, argument)
        cap = cache_cap(store.settings)
        home = store.home
    except UnknownPaper as error:
        _error(str(error))
        return EXIT_INPUT
    except OSError as error:
        _error(f"cannot read the queue ({error.strerror or error})")
        return EXIT_STORE
    finally:
        store.close()
    return FullTextCache(home, cap), ref


def _client(home: Path):  # noqa: ANN202 - a Client (imported late: httpx is not cheap)
    from paperqueue.core.net.client import Client

    return Client(home)


def _label(ref) -> str:  # noqa: ANN001 - a PaperRef
    from paperqueue.core.text import one_line

    return one_line(ref.arxiv_id or ref.key)[:60]


# -- handing the PDF over --------------------------------------------------------


def _hand_over(path: Path) -> int:
    """Open ``path`` with the system viewer; with no display (or when no
    viewer starts), its path on standard output and into the clipboard."""
    from paperqueue.desktop import has_display, open_url, system_copy

    if has_display():  # $BROWSER alone may name a text browser, no PDF viewer
        outcome = open_url(path.as_uri())
        if outcome.ok:
            return EXIT_OK
        _error(f"no viewer could open the PDF ({outcome.detail or 'no reason given'}); it is at the path below")
    shown = str(path)
    if not shown.isprintable():
        from paperqueue.core.text import one_line

        shown = one_line(shown)
    print(shown, flush=True)
    system_copy(str(path))  # a convenience: when there is no clipboard, the path printed is enough
    return EXIT_OK


# -- output ----------------------------------------------------------------------


def _write_utf8(stream: TextIO, text: str) -> None:
    """``text`` as UTF-8 whatever the locale says (a C locale would refuse
    the first accent)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    buffer.write(text.encode("utf-8", "replace"))
    buffer.flush()


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB"


class DownloadBar:
    """A PDF's download on one line of standard error, rewritten in place
    (at most every :data:`PROGRESS_EVERY` seconds, and at the end): only
    when it is a terminal, else nothing at all."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.enabled = self.stream.isatty()
        except (AttributeError, ValueError):
            self.enabled = False
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        over = total is not None and done >= total
        if now - self._last < PROGRESS_EVERY and not over:
            return
        self._last = now
        if total:
            text = f"{self.label}: downloading the PDF, {_megabytes(min(done, total))} of {_megabytes(total)} ({min(done, total) * 100 // total}%)"
        else:
            text = f"{self.label}: downloading the PDF, {_megabytes(done)}"
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)  # a wrapped line could not be rewritten
        self.stream.write("\r" + text[:width] + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """Take the line away (the terminal is as it was)."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False
