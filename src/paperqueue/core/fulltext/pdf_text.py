"""The text of a PDF, page by page, with pypdf.

:func:`pdf_to_text` reads a file (a cached download) and gives its text:
pages in order, separated by a blank line, each line cleaned of control
characters and trailing spaces. A file that is not a PDF, is cut short or
damaged beyond what pypdf recovers, or holds no text (scanned pages) raises
:class:`PdfTextError`, one line saying which. A page pypdf fails on is
skipped and the others kept; pypdf's warnings never reach the terminal.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path

from paperqueue.core.text import clean_text, one_line

__all__ = ["MAX_PAGES", "PdfTextError", "pdf_to_text"]

MAX_PAGES = 3000  # pages read at most (a paper has tens; a hostile file may claim millions)


class PdfTextError(Exception):
    """No text could be had from a PDF; ``str()`` is one line."""


def pdf_to_text(path: Path, *, max_pages: int = MAX_PAGES, progress: Callable[[int, int], None] | None = None) -> str:
    """The text of the PDF at ``path`` (see the module's docstring).

    ``progress(page, pages)`` is called after each page."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise PdfTextError(f"{path.name}: cannot read ({error.strerror or error})") from None
    if b"%PDF-" not in head:
        raise PdfTextError(f"{path.name}: not a PDF")
    logger = logging.getLogger("pypdf")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _extract(path, max_pages, progress)
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


def _extract(path: Path, max_pages: int, progress: Callable[[int, int], None] | None) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # many PDFs are encrypted with an empty password
            except Exception:  # noqa: BLE001 - pypdf raises many kinds for one bad file
                opened = 0
            if not opened:  # PasswordType.NOT_DECRYPTED
                raise PdfTextError(f"{path.name}: the PDF is encrypted (it needs a password)")
        count = len(reader.pages)
    except PdfTextError:
        raise
    except RecursionError:
        raise PdfTextError(f"{path.name}: the PDF is damaged (nested too deep)") from None
    except Exception as error:  # noqa: BLE001
        raise PdfTextError(f"{path.name}: the PDF is damaged or cut short ({_reason(error)})") from None
    if count == 0:
        raise PdfTextError(f"{path.name}: the PDF has no pages (damaged or cut short)")
    pages: list[str] = []
    failed = 0
    total = min(count, max_pages)
    for number in range(total):
        try:
            raw = reader.pages[number].extract_text() or ""
        except RecursionError:
            raw, failed = "", failed + 1
        except Exception:  # noqa: BLE001
            raw, failed = "", failed + 1
        text = _tidy_page(raw)
        if text:
            pages.append(text)
        if progress is not None:
            progress(number + 1, total)
    if not pages:
        if failed:
            raise PdfTextError(f"{path.name}: the PDF is damaged (no page could be read)")
        raise PdfTextError(f"{path.name}: the PDF has no text (scanned pages?)")
    return "\n\n".join(pages) + "\n"


def _tidy_page(raw: str) -> str:
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = [line.rstrip() for line in clean_text(raw).replace("\t", " ").split("\n")]
    kept: list[str] = []
    for line in lines:
        if not line and (not kept or not kept[-1]):
            continue  # no runs of blank lines
        kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def _reason(error: BaseException) -> str:
    return one_line(str(error))[:100] or type(error).__name__
