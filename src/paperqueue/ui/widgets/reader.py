"""The reader pane: title, what the import brought (authors, date, venue,
categories, upvotes), state, abstract, note and labelled links of one paper.

Under the note, the versions a concurrent edit on another device left
("also edited on <device> at <time>:", then that text), read from the
store's ``note-history.json`` (:mod:`paperqueue.core.sync.notes`) in a
thread worker once the paper's details are shown, and again when its note
or the file's histories changed.

Everything shown here is user text, so it is built as ``rich.text.Text``
and never parsed as markup.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar
from urllib.parse import urlsplit

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from paperqueue.core.models import Paper, PaperDetails, PaperState
from paperqueue.core.text import clean_text
from paperqueue.ui.widgets.fulltext_view import FullTextView


class _Part(Static):
    """One part of the reader (title, meta, abstract, note, links)."""

    DEFAULT_CLASSES = "reader-part"

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:  # noqa: ANN001
        # A part does not scroll: its new size moves nothing that the layout
        # pass that gave it did not already place. Textual would lay the whole
        # screen out again (and repaint the reader twice per paper) for it.
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class Reader(VerticalScroll, can_focus=False):
    DEFAULT_CLASSES = "pane"
    # F: the full text takes the pane's place of the parts (and back).
    DEFAULT_CSS = """
    Reader > FullTextView { display: none; }
    Reader.-fulltext > FullTextView { display: block; }
    Reader.-fulltext > .reader-part { display: none; }
    """

    EMPTY: ClassVar[str] = "Nothing to read in this view."

    def __init__(self, *, id: str | None = None, full_text: bool = False) -> None:
        super().__init__(id=id)
        self._full_text = full_text  # holds a FullTextView (F): the queue screen's reader
        self._shown: Paper | None = None
        self._measured = False  # the parts were measured again once the pane had its size
        self._note = ""  # the note shown
        self._history: list = []  # the shown paper's other note versions (NoteVersion), once loaded
        self._history_asked: tuple | None = None  # (paper, note, histories saved) last asked for

    def compose(self):
        yield _Part(id="reader-title")
        yield _Part(id="reader-meta")
        yield _Part(id="reader-abstract")
        yield _Part(id="reader-note")
        yield _Part(id="reader-links")
        if self._full_text:
            yield FullTextView(id="reader-fulltext")

    def show_full_text(self, on: bool) -> None:
        """The full text (``F``) instead of the abstract, or back."""
        if on == self.has_class("-fulltext"):
            return
        self.set_class(on, "-fulltext")
        self.scroll_home(animate=False)
        self.border_title = "Full text" if on else None
        self.border_subtitle = None

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:  # noqa: ANN001
        # The pane's new scrollable height sets its scrollbar, and scrolling
        # is bounded by it, without a second layout pass of the whole screen;
        # a scrollbar that appears or goes asks for its own layout (Textual's
        # show_vertical_scrollbar is a layout reactive).
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def show(self, paper: Paper | None, state: PaperState | None, details: PaperDetails | None, *,
             pending: bool = False, why: str = "", in_body: bool = False) -> None:
        """Show ``paper``; ``details`` ``None`` means the abstract is still loading;
        ``pending``: ``add`` landed it by id alone (offline), a fetch fills it in;
        ``why``: in For you, the words that pushed it up; ``in_body``: the
        search found its words in the paper's full text (not its title or
        abstract)."""
        title = self.query_one("#reader-title", Static)
        meta = self.query_one("#reader-meta", Static)
        abstract = self.query_one("#reader-abstract", Static)
        links = self.query_one("#reader-links", Static)
        note = self.query_one("#reader-note", Static)
        if paper is None or state is None:
            title.update(Text(self.EMPTY))
            for widget in (meta, abstract, links, note):
                widget.update("")
            note.set_class(True, "-empty")  # its bar would stand alone
            return
        if paper is not self._shown:
            self._history = []  # another paper's versions are never shown under this one
        self._note = state.note
        self._show_note()
        title.update(Text(paper.display_title))
        meta.update(_meta(paper, state, details, pending, why, in_body))
        if details is None:
            abstract.update(Text("Loading the abstract…", style="dim"))
        else:
            abstract.update(Text(details.abstract or "(no abstract)"))
        links.update(_links_block(paper, details))
        # Measure the parts again after this frame, until the pane has had
        # its size: an update made in the same frame as the pane's first
        # layout kept one-line heights (seen when the abstract came from the
        # cache at start). Later, once is enough: a second measuring on
        # every move cost a second layout pass and repaint of the reader.
        if not self._measured:
            self.call_after_refresh(self._measure_again)
        if paper is not self._shown:
            self._shown = paper
            self.scroll_home(animate=False)
        if details is not None:
            self._ask_history(paper)

    def _show_note(self) -> None:
        note = self.query_one("#reader-note", Static)
        text = note_text(self._note, self._history)
        note.set_class(not text, "-empty")
        note.update(text)

    def _ask_history(self, paper: Paper) -> None:
        """Load ``paper``'s other note versions in a worker, unless they were
        asked for with this note since the histories were last saved."""
        store = self.app.store  # the reader is only ever in the PaperQueueApp
        if store is None:
            return
        from paperqueue.core.sync import notes

        asked = (paper, self._note, notes.saved_generation())
        if asked == self._history_asked:
            return
        self._history_asked = asked
        self.run_worker(partial(self._load_history, store.home, paper, not store.read_only), thread=True,
                        exclusive=True, group="reader-note-history", exit_on_error=False)

    def _load_history(self, home, paper: Paper, may_set_aside: bool) -> None:  # noqa: ANN001 - a Path
        from textual.worker import get_current_worker

        from paperqueue.core.sync.notes import load_note_history

        versions = load_note_history(home, paper.key, set_aside=may_set_aside)
        if get_current_worker().is_cancelled:
            return
        try:
            self.app.call_from_thread(self._history_loaded, paper, versions)
        except RuntimeError:
            pass  # the app has stopped

    def _history_loaded(self, paper: Paper, versions: list) -> None:
        if paper is not self._shown or versions == self._history:
            return
        self._history = versions
        self._show_note()

    def _measure_again(self) -> None:
        for part in self.query(Static):
            part.refresh(layout=True)
        if self.size.width and self.size.height:
            self._measured = True

    def page(self, direction: int) -> None:
        """A page down or up at once: each J of a burst moves a page further
        (Textual's own page scroll starts from the position last drawn)."""
        self.scroll_relative(y=direction * max(1, self.scrollable_content_region.height), animate=False, immediate=True)


def note_text(note: str, history: list) -> Text | str:
    """The note part: the note, then each version a concurrent edit left
    ("also edited on laptop at 2026-03-13T09:00:00Z:" and its text)."""
    if not note and not history:
        return ""
    text = Text.assemble(("Note\n", "bold"), clean_text(note) if note else ("(no note)", "dim"))
    for version in history:
        text.append("\n\n")
        text.append(_plain(version.describe()) + ":", style="italic dim")
        text.append("\n")
        text.append(clean_text(version.text))
    return text


AUTHORS_SHOWN = 3  # more than this: the first three, then "et al."


def short_authors(authors: tuple[str, ...]) -> str:
    """``A, B, C`` or, when there are more, ``A, B, C et al.``."""
    names = [_plain(name) for name in authors[: AUTHORS_SHOWN + 1]]
    names = [name for name in names if name]
    if len(authors) > AUTHORS_SHOWN:
        return ", ".join(names[:AUTHORS_SHOWN]) + " et al."
    return ", ".join(names)


def _plain(value: object) -> str:
    """An imported value as one line of text (a record may hold anything)."""
    return " ".join(clean_text(str(value)).split()) if value is not None else ""


def _joined(parts: list[tuple[str, str]]) -> Text:
    text = Text()
    for index, (label, style) in enumerate(parts):
        if index:
            text.append(" · ", style="dim")
        text.append(label, style=style)
    return text


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


PENDING = "details pending: the next fetch fills them in"


WHY_LEAD = "for you because: "


IN_BODY = "¶ matched in the full text (F reads it)"


def _meta(paper: Paper, state: PaperState, details: PaperDetails | None, pending: bool = False, why: str = "",
          in_body: bool = False) -> Text:
    """Authors, then date, venue, categories and counts (as imported), then
    the person's state: one line each, the first two only when known; for
    a paper added offline, first, that its details are pending; in For you,
    last, the words that pushed it up."""
    lines: list[Text] = [Text(PENDING, style="italic yellow")] if pending else []
    if details is not None:
        if details.authors:
            lines.append(Text(short_authors(details.authors), style="italic"))
        about: list[tuple[str, str]] = []
        if details.published:
            about.append((_plain(details.published)[:10], ""))
        if details.venue:
            about.append((_plain(details.venue), "bold"))
        if details.categories:
            about.append((" ".join(_plain(c) for c in details.categories), "cyan"))
        if isinstance(details.upvotes, int) and not isinstance(details.upvotes, bool):
            about.append(("▲ " + _plural(details.upvotes, "upvote"), "yellow"))
        if isinstance(details.comments, int) and not isinstance(details.comments, bool):
            about.append((_plural(details.comments, "comment"), "dim"))
        if about:
            lines.append(_joined(about))
    lines.append(_meta_line(paper, state))
    if why:
        lines.append(Text.assemble((WHY_LEAD, "dim"), (_plain(why), "green")))
    if in_body:
        lines.append(Text(IN_BODY, style="italic green"))
    return Text("\n").join(lines)


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
    return _joined(parts)


def link_label(url: str) -> str:
    """What a link is, from its address: arXiv, PDF, DOI, Search arXiv,
    GitHub, Hugging Face, Project page, or Web page."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:  # a bracketed host that is not one
        return "Web page"
    path = parts.path.lower()
    if path.endswith(".pdf") or (host.endswith("arxiv.org") and path.startswith("/pdf/")):
        return "PDF"
    if host.endswith("arxiv.org"):
        return "Search arXiv" if path.startswith("/search") else "arXiv"
    if host in ("doi.org", "dx.doi.org"):
        return "DOI"
    if host == "github.com":
        return "GitHub"
    if host == "gitlab.com":
        return "GitLab"
    if host.endswith("huggingface.co"):
        return "Hugging Face"
    if host.endswith((".github.io", ".gitlab.io")) or "project" in path:
        return "Project page"
    return "Web page"


def _links(paper: Paper, details: PaperDetails | None) -> list[str]:
    """The paper's links, primary first, then its DOI (when the primary is
    the arXiv page and no link is the DOI) and its PDF (when known)."""
    links = paper.all_links
    if paper.arxiv_id and paper.doi and not any(link_label(link) == "DOI" for link in links):
        links.insert(1, Paper(key="", title="", doi=paper.doi).primary_link)
    pdf = details.pdf_url if details is not None else None
    if isinstance(pdf, str) and pdf not in links and pdf.startswith(("http://", "https://")):
        pdf = _plain(pdf)
        links.insert(2 if len(links) > 1 and link_label(links[1]) == "DOI" else 1, pdf)
    return links


def _links_block(paper: Paper, details: PaperDetails | None) -> Text:
    text = Text("Links\n", style="bold")
    links = _links(paper, details)
    labels = [link_label(url) for url in links]
    width = max(len(label) for label in labels) + 1
    for label, url in zip(labels, links):
        text.append(label.ljust(width), style="dim")
        # A click runs the app's open action (the URL passed as a Python
        # literal, so nothing in it can become part of the action).
        text.append(url, style=Style(underline=True, meta={"@click": f"app.open_url({url!r})"}))
        text.append("\n")
    text.rstrip()
    return text
