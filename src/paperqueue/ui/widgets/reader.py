"""The reader pane: title, state, abstract and links of one paper.

Everything shown here is user text, so it is built as ``rich.text.Text``
and never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from paperqueue.core.models import Paper, PaperDetails, PaperState
from paperqueue.core.text import clean_text


class Reader(VerticalScroll, can_focus=False):
    DEFAULT_CLASSES = "pane"

    EMPTY: ClassVar[str] = "Nothing to read in this view."

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: Paper | None = None

    def compose(self):
        yield Static(id="reader-title")
        yield Static(id="reader-meta")
        yield Static(id="reader-abstract")
        yield Static(id="reader-note")
        yield Static(id="reader-links")

    def show(self, paper: Paper | None, state: PaperState | None, details: PaperDetails | None) -> None:
        """Show ``paper``; ``details`` ``None`` means the abstract is still loading."""
        title = self.query_one("#reader-title", Static)
        meta = self.query_one("#reader-meta", Static)
        abstract = self.query_one("#reader-abstract", Static)
        links = self.query_one("#reader-links", Static)
        note = self.query_one("#reader-note", Static)
        if paper is None or state is None:
            title.update(Text(self.EMPTY))
            for widget in (meta, abstract, links, note):
                widget.update("")
            return
        if state.note:
            note.update(Text.assemble(("Note\n", "bold"), clean_text(state.note)))
        else:
            note.update("")
        title.update(Text(paper.display_title))
        meta.update(_meta_line(paper, state))
        if details is None:
            abstract.update(Text("Loading the abstract…", style="dim"))
        else:
            abstract.update(Text(details.abstract or "(no abstract)"))
        links.update(_links_block(paper))
        # Measure the parts again after this frame: an update made in the
        # same frame as the pane's first layout kept one-line heights
        # (seen when the abstract came from the cache at start).
        self.call_after_refresh(self._measure_again)
        if paper is not self._shown:
            self._shown = paper
            self.scroll_home(animate=False)

    def _measure_again(self) -> None:
        for part in self.query(Static):
            part.refresh(layout=True)

    def page(self, direction: int) -> None:
        if direction > 0:
            self.scroll_page_down(animate=False)
        else:
            self.scroll_page_up(animate=False)


def _meta_line(paper: Paper, state: PaperState) -> Text:
    parts: list[tuple[str, str]] = []
    parts.append(("★ starred" if state.starred else "☆ not starred", "bold yellow" if state.starred else "dim"))
    parts.append(("✓ read" if state.read else "● unread", "green" if state.read else "bold"))
    if paper.arxiv_id:
        parts.append((f"arXiv:{paper.arxiv_id}", "cyan"))
    if paper.added_at:
        parts.append((f"added {paper.added_at[:10]}", "dim"))
    for tag in state.tags:
        parts.append((f"#{tag}", "magenta"))
    text = Text()
    for index, (label, style) in enumerate(parts):
        if index:
            text.append("  ·  ", style="dim")
        text.append(label, style=style)
    return text


def _links_block(paper: Paper) -> Text:
    text = Text("Links\n", style="bold")
    for index, url in enumerate(paper.all_links):
        label = "arXiv " if index == 0 else "      "
        text.append(label, style="dim")
        # A click runs the app's open action (the URL passed as a Python
        # literal, so nothing in it can become part of the action).
        text.append(url, style=Style(underline=True, meta={"@click": f"app.open_url({url!r})"}))
        text.append("\n")
    text.rstrip()
    return text
