"""Syncing from inside the app (issue 13), for the App: "Sync now" in the
palette, and ``paperqueue sync`` handed over while the app holds the queue
(see :mod:`paperqueue.core.handoff`). The sync runs in a worker with the
app's store and writer; papers another device changed update in place, the
cursor staying where it is (:func:`paperqueue.ui.follow.show_states`)."""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import SystemCommand
from textual.screen import Screen


class SyncingMixin:
    """Mixed into the App (which provides ``store``, ``writer``, ``queue_screen``,
    and ``_one_at_a_time`` from :class:`~paperqueue.ui.imports.ImportsMixin`)."""

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)  # type: ignore[misc]
        if self._can_sync():
            yield SystemCommand("Sync now", "send this machine's changes and take the other machines'", self.action_sync_now)

    def _can_sync(self) -> bool:
        from paperqueue.core.sync import git
        from paperqueue.core.sync.folder import configured

        store = self.store
        return store is not None and not store.read_only and (configured(store.home) or git.is_git(store.home))

    def action_sync_now(self) -> None:
        self._sync_now()

    @work(thread=True, group="sync", exit_on_error=False)
    def _sync_now(self) -> None:
        from paperqueue.core.text import one_line

        lines, errors, _status = self.run_sync()
        text = one_line("; ".join([*lines, *errors]))
        self.call_from_thread(self.notify, text, severity="error" if errors else "information", markup=False, timeout=6)

    def run_sync(self) -> tuple[list[str], list[str], int]:
        """Sync (on a worker's thread): summary lines, error lines, and the
        exit code ``paperqueue sync`` would give (0, 1 store, 2 input)."""
        from paperqueue.core.sync import git
        from paperqueue.core.sync.folder import SyncError
        from paperqueue.core.sync.run import sync_folder
        from paperqueue.ui.follow import show_states

        store, writer = self.store, self.writer
        if store is None or store.read_only or writer is None:
            return [], ["the queue is not open for writing"], 1
        screen = self.queue_screen

        def apply(states: dict) -> None:  # noqa: ANN001 - key -> PaperState
            self.call_from_thread(show_states, screen, states)

        with self._one_at_a_time:  # not while an import or a fetch writes
            self.call_from_thread(screen.set_activity, "sync", "syncing")
            try:
                store.load_rest()
                if git.is_git(store.home):
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
                self.call_from_thread(screen.set_activity, "sync", None)
        return [summary.line()], [], 0
