"""The triage keys: star, read, read-and-next, unread navigation, remove,
mark-all-read, undo and redo, copying and opening links. A base class of
the queue screen, so these keys live with the state they change; the
layout and views live in :mod:`queue`.

Every change goes through :meth:`TriageScreen.change_states`: one undoable
action in the history, the new states in memory at once, and the disk
through the app's persist worker.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

from paperqueue.core.formats import markdown_link
from paperqueue.core.text import one_line
from paperqueue.core.models import Paper, PaperState
from paperqueue.core.queue import QueueView
from paperqueue.core.store import ReadOnlyStoreError, Store
from paperqueue.ui.widgets.paper_list import PaperList

if TYPE_CHECKING:
    from paperqueue.ui.app import PaperQueueApp


def _papers(n: int) -> str:
    return f"{n:,} paper" + ("" if n == 1 else "s")


class TriageScreen(Screen[None]):
    BINDINGS = [
        Binding("question_mark", "app.help", "Help", tooltip="Help: every key"),  # first: stays in a narrow Footer
        Binding("s", "toggle_star", "Star", tooltip="Toggle star (all selected papers, if any)"),
        Binding("r", "toggle_read", "Read", tooltip="Toggle read (all selected papers, if any)"),
        Binding("space", "read_and_next", "Read+next", tooltip="Mark read and go to the next unread paper"),
        Binding("n", "unread(1)", "Next unread", show=False, tooltip="Next unread paper"),
        Binding("p,N", "unread(-1)", "Prev unread", show=False, tooltip="Previous unread paper"),
        Binding("x", "remove", "Remove", show=False, tooltip="Remove the paper (or the selection) from the queue"),
        Binding("A", "mark_all_read", "All read", show=False, tooltip="Mark every paper in this view read"),
        Binding("u", "undo", "Undo", tooltip="Undo the last change"),
        Binding("ctrl+r", "redo", "Redo", show=False, tooltip="Redo what was undone"),
        Binding("y", "copy_link", "Copy", tooltip="Copy the primary link"),
        Binding("Y", "copy_markdown", "Copy Markdown", show=False, tooltip="Copy a Markdown link [Title](url)"),
        Binding("o", "open_link", "Open", tooltip="Open the primary link in the browser"),
    ]

    # Set by the queue screen, which also provides refresh_views, show_in_reader,
    # view_title and reshow (the layout these keys act through).
    app: PaperQueueApp
    store: Store | None
    queue: QueueView | None

    _shown_stamp: tuple = ()
    _shown: list[Paper] = []
    # u and ctrl+r pressed while the queue was still being read: they run,
    # in order, once it is read (an old action may touch any paper).
    _steps_waiting: tuple[str, ...] = ()

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    # -- changing state ------------------------------------------------------

    def selected_shown(self) -> list[Paper]:
        """The selected papers this view shows, in list order (kept until the
        rows or the selection change: the status line asks on every move)."""
        plist, queue = self.paper_list, self.queue
        if not plist.selected or queue is None:
            return []
        stamp = (id(queue), queue.rows_version, plist.selection_version)
        if self._shown_stamp != stamp:
            self._shown_stamp, self._shown = stamp, queue.shown(plist.selected)
        return self._shown

    def targets(self) -> list[Paper]:
        """What an action acts on: the selected papers this view shows, or
        else the highlighted one. Selected papers hidden by the view or the
        search are never touched (they stay selected); the person is told."""
        plist = self.paper_list
        shown = self.selected_shown()
        hidden = len(plist.selected) - len(shown)
        if hidden:
            self.notify(
                f"Left alone: {hidden:,} selected {'paper' if hidden == 1 else 'papers'} hidden by this view or search",
                timeout=4,
            )
        if shown:
            return list(shown)
        return [plist.paper] if plist.paper is not None else []

    def change_states(self, label: str, new: dict[str, PaperState], *, reshow: bool = False, follow: str | None = None) -> bool:
        """Apply ``new`` states as one undoable action."""
        if self.store is None or self.queue is None:
            return False
        if self.store.read_only:
            self.notify("The queue is open read-only (another paperqueue has it)", severity="warning")
            return False
        changes = [(k, self.store.state(k).to_record(), s.to_record()) for k, s in new.items() if self.store.state(k) != s]
        if not changes:
            return True
        if self._steps_waiting:  # it would undo this change, not the one meant
            self._steps_waiting = ()
            self.notify("The waiting undo was dropped: a change came after it", severity="warning", timeout=4)
        self.app.writer.record(label, changes)
        self.set_states({key: new[key] for key, _before, _after in changes}, reshow=reshow, follow=follow)
        return True

    def set_states(self, states: dict[str, PaperState], *, reshow: bool = False, follow: str | None = None) -> None:
        """Put states in the store and on screen, and persist them (with
        ``reshow``, the cursor goes to ``follow`` when it is shown)."""
        assert self.store is not None and self.queue is not None
        changes = []
        try:
            for key, state in states.items():
                changes.append((self.store.state(key), state, self.store.papers.get(key)))
                self.store.set_state(key, state)
        except ReadOnlyStoreError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        finally:
            self.queue.states_changed(changes)
        if reshow:
            self.reshow(follow)
        else:
            self.paper_list.refresh()
            self.show_in_reader(self.paper_list.paper)
            self.refresh_views()
        self.app.flush_store()

    def _toggle(self, field: str) -> None:
        papers = self.targets()
        if not papers or self.store is None:
            return
        now = self.store.clock()
        states = {p.key: self.store.state(p.key) for p in papers}
        turn_on = not all(getattr(s, field) for s in states.values())  # mixed: all on
        new = {k: (s.with_star(turn_on, now) if field == "starred" else s.with_read(turn_on, now)) for k, s in states.items()}
        if field == "starred":
            label = f"{'Starred' if turn_on else 'Unstarred'} {_papers(len(papers))}"
        else:
            label = f"Marked {_papers(len(papers))} {'read' if turn_on else 'unread'}"
        self.change_states(label, new)

    def action_toggle_star(self) -> None:
        self._toggle("starred")

    def action_toggle_read(self) -> None:
        self._toggle("read")

    def action_read_and_next(self) -> None:
        paper = self.paper_list.paper
        if paper is None or self.store is None:
            return
        state = self.store.state(paper.key)
        if not state.read and not self.change_states("Marked 1 paper read", {paper.key: state.with_read(True, self.store.clock())}):
            return
        self.action_unread(1)

    def action_unread(self, step: int) -> None:
        if self.queue is None:
            return
        row = self.queue.next_unread(self.paper_list.cursor, step)
        if row is None:
            where = "below" if step > 0 else "above"
            self.notify(f"No unread papers {where} in {self.view_title(self.queue.view)}", timeout=3, markup=False)
            return
        self.paper_list.move_to(row)

    def action_remove(self) -> None:
        papers = self.targets()
        if not papers or self.store is None:
            return
        new = {p.key: replace(self.store.state(p.key), removed=True) for p in papers}
        if self.change_states(f"Removed {_papers(len(papers))}", new, reshow=True, follow=self._after_removing(new)):
            self.paper_list.unselect(new)
            self.notify(f"Removed {_papers(len(papers))} (u undoes)", timeout=3)

    def _after_removing(self, gone) -> str | None:
        """Where the cursor goes when ``gone`` leave: the next paper that
        stays, else the one before (as in a mail reader)."""
        rows, cursor = self.queue.rows, self.paper_list.cursor
        for row in (*range(cursor, len(rows)), *range(cursor - 1, -1, -1)):
            if rows[row].key not in gone:
                return rows[row].key
        return None

    def action_mark_all_read(self) -> None:
        if self.queue is None or self.store is None:
            return
        unread = [p for p in self.queue.rows if not self.store.state(p.key).read]
        if not unread:
            self.notify("Nothing unread in this view", timeout=2)
            return
        from paperqueue.ui.screens.confirm import Confirm

        view = self.view_title(self.queue.view)
        query = self.searcher.query if self.queue.filter is not None else ""
        # A search narrows what "all" means: say so, in the question and the log.
        where = f'{view} matching "{one_line(query)}"' if query else view

        def confirmed(yes: bool | None) -> None:
            if yes and self.store is not None:
                now = self.store.clock()
                new = {p.key: self.store.state(p.key).with_read(True, now) for p in unread}
                self.change_states(f"Marked all {_papers(len(unread))} in {where} read", new)

        self.app.push_screen(Confirm(f"Mark all {_papers(len(unread))} in {where} read?"), confirmed)

    def action_undo(self) -> None:
        self._step(self.app.writer.undo, after=False, verb="Undid")

    def action_redo(self) -> None:
        self._step(self.app.writer.redo, after=True, verb="Redid")

    def run_waiting_steps(self) -> None:
        """The queue is read: the u and ctrl+r pressed meanwhile, in order."""
        waiting, self._steps_waiting = self._steps_waiting, ()
        for verb in waiting:
            if verb == "Undid":
                self.action_undo()
            else:
                self.action_redo()

    def _step(self, move, *, after: bool, verb: str) -> None:
        if self.store is None:
            return
        if self.store.read_only:
            what = "undo" if verb == "Undid" else "redo"
            self.notify(f"Cannot {what}: the queue is open read-only (another paperqueue has it)", severity="warning")
            return
        if not self.store.complete:  # an old action may touch papers not read yet
            self._steps_waiting += (verb,)
            what = "undo" if verb == "Undid" else "redo"
            self.notify(f"Still reading the queue; the {what} runs once it is read", timeout=3)
            return
        action = move()
        if action is None:
            self.notify("Nothing to undo" if verb == "Undid" else "Nothing to redo", timeout=2)
            return
        states = action.states(after=after)
        self.set_states(states, reshow=True)
        if action.batches:  # a batch renamed, deleted or imported: rows and counts anew
            self.store_complete()
        # The cursor goes to the paper the step changed (the first shown),
        # unless it is on one of them already.
        current = self.paper_list.paper
        if self.queue is not None and (current is None or current.key not in states):
            shown = self.queue.shown(states)
            if shown:
                self.paper_list.move_to(self.queue.row_of(shown[0].key) or 0)
        store = self.store
        title_of = lambda key: (paper.display_title if (paper := store.papers.get(key)) else None)  # noqa: E731
        self.notify(f"{verb}: {action.described(title_of)}", timeout=3, markup=False)

    # -- links -----------------------------------------------------------------

    def action_copy_link(self) -> None:
        if paper := self.paper_list.paper:
            self.app.copy_text(paper.primary_link, "link")

    def action_copy_markdown(self) -> None:
        if paper := self.paper_list.paper:
            self.app.copy_text(markdown_link(paper.display_title, paper.primary_link), "Markdown link")

    def action_open_link(self) -> None:
        if paper := self.paper_list.paper:
            self.app.open_link(paper.primary_link)
