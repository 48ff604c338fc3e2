"""The main screen's footer: the keys that fit the terminal's width, so
`? Help` and `q Quit` are never cut (Textual's Footer cuts the row at the
right edge, `q Quit` first). What does not fit is dropped: first the keys
that reach the network (``DROP_FIRST``), then the other keys that are not
essential, from the right, and in a terminal too narrow even for the
essentials, those in ``ESSENTIAL``'s order. Every key stays in the help
screen (`?`) and the command palette."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KEPT = {"app.help", "help", "quit"}
# In the order they go when even these do not fit (find, next match and
# abstract are the full text's own, F).
ESSENTIAL = ("read_and_next", "next_match(1)", "abstract", "toggle_read", "toggle_star", "search", "find")
DROP_FIRST = ("pdf", "full_text", "fetch")


def key_width(key: FooterKey) -> int:
    """Cells a key takes in the footer: ``␣k␣Description␣``."""
    return cell_len(key.key_display) + cell_len(key.description) + 3


def fitting(keys: list[tuple[str, int]], room: int) -> frozenset[str]:
    """The actions of ``keys`` (action and width, in footer order) that are
    shown in ``room`` cells."""
    widths = dict(keys)
    total = sum(widths.values())
    droppable = [action for action in DROP_FIRST if action in widths]
    droppable += [action for action, _ in reversed(keys) if action not in (*KEPT, *ESSENTIAL, *DROP_FIRST)]
    droppable += [action for action in ESSENTIAL if action in widths]
    for action in droppable:
        if total <= room:
            break
        total -= widths.pop(action)
    return frozenset(widths)


class QueueFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._keys: list[tuple[str, int]] = []  # every key the bindings offer (action, width)
        self._palette = 0  # the width of the docked ^p palette key
        self._shown: frozenset[str] | None = None

    def _fitting(self) -> frozenset[str]:
        return fitting(self._keys, self.app.size.width - self._palette)

    def compose(self):
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        self._keys = [(key.action, key_width(key)) for key in keys]
        self._palette = sum(key_width(w) for w in widgets if isinstance(w, FooterKey) and w.has_class("-command-palette"))
        self._shown = self._fitting()
        for widget in widgets:
            if widget in keys and widget.action not in self._shown:
                continue
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        if self._shown is not None and self._fitting() != self._shown:
            self.refresh(recompose=True)
