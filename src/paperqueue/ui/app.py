"""The paperqueue App: opens the store in a worker, shows the queue screen,
persists changes, and quits cleanly (also when the terminal goes away).
Copying and opening links live in :mod:`links`, imports in :mod:`imports`;
it holds no triage logic itself."""

from __future__ import annotations

import asyncio
import errno
import gc
import os
import signal
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from paperqueue.core.clock import Clock, utc_now
from paperqueue.core.history import History, repair
from paperqueue.core.paths import data_home
from paperqueue.core.store import Store
from paperqueue.core.text import clean_text
from paperqueue.core.writer import Writer
from paperqueue.resources import sample_path, style_paths
from paperqueue.ui.commands import binding_commands
from paperqueue.ui.fetching import FetchingMixin
from paperqueue.ui.follow import TAKE_OVER_KEY, Following
from paperqueue.ui.imports import ImportsMixin
from paperqueue.ui.links import LinksMixin
from paperqueue.ui.syncing import SyncingMixin
from paperqueue.ui.typeahead import TypeAheadMixin
from paperqueue.ui.screens.help import HelpScreen
from paperqueue.ui.screens.queue import QueueScreen


FIRST_SCREEN = 300  # papers read before the first paint; the rest follow in a worker
REQUEST_POLL = 1.0  # seconds between looks for imports handed over by `paperqueue import`


class Saved(Message):
    """The writer's thread finished a save (``error``: why it failed, if it did)."""

    def __init__(self, error: OSError | None) -> None:
        super().__init__()
        self.error = error


class PaperQueueApp(TypeAheadMixin, LinksMixin, ImportsMixin, FetchingMixin, SyncingMixin, App[None]):
    CSS_PATH = [str(path) for path in style_paths()]
    # Narrow terminals (80x24): the sidebar gives way; its views stay on 1-4, b, T.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    TITLE = "paperqueue"
    BINDINGS = [
        Binding("question_mark", "help", "Help", show=False, tooltip="Help: every key"),
        Binding("q", "quit", "Quit", tooltip="Quit (saves first)"),
        # As in every terminal program: ctrl+c leaves (saving first), like q.
        Binding("ctrl+c", "quit", "Quit", show=False, system=True),
        # A read-only app whose other paperqueue closed: open the queue for writing.
        Binding(TAKE_OVER_KEY, "take_over", "Open for writing", show=False, tooltip="Open the queue for writing (once the other paperqueue closed)"),
    ]

    def __init__(self, home: Path | None = None, *, clock: Clock = utc_now) -> None:
        super().__init__()
        self.home = home
        self.clock = clock
        self.store: Store | None = None
        self.history = History(home or data_home())  # replaced (and loaded) once the store is open
        self.writer: Writer | None = None  # every change to the person's state goes through it
        self.similarity = None  # the "more like this" index, loaded or built on first use
        self._quit_despite_unsaved = False
        self._warned = 0  # store warnings already shown
        self._on_screen: dict[tuple[str, str], float] = {}  # notification -> when it goes away
        self.following: Following | None = None  # read-only because another paperqueue writes: follow it

    def get_default_screen(self) -> Screen:
        return QueueScreen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, QueueScreen):
            yield from binding_commands(screen, screen.paper_list)
            yield SystemCommand("Help: every key", "key: ?", self.action_help)
        if self.following is not None:  # read-only because another paperqueue has the queue
            yield SystemCommand("Open the queue for writing", f"key: {TAKE_OVER_KEY} (once the other paperqueue closed)", self.action_take_over)

    @property
    def queue_screen(self) -> QueueScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.open_store()
        if not self.is_headless and sys.__stdin__ is not None and sys.__stdin__.isatty():
            self.set_interval(1.0, self._check_terminal)
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, self._hang_up)
            loop.add_signal_handler(signal.SIGTERM, lambda: self.call_later(self.action_quit))

    def _check_terminal(self) -> None:
        """Notice a hung-up terminal even without SIGHUP.

        A hung-up terminal signals only its session leader; when that is not
        us (``make run`` inside a closed tmux window), the app would live on,
        spinning on a dead tty and holding the lock.
        """
        try:
            os.tcgetpgrp(sys.__stdin__.fileno())
        except OSError:
            self._hang_up()

    def _hang_up(self) -> None:
        """The terminal is gone: save, release the lock, and leave at once.

        Textual's normal shutdown writes to the terminal and can block on a
        dead one, so this skips it; there is no screen left to restore.
        """
        store = self.store
        try:
            if store is not None and not store.read_only and self.writer is not None:
                self.queue_screen.save_position()
                self.writer.save()  # waits for a save the writer's thread has under way
        except OSError:
            pass
        finally:
            if store is not None:
                store.close()
            os._exit(0)

    # -- the store -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="open-store", exit_on_error=False)
    def open_store(self) -> None:
        from paperqueue.core.store.follow import Follow

        follow = Follow(self.home or data_home())  # before reading: a change meanwhile is seen at the first look
        try:
            store = Store.open(self.home, clock=self.clock, read_only_if_locked=True, head=FIRST_SCREEN)
        except OSError as error:
            follow = None  # read-only because the folder is: nobody writes it
            store = self._open_read_only(error)
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

    def _open_read_only(self, error: OSError) -> Store | None:
        """The queue could not be opened for writing: open it read-only when
        the folder is only unwritable, else leave, saying why (on the
        worker's thread; ``None`` when leaving)."""
        home = self.home or data_home()
        reason = error.strerror or str(error)
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM) and home.is_dir():
            try:
                store = Store.open(self.home, clock=self.clock, lock=False, head=FIRST_SCREEN)
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

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A worker that died of something unexpected never leaves the app
        hanging: opening the queue leaves with the reason, others say it."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        reason = clean_text(f"{type(error).__name__}: {error}")
        if event.worker.group == "open-store" and self.store is None:
            self.exit(None, 1, f"paperqueue: could not read the queue in {clean_text(str(self.home or data_home()))}: {reason}")
        else:
            self.notify(f"Something went wrong ({event.worker.name}): {reason}", severity="error", timeout=10)

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
        gc.freeze()

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

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is plain text with no control characters: what
        it quotes (file names, errors, titles) came from outside."""
        message, title = clean_text(str(message)), clean_text(title)
        now = time.monotonic()
        if self._on_screen.get((message, title), 0.0) > now:
            return  # the same words are on screen already: do not stack them
        if len(self._on_screen) > 64:
            self._on_screen = {k: until for k, until in self._on_screen.items() if until > now}
        self._on_screen[(message, title)] = now + (self.NOTIFICATION_TIMEOUT if timeout is None else timeout)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def tell_store_warnings(self) -> None:
        """Show what the store found wrong since the last look (files read
        after the first paint: the rest of the index, abstracts)."""
        store = self.store
        if store is None:
            return
        for warning in store.warnings[self._warned:]:
            self.notify(warning, severity="warning", timeout=10)
        self._warned = len(store.warnings)

    def flush_store(self) -> None:
        """Make what was recorded durable, in order, on the writer's thread."""
        if self.store is not None and not self.store.read_only and self.writer is not None:
            self.writer.save_soon()

    def on_saved(self, message: Saved) -> None:
        error = message.error
        if error is not None and self.writer is not None:
            reason = error.strerror or str(error)
            self.notify(
                f"Could not save {self.writer.unsaved} change(s): {reason}. They are kept in memory; paperqueue retries on the next change.",
                severity="error",
                markup=False,
                timeout=10,
            )
        self.queue_screen.refresh_views()

    def watch_theme(self, theme: str) -> None:
        if self.store is not None and not self.store.read_only:
            self.store.set_settings(theme=theme)
            self.flush_store()

    def show_reading_log(self) -> None:
        self._open_reading_log()

    @work(thread=True, exclusive=True, group="log", exit_on_error=False)
    def _open_reading_log(self) -> None:
        from paperqueue.core.stats import reading_stats
        from paperqueue.ui.screens.log import LogScreen

        store = self.store
        if store is None:
            return
        store.load_rest()
        names = {b: store.batch_name(b) for b in store.live_batches()}
        from datetime import UTC, datetime

        stats = reading_stats(list(store.papers.values()), dict(store.states), names, datetime.now(UTC), hidden=store.hidden_keys())
        history = list(reversed(self.history.timeline))
        self.call_from_thread(self.push_screen, LogScreen(stats, history))

    # -- keys --------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        store = self.store
        writer = self.writer
        if store is not None and not store.read_only and writer is not None:
            self.queue_screen.save_position()
            try:
                await asyncio.to_thread(writer.save)
            except OSError as error:
                if not self._quit_despite_unsaved:
                    self._quit_despite_unsaved = True
                    self.notify(
                        f"Could not save {writer.unsaved} change(s): {error.strerror or error}. Press q again to quit anyway.",
                        severity="error",
                        markup=False,
                    )
                    return
            else:
                message = await self.sync_on_quit()  # with sync_auto on: at most a few seconds
                if message is not None:
                    self.exit(None, 0, message)
                    return
        self.exit()

    def on_unmount(self) -> None:
        self.close_net_client()
        if self.sync_left_running:
            return  # a quit sync still writes: the process's end releases the lock
        if self.writer is not None:
            self.writer.close()
        if self.store is not None:
            self.store.close()
