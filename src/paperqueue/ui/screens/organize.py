"""Renaming and deleting the tag or import batch a view shows (``E``,
``D``): the same planned actions as ``paperqueue tag`` / ``batch`` (see
:mod:`paperqueue.core.organize`), each one undoable step. A base class of
the queue screen, between the annotate keys and the rankings."""

from __future__ import annotations

from textual.binding import Binding

from paperqueue.core import organize
from paperqueue.core.views import tag_view, view_batch, view_tag
from paperqueue.ui.screens.annotate import AnnotateScreen

_PICK_ONE = "in a tag view (T) or a batch view (b)"


class OrganizeScreen(AnnotateScreen):
    BINDINGS = [
        Binding("E", "rename_view", "Rename", show=False, tooltip="Rename the tag or import batch this view shows"),
        Binding("D", "delete_view", "Delete", show=False, tooltip="Delete the tag or import batch this view shows (asks first)"),
    ]

    def _viewed(self, verb: str) -> tuple[str | None, int | None] | None:
        """The tag or batch the view shows, or None (and the person is told)."""
        if self.queue is None or self.store is None:
            return None
        tag, batch = view_tag(self.queue.view), view_batch(self.queue.view)
        if tag is None and batch is None:
            self.notify(f"{verb} works {_PICK_ONE}", timeout=3)
            return None
        if not self.store.complete:  # a rename reaches papers not read yet
            self.notify("Still reading the queue; try again in a moment", timeout=2)
            return None
        return tag, batch

    def action_rename_view(self) -> None:
        viewed = self._viewed("E (rename)")
        if viewed is None:
            return
        from paperqueue.ui.screens.rename_prompt import RenamePrompt

        tag, batch = viewed
        store = self.store
        assert store is not None
        if tag is not None:
            what, current = f"tag #{tag}", tag
        else:
            assert batch is not None
            what, current = f'batch "{store.batch_name(batch)}"', store.batch_name(batch)

        def done(name: str | None) -> None:
            if name is None or name.strip() == current:
                return
            try:
                if tag is not None:
                    plan = organize.rename_tag(store, tag, name)
                else:
                    plan = organize.rename_batch(store, str(batch), name)
            except organize.OrganizeError as error:
                self.notify(str(error), severity="warning", markup=False)
                return
            self.carry_out(plan)
            if tag is not None:
                new = organize.parse_tags(name, list(organize.known_tags(store).values()))
                if new:
                    self.action_view(tag_view(new[0]))

        self.app.push_screen(RenamePrompt(what, current), done)

    def action_delete_view(self) -> None:
        viewed = self._viewed("D (delete)")
        if viewed is None:
            return
        from paperqueue.ui.screens.confirm import Confirm

        tag, batch = viewed
        store = self.store
        assert store is not None
        try:
            plan = organize.delete_tag(store, tag) if tag is not None else organize.delete_batch(store, str(batch))
        except organize.OrganizeError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        question = plan.label.replace("Deleted", "Delete", 1).replace(" hidden)", " will be hidden)") + "? (u undoes it)"

        def answered(yes: bool | None) -> None:
            if yes:
                self.carry_out(plan)
                self.action_view("inbox")

        self.app.push_screen(Confirm(question), answered)

    def carry_out(self, plan: organize.Plan) -> None:
        """Record ``plan`` as one undoable action and show what it did."""
        store = self.store
        assert store is not None and self.queue is not None
        self.app.writer.record(plan.label, plan.changes, plan.batches)
        if plan.batches:
            # A batch renamed or deleted: rows and counts are built again.
            for key, state in plan.states.items():
                store.set_state(key, state)
            self.store_complete()
            self.app.flush_store()
        else:
            self.set_states(plan.states, reshow=True)
        self.notify(plan.label, timeout=3, markup=False)
