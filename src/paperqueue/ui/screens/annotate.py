"""Tags, notes, the copy menu and exports: the keys that annotate papers
or copy them in other forms. A base class of the queue screen (after the triage
keys), so these keys live with the state they change."""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.binding import Binding

from paperqueue.core.views import tag_view, view_tag
from paperqueue.ui.screens.triage import TriageScreen


class AnnotateScreen(TriageScreen):
    BINDINGS = [
        Binding("t", "edit_tags", "Tags", show=False, tooltip="Edit tags (of the selection, if any)"),
        Binding("T", "cycle_tag", "Tag view", show=False, tooltip="View the next tag"),
        Binding("e", "edit_note", "Note", show=False, tooltip="Edit the note on the paper"),
        Binding("c", "copy_menu", "Copy…", show=False, tooltip="Copy menu: link, id, Markdown, BibTeX, title, all links"),
        Binding("W", "export_menu", "Export…", show=False,
                tooltip="Export the view (or the selection) as BibTeX, Markdown, JSON or CSV: a download in a browser, else a file in Downloads"),
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
        from paperqueue.ui.screens.menus import CopyMenu

        def chosen(form: str | None) -> None:
            if form:
                self.app.copy_forms(form, papers)

        self.app.push_screen(CopyMenu(len(papers)), chosen)


    def action_export_menu(self) -> None:
        queue = self.queue
        if queue is None or self.store is None:
            return
        selected = self.selected_shown()
        papers = selected or list(queue.rows)
        if not papers:
            self.notify("Nothing to export: this view shows no papers", timeout=3)
            return
        from paperqueue.ui.screens.menus import ExportMenu

        count = f"{len(papers):,} paper{'s' if len(papers) != 1 else ''}"
        what = f"the {count} selected" if selected else f"this view's {count}"
        where = "(a download)" if self.app.is_web else "(a file in Downloads)"

        def chosen(fmt: str | None) -> None:
            if fmt:
                self._export(fmt, papers, queue.view)

        self.app.push_screen(ExportMenu(what, where), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, fmt: str, papers: list, view: str) -> None:
        from paperqueue.ui import exports

        store = self.store
        if store is None:
            return
        text = exports.export_text(store, papers, fmt)
        name = exports.export_name(view, fmt)
        count = f"{len(papers):,} paper{'s' if len(papers) != 1 else ''}"
        if self.app.is_web:
            self.app.call_from_thread(self._deliver, text, name, fmt, count)
            return
        try:
            path = exports.save_export(text, name, exports.downloads_folder())
        except OSError as error:
            message = f"Could not export: {error.strerror or error}" + (f" ({error.filename})" if error.filename else "")
            self.app.call_from_thread(lambda: self.notify(message, severity="error", markup=False, timeout=8))
            return
        self.app.call_from_thread(lambda: self.notify(f"Exported {count} to {path}", markup=False, timeout=6))

    def _deliver(self, text: str, name: str, fmt: str, count: str) -> None:
        import io

        from paperqueue.ui.exports import MIME_TYPES

        self.app.deliver_text(io.StringIO(text), save_filename=name, mime_type=MIME_TYPES[fmt], encoding="utf-8")
        self.notify(f"Exported {count}: the browser downloads {name}", markup=False, timeout=5)
