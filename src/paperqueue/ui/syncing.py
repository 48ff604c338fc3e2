"""Syncing from inside the app (issue 13), for the App: "Sync now" in the
palette, and ``paperqueue sync`` handed over while the app holds the queue
(see :mod:`paperqueue.core.handoff`). The sync runs off the UI thread with
the app's store and writer; papers another device changed update in place,
the cursor staying where it is (:func:`paperqueue.ui.follow.show_states`).

By itself (``sync_auto``, see :mod:`paperqueue.core.sync.status`): the app
syncs after the first paint and on quit (quit waits :data:`QUIT_WAIT`
seconds at most), and in folder mode looks at the shared folder every
:data:`POLL` seconds (stats only) and syncs when another device's file is
new or grew. Syncs run in daemon threads, never Textual's workers: a folder
that hangs (a dead network disk) must not keep the process alive after quit.

A sync left running by quit may finish after the app stopped: every call
from its thread to the UI goes through :meth:`SyncingMixin._on_ui`, which
does nothing once the app has stopped (no coroutine is handed to a loop
that will not run it, and nothing waits for it forever); the papers the
sync changed then go into the store directly, so the sync still saves them.

The status line shows, from numbers in memory, the own field changes not
synced yet (a tag on 3 papers is 3, as ``paperqueue sync status`` counts)
and how long ago the last sync was: those the log held unexported when the
app set sync up (read then, off the UI thread), plus the sync lines of what
was recorded since and is not exported yet (the writer's outbox), plus, in
git mode, the lines in the tree not pushed yet (counted by git in a thread
whenever an export put more there).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError, Future

from textual.app import SystemCommand
from textual.screen import Screen

POLL = 3.0  # seconds between looks at the shared folder (folder mode, sync_auto on)
QUIT_WAIT = 5.0  # seconds quit waits for its sync
SHOW_EVERY = 1.0  # seconds between updates of the status line's sync part
GONE_CHECK = 0.2  # seconds between looks at whether the app stopped, waiting for a call to the UI thread
GONE = object()  # what _on_ui returns when the app has stopped: the callback did not run


class SyncingMixin:
    """Mixed into the App (which provides ``store``, ``writer``, ``history``,
    ``clock``, ``queue_screen``, and ``_one_at_a_time`` from
    :class:`~paperqueue.ui.imports.ImportsMixin`)."""

    _sync_info = None  # core.sync.status.Info once read (a store set up for sync, open for writing)
    _sync_auto = False
    sync_left_running = False  # a quit sync still writes: the store stays open until the process ends
    _sync_base = 0  # git: own field changes in the tree not pushed, when last counted from files
    _git_counted: int | None = None  # git: the exported seq when they were counted (or at the last sync)
    _git_counting = False  # git: a count under way
    _log_waiting = 0  # own field changes the log held unexported when sync was set up
    _log_seq = 0  # the log's highest record then: later ones are counted from the writer's outbox
    _poll_timer = None
    _poll_busy = False
    _others = None  # the other devices' files at the last look (name, size, mtime)
    _auto_busy = False  # a sync by itself under way (open, poll): one at a time
    _sync_changed = False  # the last sync changed this queue (a quiet sync then says so)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)  # type: ignore[misc]
        if self._can_sync():
            yield SystemCommand("Sync now", "send this machine's changes and take the other machines'", self.action_sync_now)
            on = self._sync_auto
            yield SystemCommand(f"Sync automatically: {'on' if on else 'off'}",
                                f"turn {'off' if on else 'on'} syncing on open, on quit"
                                " and when another device's changes arrive (folder)", self.action_toggle_sync_auto)

    def _can_sync(self) -> bool:
        from paperqueue.core.sync import git
        from paperqueue.core.sync.settings import configured

        store = self.store
        return store is not None and not store.read_only and (configured(store.home) or git.is_git(store.home))

    # -- starting syncs off the UI thread ------------------------------------------------

    def _in_daemon(self, work: Callable[[], None], name: str) -> threading.Thread:
        thread = threading.Thread(target=work, name=f"paperqueue-{name}", daemon=True)
        thread.start()
        return thread

    def _on_ui(self, callback: Callable, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        """Run ``callback`` on the UI thread (from another thread) and return
        its result, or :data:`GONE` without running it once the app has
        stopped (before the call, or while it waited its turn). Unlike
        ``call_from_thread`` it never hands a coroutine to a loop that will
        not run it (a "never awaited" warning at exit) and never waits for a
        stopped app forever."""
        loop = self._loop
        if not self.is_running or loop is None or loop.is_closed():
            return GONE
        future: Future = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return  # the thread stopped waiting: the app had stopped
            if not self.is_running:
                future.set_result(GONE)
                return
            try:
                with self._context():
                    future.set_result(callback(*args, **kwargs))
            except BaseException as error:  # noqa: BLE001 - handed to the calling thread
                future.set_exception(error)

        try:
            loop.call_soon_threadsafe(run)
        except RuntimeError:  # the loop closed meanwhile
            return GONE
        while True:
            try:
                return future.result(timeout=GONE_CHECK)
            except TimeoutError:
                if not self.is_running and future.cancel():
                    return GONE

    def _from_thread(self, callback: Callable, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        """:meth:`_on_ui`, the result unwanted: nothing once the app has gone."""
        try:
            self._on_ui(callback, *args, **kwargs)
        except (RuntimeError, CancelledError):
            pass

    def action_sync_now(self) -> None:
        self._in_daemon(lambda: self._sync_job(quiet=False), "sync")

    def _sync_job(self, *, quiet: bool) -> None:
        """Sync (on a daemon thread) and say how it went: Sync now always,
        a sync by itself only when it changed papers or failed."""
        from paperqueue.core.text import one_line

        try:
            lines, errors, _status = self.run_sync()
        except Exception as error:  # noqa: BLE001 - a thread of our own: say it, never die silently
            lines, errors = [], [f"sync stopped: {type(error).__name__}: {error}"]
        text = one_line("; ".join([*lines, *errors]))
        if errors or not quiet or self._sync_changed:
            self._from_thread(self.notify, text, severity="error" if errors else "information", markup=False,
                              timeout=6)

    def run_sync(self) -> tuple[list[str], list[str], int]:
        """Sync (on a worker's thread): summary lines, error lines, and the
        exit code ``paperqueue sync`` would give (0, 1 store, 2 input)."""
        from paperqueue.core.sync import git
        from paperqueue.core.sync.settings import SyncError
        from paperqueue.core.sync.run import sync_folder
        from paperqueue.ui.follow import show_states

        self._sync_changed = False
        store, writer = self.store, self.writer
        if store is None or store.read_only or writer is None:
            return [], ["the queue is not open for writing"], 1
        screen = self.queue_screen

        def apply(states: dict) -> None:  # noqa: ANN001 - key -> PaperState
            if self._on_ui(show_states, screen, states) is GONE:
                # The app stopped (a sync left running by quit): nothing to
                # show, but the store still takes them, for the writer to save.
                for key, state in states.items():
                    store.set_state(key, state)

        with self._one_at_a_time:  # not while an import or a fetch writes
            self._from_thread(screen.set_activity, "sync", "syncing")
            try:
                store.load_rest()
                before = self._look_at_others()
                writer.history.ensure_loaded()
                in_git = git.is_git(store.home)
                if in_git:
                    summary = git.sync_git(store, writer.history, writer, store.clock(), apply=apply)
                else:
                    summary = sync_folder(store, writer.history, writer, store.clock(), apply=apply)
            except git.Offline as error:  # the changes wait in the tree: the next sync sends them
                return [], [str(error)], 1
            except SyncError as error:
                return [], [str(error)], 2
            except OSError as error:
                return [], [f"sync stopped, a file could not be written ({error.strerror or error}); sync again"], 1
            finally:
                self._from_thread(screen.set_activity, "sync", None)
            done = summary.summary if in_git else summary  # git wraps the folder sync's summary
            self._sync_changed = done.changed_here
            if done.landed or done.merged or done.batches:
                # Papers or batches arrived: the views are built again, as after an import.
                self._from_thread(self.flush_store)
                self._from_thread(screen.store_complete)
            self._from_thread(self._synced, before)
        return [summary.line()], [], 0

    def _look_at_others(self):  # noqa: ANN202 - a signature or None
        from paperqueue.core.sync.status import others_signature

        info = self._sync_info
        if info is None or info.mode != "folder":
            return None
        return others_signature(info.folder, info.device)

    def _synced(self, others) -> None:  # noqa: ANN001
        """A sync went through: what it exported was pushed (git); own
        changes made while it ran are still in the outbox, counted."""
        writer = self.writer
        self._sync_base = 0
        if writer is not None and writer.sync is not None:
            self._git_counted = writer.sync.settings.exported
        if others is not None:
            self._others = others  # what this sync read: the poll looks for more
        self.show_sync()

    # -- on open, while open, on quit ------------------------------------------------------

    def sync_opened(self) -> None:
        """The open hook (after the first paint): read the sync setup in a
        thread; sync by itself when ``sync_auto`` is on."""
        store = self.store
        if store is None or store.read_only:
            return
        self._in_daemon(lambda: self._set_up_sync(store), "sync-setup")

    def _set_up_sync(self, store) -> None:  # noqa: ANN001 - a Store
        from paperqueue.core.sync import git
        from paperqueue.core.sync.status import auto_setting, others_signature, read_info, unexported_changes

        info = read_info(store.home)
        writer = self.writer
        if info is None or writer is None:
            return
        auto = auto_setting(store.home, store.settings)
        base = git.unpushed(store.home) if info.mode == "git" else 0
        waiting = unexported_changes(writer.history.path, info.exported)
        others = others_signature(info.folder, info.device) if info.mode == "folder" else None
        self._from_thread(self._sync_ready, info, auto, base, waiting, others)
        if auto:
            self._auto_sync()

    def _sync_ready(self, info, auto: bool, base: int, waiting: tuple[int, int], others) -> None:  # noqa: ANN001
        self._sync_info, self._sync_auto, self._others = info, auto, others
        self._sync_base, self._git_counted = base, info.exported
        self._log_waiting, self._log_seq = waiting
        self.set_interval(SHOW_EVERY, self.show_sync)
        self._start_polling()
        self.show_sync()

    def _auto_sync(self) -> None:
        """A sync by itself (on a daemon thread), unless one is under way."""
        if self._auto_busy:
            return
        self._auto_busy = True
        try:
            self._sync_job(quiet=True)
        finally:
            self._auto_busy = False

    def _start_polling(self) -> None:
        info = self._sync_info
        if info is None or info.mode != "folder" or not self._sync_auto or self._poll_timer is not None:
            return
        self._poll_timer = self.set_interval(POLL, self._poll)

    def _poll(self) -> None:
        if self._poll_busy or self._auto_busy or not self._sync_auto:
            return
        self._poll_busy = True
        self._in_daemon(self._look, "sync-look")

    def _look(self) -> None:
        """Stats only: sync when another device's file is new or grew."""
        try:
            found = self._look_at_others()
            if found is not None and found != self._others:
                self._auto_sync()
        finally:
            self._poll_busy = False

    def show_sync(self) -> None:
        """The status line's sync part, from numbers in memory."""
        from paperqueue.core.sync.status import ago, not_synced_text
        from paperqueue.ui.widgets.status import StatusLine

        info, writer = self._sync_info, self.writer
        store = self.store
        if info is None or writer is None or writer.sync is None or store is None or store.read_only:
            text = ""
        else:
            waiting = self.unsent_changes()
            if info.mode == "git":
                self._count_unpushed()
                waiting += self._sync_base
            parts = [not_synced_text(waiting), ago(writer.sync.settings.last_sync, self.clock())]
            text = "  ·  ".join(part for part in parts if part)
        try:
            self.queue_screen.query_one(StatusLine).set_sync(text)
        except Exception:  # noqa: BLE001 - the screen is not composed (yet, or any more)
            pass

    def unsent_changes(self) -> int:
        """Own field changes not exported yet, from memory: the log's when
        sync was set up (until an export took them) and the outbox's since."""
        writer = self.writer
        if writer is None or writer.sync is None:
            return 0
        waiting = self._log_waiting if writer.sync.settings.exported < self._log_seq else 0
        return waiting + writer.unsent_changes(self._log_seq)

    def _count_unpushed(self) -> None:
        """Git: count the tree's unpushed lines again (in a thread) when an
        export put more there since the last count; never while a sync or
        an import holds the queue (git's index is theirs then)."""
        writer, store = self.writer, self.store
        if writer is None or writer.sync is None or store is None or self._git_counting:
            return
        exported = writer.sync.settings.exported
        if exported == self._git_counted:
            return
        self._git_counting = True

        def count() -> None:
            from paperqueue.core.sync import git

            found = None
            try:
                if self._one_at_a_time.acquire(blocking=False):
                    try:
                        found = git.unpushed(store.home)
                    finally:
                        self._one_at_a_time.release()
            finally:
                self._from_thread(self._unpushed_counted, found, exported)

        self._in_daemon(count, "sync-count")

    def _unpushed_counted(self, found: int | None, exported: int) -> None:
        self._git_counting = False
        if found is not None:
            self._sync_base, self._git_counted = found, exported
            self.show_sync()

    def action_toggle_sync_auto(self) -> None:
        from paperqueue.core.sync.status import AUTO

        store = self.store
        if store is None or store.read_only or self._sync_info is None:
            return
        self._sync_auto = not self._sync_auto
        store.set_settings(**{AUTO: self._sync_auto})
        self.flush_store()
        if self._sync_auto:
            self._start_polling()
            self.notify("Sync automatically: on (on open, on quit, and when another device's changes arrive)",
                        timeout=4)
        else:
            self.notify("Sync automatically: off (Sync now in the palette, or paperqueue sync)", timeout=4)

    async def sync_on_quit(self) -> str | None:
        """The quit hook: with ``sync_auto`` on, sync, waiting at most
        :data:`QUIT_WAIT` seconds. Returns what to say on leaving (a failed or
        unfinished sync), else ``None``."""
        if self._sync_info is None or not self._sync_auto:
            return None
        result: list = []
        done = threading.Event()

        def work() -> None:
            try:
                result.append(self.run_sync())
            except Exception as error:  # noqa: BLE001
                result.append(([], [f"{type(error).__name__}: {error}"], 1))
            finally:
                done.set()

        self._in_daemon(work, "sync-quit")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + QUIT_WAIT
        while not done.is_set() and loop.time() < deadline:
            await asyncio.sleep(0.05)
        if not done.is_set():
            # Still writing: the store stays open (its lock held) until the
            # process ends, so nobody opens it under the unfinished sync.
            self.sync_left_running = True
            return (f"paperqueue: the sync did not finish in {QUIT_WAIT:g} s; your changes are kept "
                    "and go out with the next sync")
        _lines, errors, _status = result[0]
        if errors:
            from paperqueue.core.text import one_line

            return one_line("paperqueue: sync on quit: " + "; ".join(errors))
        return None
