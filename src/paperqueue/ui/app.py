"""The paperqueue App: opens the store in a worker, shows the queue screen,
persists changes, and quits cleanly (also when the terminal goes away).
Opening the store (and taking it over for writing) lives in :mod:`opening`,
copying and opening links in :mod:`links`, imports in :mod:`imports`;
it holds no triage logic itself."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from paperqueue.core.clock import Clock, utc_now
from paperqueue.core.history import History
from paperqueue.core.paths import data_home
from paperqueue.core.store import Store
from paperqueue.core.text import clean_text
from paperqueue.core.writer import Writer
from paperqueue.resources import style_paths
from paperqueue.ui.commands import binding_commands
from paperqueue.ui.fetching import FetchingMixin
from paperqueue.ui.follow import TAKE_OVER_KEY, Following
from paperqueue.ui.imports import ImportsMixin
from paperqueue.ui.links import LinksMixin
from paperqueue.ui.opening import OpeningMixin, Saved
from paperqueue.ui.syncing import SyncingMixin
from paperqueue.ui.typeahead import TypeAheadMixin
from paperqueue.ui.screens.help import HelpScreen
from paperqueue.ui.screens.queue import QueueScreen


FIRST_SCREEN = 300  # papers read before the first paint; the rest follow in a worker


class PaperQueueApp(TypeAheadMixin, LinksMixin, OpeningMixin, ImportsMixin, FetchingMixin, SyncingMixin, App[None]):
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
        self.open_store(FIRST_SCREEN)  # read here, when mounted: tests set a smaller first screen
        if not self.is_headless and sys.__stdin__ is not None and sys.__stdin__.isatty():
            self.set_interval(1.0, self._check_terminal)
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, self.hang_up)
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
            self.hang_up()

    def hang_up(self) -> None:
        """The terminal is gone: save, release the lock, and leave at once.

        Textual's normal shutdown writes to the terminal and can block on a
        dead one, so this skips it; there is no screen left to restore.
        """
        store = self.store
        try:
            if store is not None:
                self.queue_screen.save_reading()  # the full text's place (not the store)
            if store is not None and not store.read_only and self.writer is not None:
                self.queue_screen.save_position()
                self.writer.save()  # waits for a save the writer's thread has under way
        except OSError:
            pass
        finally:
            if store is not None:
                store.close()
            os._exit(0)

    # -- failures, notices, saves (opening the store: ui/opening.py) ---------------

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
        if not self.screen_stack:  # a save that ends after the screens have gone
            return
        try:
            self.queue_screen.refresh_views()
        except NoMatches:  # ... or while they are being taken down (seen once in a test run)
            pass

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
        if store is not None and self.screen_stack:
            try:
                self.queue_screen.save_reading()  # the full text's place (not the store): a small file
            except OSError:
                pass
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
