"""A read-only app: the keys that would change the queue say so, and the
screen follows what the other paperqueue (the writer) saves.

- :func:`writes` wraps every action that changes the store: while the
  store is read-only it shows one short notification and does nothing, so
  memory never holds a change the disk cannot.
- :class:`Following` looks at the store's files once a second (a worker;
  see :mod:`paperqueue.core.store.follow`): new states are put on screen
  in place, keeping the cursor on its paper and the search; an import (a
  new ``meta.json``) reads the store again in the worker and swaps it in.
  A quiet note in the status line says so, never a series of pop-ups.
- When the writer leaves, one notification and the status line say that
  ``ctrl+l`` opens the queue for writing; taking over is never automatic
  (the person who closed the other window to reopen it would find that
  one read-only). The App's ``take_over`` does it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from paperqueue.core.history import History
from paperqueue.core.models import PaperState
from paperqueue.core.views import SIMILAR
from paperqueue.core.store import Store
from paperqueue.core.store.follow import Follow, Update, writer_gone

if TYPE_CHECKING:
    from paperqueue.ui.app import PaperQueueApp

FOLLOW_POLL = 1.0  # seconds between looks at the store's files
NOTE_FOR = 4.0  # seconds the "updated" note stays in the status line
TAKE_OVER_KEY = "ctrl+l"


def read_only_reason(app: PaperQueueApp) -> str:
    """Why nothing can be changed, and what to do about it (one line)."""
    following = app.following
    if following is None:
        return "the queue is open read-only (paperqueue cannot write to its folder)"
    if following.writer_left:
        return f"the queue is open read-only; the other paperqueue closed: press {TAKE_OVER_KEY} to open it for writing"
    return "the queue is open read-only (another paperqueue has it)"


def refuses(node: Any, what: str) -> bool:
    """Whether ``what`` cannot be done because the store is read-only (then
    the person is told, once: repeated words do not stack)."""
    app = node.app
    store = app.store
    if store is None or not store.read_only:
        return False
    app.notify(f"Cannot {what}: {read_only_reason(app)}", severity="warning", timeout=4, markup=False)
    return True


def writes(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark an action as one that changes the store (``what`` names it in
    the message: "Cannot star: the queue is open read-only ...")."""

    def wrap(action: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(action)
        def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
            if refuses(self, what):
                return None
            return action(self, *args, **kwargs)

        guarded.writes = what  # type: ignore[attr-defined]
        return guarded

    return wrap


class Following:
    """Follows the writer for the App while its store is read-only because
    another paperqueue holds the lock."""

    def __init__(self, app: PaperQueueApp, follow: Follow) -> None:
        self.app = app
        self.follow = follow
        self.writer_left = False
        self._timer = None
        self._note_timer = None

    def start(self) -> None:
        self._timer = self.app.set_interval(FOLLOW_POLL, self.tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        screen = self.app.queue_screen
        screen.set_activity("follow", None)
        screen.set_activity("writer-left", None)

    def tick(self) -> None:
        if not any(w.group == "follow" and not w.is_finished for w in self.app.workers):
            self.app.run_worker(self._look, thread=True, group="follow", exit_on_error=False)

    def _look(self) -> None:
        """In a worker: what changed, read whole; then shown on the UI thread."""
        app = self.app
        store = app.store
        if store is None or not store.read_only or self._timer is None:
            return
        update = self.follow.look(store)
        fresh: Store | None = None
        if update is not None and update.reopen:
            try:
                fresh = Store.open(store.home, clock=app.clock, lock=False)
            except OSError:
                update = None  # keep what is shown; the next look tries again
        history = None
        if update is not None:
            self.follow.accept(update)
            history = self._read_history(store)
        gone = writer_gone(store.home)
        if update is not None or gone != self.writer_left:
            app.call_from_thread(self._show, update, fresh, gone, history)

    def _read_history(self, store: Store) -> History | None:
        """The writer's action log as it stands (for the reading log and its
        history), read without ever cutting its half-written last line."""
        history = History(store.home, clock=self.app.clock, read_only=True)
        try:
            history.load()
        except OSError:
            return None  # keep the one shown; the next look tries again
        return history

    def _show(self, update: Update | None, fresh: Store | None, gone: bool, history: History | None = None) -> None:
        app, screen = self.app, self.app.queue_screen
        if self._timer is None:  # taken over meanwhile
            if fresh is not None:
                fresh.close()
            return
        if history is not None:
            app.history = history
        if fresh is not None:
            swap_store(app, fresh)
            self._note()
        elif update is not None and update.states:
            show_states(screen, update.states)
            self._note()
        if gone != self.writer_left:
            self.writer_left = gone
            if gone:
                app.notify(f"The other paperqueue closed: press {TAKE_OVER_KEY} to open the queue for writing", timeout=8)
                screen.set_activity("writer-left", f"other window closed: {TAKE_OVER_KEY} to write")
            else:
                screen.set_activity("writer-left", None)

    def _note(self) -> None:
        """A quiet note in the status line, kept while updates keep coming."""
        screen = self.app.queue_screen
        screen.set_activity("follow", "updated from the other window")
        if self._note_timer is not None:
            self._note_timer.stop()
        self._note_timer = self.app.set_timer(NOTE_FOR, lambda: screen.set_activity("follow", None))


def show_states(screen: Any, states: dict[str, PaperState]) -> None:
    """Put states the writer saved into the read-only store and on screen,
    the cursor staying on its paper (rows that stop matching the view stay,
    greyed, as after one's own change)."""
    store, queue = screen.store, screen.queue
    if store is None or queue is None:
        return
    nothing = PaperState()
    changes = [(store.state(key), state, store.papers.get(key)) for key, state in states.items()]
    for key, state in states.items():
        if state == nothing:
            store.states.pop(key, None)
        else:
            store.states[key] = state
    queue.states_changed(changes)
    removed = {key for key, state in states.items() if state.removed}
    if any(old.removed != new.removed for old, new, _paper in changes):
        # Removed under the cursor: on to the next paper that stays, as after one's own x.
        current = screen.paper_list.paper
        screen.reshow(screen._after_removing(removed) if current is not None and current.key in removed else None)
    else:
        screen.paper_list.refresh()
        screen.show_in_reader(screen.paper_list.paper)
        screen.refresh_views()


def swap_store(app: PaperQueueApp, store: Store, writer: Any = None) -> None:
    """Show ``store`` (read again from disk) in place of the app's: view,
    sort, search and the highlighted paper stay (the Similar view too)."""
    from paperqueue.core.writer import Writer

    screen = app.queue_screen
    old, old_writer = app.store, app.writer
    queue = screen.queue
    ranked = [p.key for p in queue.ranked] if queue is not None and queue.view == SIMILAR else None
    why = dict(queue.why) if queue is not None else {}
    if writer is None:
        writer = Writer(store, app.history)
    app.adopt_store(store, writer)
    screen.store = store
    screen.store_complete()
    if ranked is not None and screen.queue is not None:
        current = screen.paper_list.paper
        screen._reshow(
            lambda q: q.show_ranked([store.papers[k] for k in ranked if k in store.papers], why),
            current.key if current else None,
        )
    if old_writer is not None and old_writer is not writer:
        old_writer.close()
    if old is not None and old is not store:
        old.close()
