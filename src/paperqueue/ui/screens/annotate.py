"""Tags, notes and the copy menu: the keys that annotate papers or copy
them in other forms. A base class of the queue screen (after the triage
keys), so these keys live with the state they change."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding

from paperqueue.core.queue import tag_view, view_tag
from paperqueue.ui.screens.triage import TriageScreen


class AnnotateScreen(TriageScreen):
    BINDINGS = [
        Binding("t", "edit_tags", "Tags", show=False, tooltip="Edit tags (of the selection, if any)"),
        Binding("T", "cycle_tag", "Tag view", show=False, tooltip="View the next tag"),
        Binding("e", "edit_note", "Note", show=False, tooltip="Edit the note on the paper"),
        Binding("c", "copy_menu", "Copy…", show=False, tooltip="Copy menu: link, id, Markdown, BibTeX, title, all links"),
    ]

    def action_cycle_tag(self) -> None:
        if self.queue is None:
            return
        tags = list(self.queue.tag_unread)
        if not tags:
            self.notify("No tags yet: t adds tags to a paper", timeout=2)
            return
        current = view_tag(self.queue.view)
        index = (tags.index(current) + 1) % len(tags) if current in tags else 0
        self.action_view(tag_view(tags[index]))

    def action_edit_tags(self) -> None:
        papers = self.targets()
        if not papers or self.store is None or self.queue is None:
            return
        from paperqueue.ui.screens.tag_prompt import TagPrompt

        store = self.store
        shared = set(store.state(papers[0].key).tags)
        for paper in papers[1:]:
            shared &= set(store.state(paper.key).tags)
        current = tuple(t for t in store.state(papers[0].key).tags if t in shared)

        def done(tags: tuple[str, ...] | None) -> None:
            if tags is None:
                return
            # Tags compare in any case: "ML" typed on a paper tagged "ml" is no change.
            wanted = {t.casefold() for t in tags}
            shared_folded = {t.casefold() for t in shared}
            added = [t for t in tags if t.casefold() not in shared_folded]
            gone = {t.casefold() for t in shared} - wanted
            new = {}
            for paper in papers:
                state = store.state(paper.key)
                kept = tuple(t for t in state.tags if t.casefold() not in gone)
                have = {t.casefold() for t in kept}
                new[paper.key] = replace(state, tags=kept + tuple(t for t in added if t.casefold() not in have))
            label = f"Tagged {len(papers)} paper{'s' if len(papers) != 1 else ''}: " + " ".join(f"#{t}" for t in tags)
            self.change_states(label, new)

        self.app.push_screen(TagPrompt(current, list(self.queue.tag_unread), len(papers)), done)

    def action_edit_note(self) -> None:
        paper = self.paper_list.paper
        if paper is None or self.store is None:
            return
        from paperqueue.ui.screens.note_editor import NoteEditor

        store = self.store

        def done(note: str | None) -> None:
            if note is not None:
                self.change_states("Edited the note on 1 paper", {paper.key: replace(store.state(paper.key), note=note)})

        self.app.push_screen(NoteEditor(paper.display_title, store.state(paper.key).note), done)

    def action_copy_menu(self) -> None:
        papers = self.targets()
        if not papers:
            return
        from paperqueue.ui.screens.copy_menu import CopyMenu

        def chosen(form: str | None) -> None:
            if form:
                self.app.copy_forms(form, papers)

        self.app.push_screen(CopyMenu(len(papers)), chosen)

