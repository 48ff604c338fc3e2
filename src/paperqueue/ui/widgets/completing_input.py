"""An input whose `tab` cycles through completions (the first, then the
next on every further tab), telling its screen which ones there are so it
can show them. Keys are handled in the order they arrive: a burst from a
paste or tmux (`ab<BS>c<tab>`) lands as typed, where Input's own bindings
would run after the letters."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import Input


class CompletingInput(Input):
    class Candidates(Message):
        """The completions `tab` goes through (whole values) and the one shown."""

        def __init__(self, names: list[str], current: int) -> None:
            super().__init__()
            self.names = names
            self.current = current

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cycle: tuple[list[str], int] | None = None

    async def completions(self, value: str) -> list[str]:
        """Every completion of ``value``, as whole values, in order."""
        raise NotImplementedError

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "backspace":
            event.stop()
            event.prevent_default()
            self.action_delete_left()
            return
        if event.key != "tab":
            return
        event.stop()
        event.prevent_default()
        cycle = self._cycle
        if cycle is not None and 0 <= cycle[1] < len(cycle[0]) and cycle[0][cycle[1]] == self.value:
            names, index = cycle[0], (cycle[1] + 1) % len(cycle[0])
        else:
            names, index = await self.completions(self.value), 0
        if not names:
            self._cycle = None
            self.post_message(self.Candidates([], -1))
            return
        self._cycle = (names, index)
        self.value = names[index]
        self.cursor_position = len(self.value)
        self.post_message(self.Candidates(names, index))


def candidates_line(labels: list[str], current: int) -> Content:
    """``3 matches (tab: next): a  b  c`` with the current one reversed
    (empty for fewer than two: nothing to choose between)."""
    if len(labels) < 2:
        return Content("")
    parts = [Content.styled(f"{len(labels):,} matches (tab: next):", "$text-muted")]
    for i, label in enumerate(labels):
        parts += [Content(" " if cell_len(label) else ""), Content.styled(label, "reverse" if i == current else "")]
    return Content.assemble(*parts)
