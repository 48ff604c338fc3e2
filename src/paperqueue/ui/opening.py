"""The queue's store, for the App: opened in a worker (read-only when
another paperqueue holds it, or when the folder is unwritable), its writer
made with the action log replayed into it, the rest of the index and the
history read after the first paint, and, in a read-only app whose other
paperqueue closed, opened again for writing (``ctrl+l``)."""

from __future__ import annotations

import errno

from textual import work
from textual.message import Message

from paperqueue.core import collector
from paperqueue.core.history import History, repair
from paperqueue.core.paths import data_home
from paperqueue.core.store import Store
from paperqueue.core.text import clean_text
from paperqueue.core.writer import Writer
from paperqueue.resources import sample_path
from paperqueue.ui.follow import Following

REQUEST_POLL = 1.0  # seconds between looks for imports handed over by `paperqueue import`


class Saved(Message):
    """The writer's thread finished a save (``error``: why it failed, if it did)."""

    def __init__(self, error: OSError | None) -> None:
        super().__init__()
        self.error = error


class OpeningMixin:
    """Mixed into the App (which provides ``home``, ``clock``, ``store``,
    ``writer``, ``history``, ``following``, ``queue_screen``, ``_warned``,
    ``tell_store_warnings``, and from the other mixins ``_check_requests``,
    ``_import_progress`` and ``sync_opened``)."""

    @work(thread=True, exclusive=True, group="open-store", exit_on_error=False)
    def open_store(self, head: int) -> None:
        """Open the queue, reading ``head`` papers before the first paint."""
        from paperqueue.core.store.follow import Follow

        follow = Follow(self.home or data_home())  # before reading: a change meanwhile is seen at the first look
        try:
            store = Store.open(self.home, clock=self.clock, read_only_if_locked=True, head=head)
        except OSError as error:
            follow = None  # read-only because the folder is: nobody writes it
            store = self._open_read_only(error, head)
            if store is None:
                return
        self._warned = len(store.warnings)
        writer, notices = self._make_writer(store)
        notices = list(store.warnings) + notices
        if store.fresh and not store.read_only:  # an empty folder, nothing else
            from paperqueue.core.importing import UnusableFileError, import_file  # only on a first run

            try:
                result = import_file(store, sample_path(), source="bundled sample", progress=self._import_progress)
                notices.append(
                    f"First run: imported {result.new} papers from the bundled sample into your Inbox. "
                    "Import your own with i (a page, JSON, Atom/RSS, BibTeX or an id list), "
                    "or paperqueue import FILE."
                )
                writer.note(f"Imported the bundled sample: {result.summary()}")
                store.set_settings(view="inbox")  # a first run opens on the Inbox
                writer.save()
            except (UnusableFileError, OSError) as error:
                notices.append(f"Could not import the bundled sample: {error}")
        self.call_from_thread(self._store_ready, store, writer, notices, follow if store.read_only else None)

    def _make_writer(self, store: Store) -> tuple[Writer, list[str]]:
        """The store's writer, its log replayed into it first (on a worker's
        thread); returns what the person should be told."""
        notices: list[str] = []
        history = History(store.home, clock=self.clock, read_only=store.read_only)
        try:
            repaired = repair(store, history) if not store.read_only else 0
        except OSError as error:
            repaired = 0
            notices.append(f"Could not bring the queue up to date with its history: {error}")
        if repaired:
            notices.append(f"Restored {repaired} change(s) that were logged but not saved when paperqueue last stopped.")
        if not store.read_only:
            from paperqueue.core import handoff

            try:
                handoff.clean_stale(store.home)  # requests left by a crash
            except OSError:
                pass
        return Writer(store, history, on_saved=lambda error: self.post_message(Saved(error))), notices

    def _open_read_only(self, error: OSError, head: int) -> Store | None:
        """The queue could not be opened for writing: open it read-only when
        the folder is only unwritable, else leave, saying why (on the
        worker's thread; ``None`` when leaving)."""
        home = self.home or data_home()
        reason = error.strerror or str(error)
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM) and home.is_dir():
            try:
                store = Store.open(self.home, clock=self.clock, lock=False, head=head)
            except OSError as again:
                error, reason = again, again.strerror or str(again)
            else:
                store.warnings.append(f"Opened read-only: paperqueue cannot write to {home} ({reason})")
                return store
        if home.exists() and not home.is_dir():
            reason = "it is not a folder (PAPERQUEUE_HOME or XDG_DATA_HOME points at a file)"
        message = clean_text(f"paperqueue: cannot open the queue in {home}: {reason}")
        self.call_from_thread(self.exit, None, 1, message)
        return None

    def _store_ready(self, store: Store, writer: Writer, notices: list[str], follow=None) -> None:
        self.queue_screen.set_activity("import", None)
        self.history = writer.history
        self.writer = writer
        self.store = store
        theme = store.settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.queue_screen.load(store)
        for notice in notices:
            self.notify(notice, markup=False, timeout=6)
        if not store.complete:
            # After the first paint: loading the rest holds the GIL for a while.
            self.call_after_refresh(self._load_rest, store)
        self.call_after_refresh(self._load_history)
        if not store.read_only:
            self.set_interval(REQUEST_POLL, self._check_requests)
            self.call_after_refresh(self.sync_opened)  # sync: the status line, and by itself when set
        elif follow is not None:
            self.following = Following(self, follow)
            self.following.start()
        # Files read later (the rest of the index, abstracts, by any worker)
        # may turn out damaged: say so within a second, whoever read them
        # (one place for it, not a call after each kind of read).
        self.set_interval(REQUEST_POLL, self.tell_store_warnings)

    def adopt_store(self, store: Store, writer: Writer) -> None:
        """``store`` (read again, or opened for writing) replaces the one shown."""
        self.store, self.writer, self.history = store, writer, writer.history
        self._warned = len(store.warnings)

    def action_take_over(self) -> None:
        """ctrl+l in a read-only app: open the queue for writing, if the
        other paperqueue let it go (says nothing when already writing)."""
        if self.store is None or not self.store.read_only:
            return
        if self.following is None:
            self.notify(f"Cannot open for writing: paperqueue cannot write to {self.store.home}", severity="warning", markup=False)
            return
        self._take_over()

    @work(thread=True, exclusive=True, group="take-over", exit_on_error=False)
    def _take_over(self) -> None:
        try:
            store = Store.open(self.home, clock=self.clock, read_only_if_locked=True)
        except OSError as error:
            self.call_from_thread(self.notify, f"Could not open the queue for writing: {error.strerror or error}", severity="error", markup=False)
            return
        if store.read_only:
            store.close()
            self.call_from_thread(self.notify, "Still read-only: the queue is open in another paperqueue", severity="warning")
            return
        writer, notices = self._make_writer(store)
        self.call_from_thread(self._took_over, store, writer, [*store.warnings, *notices])

    def _took_over(self, store: Store, writer: Writer, notices: list[str]) -> None:
        from paperqueue.ui.follow import swap_store

        if self.following is not None:
            self.following.stop()
            self.following = None
        swap_store(self, store, writer)
        self.set_interval(REQUEST_POLL, self._check_requests)
        self.sync_opened()
        self._load_history()
        for notice in notices:
            self.notify(notice, markup=False, timeout=6)
        self.notify("Opened for writing: your changes are saved again", timeout=4)

    @work(thread=True, exclusive=True, group="open-store", exit_on_error=False)
    def _load_rest(self, store: Store) -> None:
        """Read the older index shards after the first screen is up."""
        try:
            store.load_rest()
        except OSError as error:
            self.call_from_thread(self.notify, f"Could not read the whole queue: {error}", severity="error", markup=False)
            return
        self.call_from_thread(self.queue_screen.store_complete)
        # 100,000 papers are here to stay: keep them out of the garbage
        # collector's full passes (which otherwise stall searches for ~80 ms).
        collector.freeze()

    @work(thread=True, group="history", exit_on_error=False)
    def _load_history(self) -> None:
        """Read the action log (for undo and the reading log) after the first paint."""
        try:
            self.history.ensure_loaded()
        except OSError as error:
            self.call_from_thread(self.notify, f"Could not read the history: {error}", severity="error", markup=False)
            return
        if self.history.skipped:
            self.call_from_thread(
                self.notify,
                f"history.jsonl: skipped {self.history.skipped:,} damaged line(s); the rest of the undo history is there",
                severity="warning",
            )
