"""``P`` and ``F`` on the queue screen (issue 14): the paper's PDF,
downloaded into the cache with progress in the status line and handed to
the system viewer (with no display: where it is, its path copied), and the
paper's full text in the reader pane (:class:`FullTextView`), fetched in a
worker, where reading resumes where it stopped last time.

Where the person stopped is saved (``fulltext/positions.json``, not the
store) when they leave the text, after a few seconds without scrolling,
and on quit; the list shows how far papers being read are (read once in a
worker when the queue opens). A base class of the queue screen; the work
that blocks is in :mod:`paperqueue.ui.fulltext` (imported by the workers:
the core's full-text modules bring httpx, selectolax and pypdf, which the
first paint does not need).
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.binding import Binding
from textual.timer import Timer
from textual.worker import get_current_worker

from paperqueue.core.models import Paper
from paperqueue.core.text import one_line
from paperqueue.ui.screens.queue_search import QueueSearchScreen
from paperqueue.ui.widgets.fulltext_view import FullTextView
from paperqueue.ui.widgets.reader import Reader

SAVE_READING_AFTER = 3.0  # seconds without scrolling before the position is saved


class QueueFullTextScreen(QueueSearchScreen):
    BINDINGS = [
        Binding("P", "pdf", "PDF", tooltip="Download the paper's PDF (cached) and open it"),
        Binding("F", "full_text", "Full text", tooltip="Read the paper's full text in the reader (F again: the abstract)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reading: str | None = None  # the key whose full text the reader shows (or fetches)
        self._pdfs: set[str] = set()  # keys whose PDF is downloading
        self._reading_timer: Timer | None = None

    @property
    def fulltext_view(self) -> FullTextView:
        return self.query_one(FullTextView)

    def _tell(self, callback, *args) -> None:  # noqa: ANN001
        """From a worker: ``callback(*args)`` on the UI thread, unless the app has stopped."""
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:
            pass  # quitting: nothing left to show it on

    # -- the list's markers ------------------------------------------------------

    @work(thread=True, exclusive=True, group="reading-positions", exit_on_error=False)
    def load_reading_progress(self) -> None:
        """Read every saved position once (the list's progress markers)."""
        from paperqueue.core.fulltext import ReadingPositions

        store = self.store
        if store is None:
            return
        found = {key: position.fraction for key, position in ReadingPositions(store.home).all().items()}
        if found:
            self._tell(self.paper_list.set_progress, found)

    # -- P -------------------------------------------------------------------------

    def action_pdf(self) -> None:
        paper = self.paper_list.paper
        if paper is None or self.store is None:
            return
        if paper.key in self._pdfs:
            self.notify("Already downloading this PDF: the status line shows how far it got", timeout=3)
            return
        self._pdfs.add(paper.key)
        self._get_pdf(paper)

    @work(thread=True, group="pdf", exit_on_error=False)
    def _get_pdf(self, paper: Paper) -> None:
        from paperqueue.core.fulltext import FullTextError
        from paperqueue.ui import fulltext

        worker = get_current_worker()
        activity = f"pdf:{paper.key}"
        store = self.store

        def report(done: int, total: int | None) -> None:
            self._tell(self.set_activity, activity, fulltext.progress_text("downloading the PDF", done, total))

        try:
            path, _fetched = fulltext.get_pdf(self.app.http_client(), store, paper, fulltext.Throttle(report, lambda: worker.is_cancelled))
        except FullTextError as error:
            message = _reason(error, paper)
            self._tell(lambda: self.notify(message, severity="error", timeout=8))
            return
        except fulltext.Stopped:
            return
        finally:
            self._pdfs.discard(paper.key)
            self._tell(self.set_activity, activity, None)
        if self.app.is_web:  # served to a browser: the PDF goes to the person's browser, not a viewer here
            self._tell(self._deliver_pdf, path, paper)
            return
        opened, why = fulltext.hand_over_pdf(path)
        if opened:
            self._tell(lambda: self.notify(f"Opened the PDF: {path}", timeout=4))
            return
        self._tell(self.app.copy_to_clipboard, str(path))  # the terminal's clipboard (OSC 52)
        fulltext.copy_path(path)  # and the system's, where there is one
        lead = f"Could not open a PDF viewer ({why})" if why else "No display to open the PDF here"
        self._tell(lambda: self.notify(f"{lead}; it is at {path} (path copied)", timeout=10))

    def _deliver_pdf(self, path: Path, paper: Paper) -> None:
        from paperqueue.ui.exports import download_name

        try:
            self.app.deliver_binary(
                path, save_filename=download_name(paper.arxiv_id or paper.key, "pdf"),
                open_method="browser", mime_type="application/pdf",
            )
        except OSError as error:  # evicted from the cache in between, say
            self.notify(f"Could not send the PDF: {error.strerror or error}", severity="error", markup=False)
            return
        self.notify("Opening the PDF in a new browser tab", timeout=4)

    # -- F -------------------------------------------------------------------------

    def action_full_text(self) -> None:
        paper = self.paper_list.paper
        if paper is None or self.store is None:
            return
        if self.reading == paper.key:
            self.close_full_text()  # F again: back to the abstract
            return
        self.close_full_text()
        self.reading = paper.key
        view = self.fulltext_view
        view.set_message("Fetching the full text…")
        self.query_one(Reader).show_full_text(True)
        self.set_focus(view)
        self.set_activity("fulltext", "fetching the full text")
        self._get_text(paper)

    @work(thread=True, exclusive=True, group="fulltext", exit_on_error=False)
    def _get_text(self, paper: Paper) -> None:
        from paperqueue.core.fulltext import FullTextError
        from paperqueue.ui import fulltext

        worker = get_current_worker()

        def report(done: int, total: int | None) -> None:
            self._tell(self._text_progress, paper.key, fulltext.progress_text("downloading the PDF for its text", done, total))

        try:
            result = fulltext.get_text(self.app.http_client(), self.store, paper, fulltext.Throttle(report, lambda: worker.is_cancelled))
        except FullTextError as error:
            self._tell(self._text_failed, paper.key, _reason(error, paper))
            return
        except fulltext.Stopped:
            return
        if not worker.is_cancelled:
            self._tell(self._text_arrived, paper.key, result)

    def _text_progress(self, key: str, text: str) -> None:
        if self.reading == key:
            self.set_activity("fulltext", text)
            if self.fulltext_view.key is None:
                self.fulltext_view.set_message(f"Fetching the full text… {one_line(text)}")

    def _text_arrived(self, key: str, result) -> None:  # noqa: ANN001 - a ui.fulltext.TextResult
        self.set_activity("fulltext", None)
        if self.reading != key:
            return  # the person moved on; the text stays cached for next time
        position = result.position
        line = position.line if position is not None and position.lines == _line_count(result.text.text) else 0
        view = self.fulltext_view
        view.set_text(key, result.text.text, result.text.note, line)
        self._show_where()

    def _text_failed(self, key: str, message: str) -> None:
        self.set_activity("fulltext", None)
        self.notify(message, severity="error", timeout=8)
        if self.reading == key:
            self.close_full_text(save=False)

    def close_full_text(self, *, save: bool = True) -> None:
        """Back to the abstract (saving where reading stopped)."""
        if self.reading is None:
            return
        view = self.fulltext_view
        if save:
            self.save_reading(now=False)
        self.workers.cancel_group(self, "fulltext")
        self.set_activity("fulltext", None)
        self.reading = None
        refocus = view.has_focus
        view.set_message("")
        reader = self.query_one(Reader)
        reader.show_full_text(False)
        if refocus:
            self.set_focus(self.paper_list)

    def action_toggle_reader(self) -> None:
        super().action_toggle_reader()
        if self.reading is not None:
            self.set_focus(self.fulltext_view)  # z keeps reading the text, zoomed or not

    def show_in_reader(self, paper: Paper | None) -> None:
        if self.reading is not None and (paper is None or paper.key != self.reading):
            current = self.paper_list.paper
            if current is not None and current.key == self.reading:
                return  # a highlight the cursor has left already ("jF" typed fast): the text stays
            self.close_full_text()  # another paper: its abstract
        super().show_in_reader(paper)

    # -- the view's messages ---------------------------------------------------------

    @on(FullTextView.Closed)
    def _text_closed(self) -> None:
        self.close_full_text()

    @on(FullTextView.Moved)
    def _text_moved(self) -> None:
        if self.reading is None or self.fulltext_view.key is None:
            return
        self._show_where()
        if self._reading_timer is not None:
            self._reading_timer.stop()
        self._reading_timer = self.set_timer(SAVE_READING_AFTER, lambda: self.save_reading(now=False))

    def _show_where(self) -> None:
        """The reader's border: that it is the full text, how far in, which match."""
        view = self.fulltext_view
        reader = self.query_one(Reader)
        line, lines = view.position()
        where = f"{line * 100 // max(1, lines - 1)}%" if lines > 1 else ""
        if view.matches:
            where += f"  ·  match {view.current + 1}/{len(view.matches)}"
        reader.border_subtitle = where

    # -- saving where reading stopped ------------------------------------------------

    def save_reading(self, *, now: bool = True) -> None:
        """Save the position in the text shown: at once (``now``, on quit) or
        in a worker; the list's marker follows."""
        if self._reading_timer is not None:
            self._reading_timer.stop()
            self._reading_timer = None
        view = self.fulltext_view
        store = self.store
        if store is None or view.key is None or view.key != self.reading or not view.lines:
            return
        line, lines = view.position()
        self.paper_list.set_progress({view.key: _fraction(line, lines)})
        if now:
            _save(store.home, view.key, line, lines)
        else:
            self._save_reading_worker(store.home, view.key, line, lines)

    @work(thread=True, group="reading-save", exit_on_error=False)
    def _save_reading_worker(self, home, key: str, line: int, lines: int) -> None:  # noqa: ANN001 - a Path
        _save(home, key, line, lines)


def _save(home, key: str, line: int, lines: int) -> None:  # noqa: ANN001
    from paperqueue.core.fulltext import ReadingPositions

    try:
        ReadingPositions(home).save(key, line, lines)
    except OSError:
        pass  # a read-only data folder: the place is lost, nothing else


def _reason(error: Exception, paper: Paper) -> str:
    """The core's one line, without the paper's store key in front (the
    person knows which paper they pressed the key on; a title key is long)."""
    text = str(error)
    prefix = f"{paper.key}: "
    if text.startswith(prefix):
        rest = text[len(prefix):]
        return rest[:1].upper() + rest[1:]
    return text


def _fraction(line: int, lines: int) -> float:
    return min(1.0, line / (lines - 1)) if lines > 1 else 0.0


def _line_count(text: str) -> int:
    """How many lines the view makes of ``text`` (a saved position counts
    them: a text fetched again that changed starts from the top)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
