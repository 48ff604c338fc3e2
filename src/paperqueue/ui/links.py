"""Copying and opening links, for the App: the terminal clipboard (OSC 52)
at once, the system clipboard and the browser from workers (they spawn
helper processes), and the copy menu's text forms.

Served to a browser (``paperqueue serve``, ``App.is_web``) the desktop is
the browser's, not the server's: links open in a new tab of the person's
browser, and a copy goes only to the browser's clipboard (OSC 52, which
the page hands to ``navigator.clipboard``, or shows the text selected
where the browser keeps its clipboard closed)."""

from __future__ import annotations

from textual import work


class LinksMixin:
    """Mixed into the App (which provides ``store``, ``notify``, workers)."""

    def copy_text(self, text: str, label: str) -> None:
        """Copy through OSC 52 at once, and through the system clipboard too
        (served to a browser: the browser's clipboard only)."""
        self.copy_to_clipboard(text)
        if self.is_web:
            self.notify(f"Copied {label} to the browser's clipboard{_shown(text)}", markup=False, timeout=4)
            return
        self._system_copy(text, label)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def _system_copy(self, text: str, label: str) -> None:
        from paperqueue.desktop import system_copy

        outcome = system_copy(text)
        where = "clipboard" if outcome.ok else "terminal clipboard (OSC 52)"
        self.call_from_thread(self.notify, f"Copied {label} to the {where}{_shown(text)}", markup=False, timeout=4)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def copy_forms(self, form: str, papers: list) -> None:
        """The copy menu's choice, for one paper or a selection (BibTeX reads abstracts)."""
        from paperqueue.core.export import to_bibtex
        from paperqueue.core.formats import copy_text

        store = self.store
        if store is None:
            return
        bibtex = ""
        if form == "bibtex":
            bibtex = to_bibtex(store, [(p, store.details(p.key), store.state(p.key)) for p in papers])
        text = copy_text(form, papers, bibtex=bibtex)
        labels = {"link": "link", "id": "arXiv id", "markdown": "Markdown", "bibtex": "BibTeX", "title": "title", "links": "all links"}
        label = labels[form] + (f" of {len(papers)} papers" if len(papers) > 1 else "")
        if form == "id":
            with_id = sum(1 for p in papers if p.arxiv_id)
            if not with_id:
                what = "This paper has" if len(papers) == 1 else f"None of the {len(papers)} papers has"
                self.call_from_thread(self.notify, f"{what} no arXiv id: nothing copied", severity="warning", timeout=4)
                return
            if with_id < len(papers):
                label = f"arXiv ids of {with_id} of the {len(papers)} papers ({len(papers) - with_id} had none)"
        self.call_from_thread(self.copy_text, text, label)

    def action_open_url(self, url: str) -> None:
        """A click on a link in the reader."""
        self.open_link(url)

    def open_link(self, url: str) -> None:
        from paperqueue.desktop import has_graphical_session

        if self.is_web:
            self._open_in_tab(url)
            return
        if not has_graphical_session():
            self.copy_to_clipboard(url)
            self.notify(
                f"No graphical browser here (no DISPLAY, WAYLAND_DISPLAY or BROWSER); copied the link instead: {url}",
                markup=False,
                timeout=6,
            )
            return
        self._open_in_browser(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        from paperqueue.desktop import open_url

        outcome = open_url(url)
        if outcome.ok:
            self.call_from_thread(self.notify, f"Opened {url}", markup=False, timeout=3)
        else:
            self.call_from_thread(self.copy_to_clipboard, url)
            self.call_from_thread(
                self.notify, f"Could not open a browser ({outcome.detail}); copied the link instead: {url}", markup=False
            )


    def _open_in_tab(self, url: str) -> None:
        """A new tab of the browser the app is served to; only web addresses
        (a ``javascript:`` link from an imported file would run in the page)."""
        from urllib.parse import urlsplit

        if urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
            self.notify(f"Not a web address, not opened: {url}", severity="warning", markup=False, timeout=6)
            return
        self.open_url(url, new_tab=True)
        self.notify(f"Opened in a new browser tab: {url}", markup=False, timeout=3)


def _shown(text: str) -> str:
    """What a copy notification shows of the text: all of it when it is one
    short line, else how much was copied (a notification is one line)."""
    lines = text.splitlines()
    if len(lines) <= 1 and len(text) <= 100:
        return f": {text}"
    count = f"{len(lines):,} lines, " if len(lines) > 1 else ""
    return f" ({count}{len(text):,} characters)"
