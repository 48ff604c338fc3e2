"""A modal page to read (help, reading log): it scrolls with the list's keys
(``j``/``k``, ``g``/``G``, as well as the arrows and page keys) and has its
own footer, so the keys shown are the ones that work here."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer

SCROLL = Binding.Group("Scroll", compact=False)
ENDS = Binding.Group("Top/end", compact=False)


class ReadingPage(ModalScreen[None]):
    """Subclasses compose one ``VerticalScroll`` (the page) and a :meth:`footer`."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("j", "scroll_page(1)", "Down", group=SCROLL),
        Binding("k", "scroll_page(-1)", "Up", group=SCROLL),
        Binding("g", "page_end(0)", "Top", group=ENDS),
        Binding("G", "page_end(1)", "End", group=ENDS),
    ]

    @property
    def page(self) -> VerticalScroll:
        return self.query_one(VerticalScroll)

    @staticmethod
    def footer() -> Footer:
        return Footer()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_page(self, lines: int) -> None:
        self.page.scroll_relative(y=lines, animate=False, immediate=True)  # a burst of j: each one a line

    def action_page_end(self, end: int) -> None:
        if end:
            self.page.scroll_end(animate=False)
        else:
            self.page.scroll_home(animate=False)
