"""Inputs for prompts. :class:`PromptInput` handles keys in the order they
arrive: a burst from a paste or tmux (``ab<BS>c``, ``ml<enter>j``) lands as
typed, where Input's own bindings (backspace, enter) would run after the
letters; ``escape`` runs the screen's ``cancel`` action (every prompt built
on it has one). :class:`CompletingInput` adds ``tab``, cycling through
completions (the first, then the next on every further tab) and telling its
screen which ones there are so it can show them."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import Input


class PromptInput(Input):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.held: list[events.Key] | None = None  # keys typed after enter

    def release_held(self) -> None:
        """The prompt has acted on enter (closed, or stayed open to be
        corrected): the keys typed after it go where the focus is now."""
        held, self.held = self.held or [], None
        for event in held:
            self.app.post_message(events.Key(event.key, event.character))

    async def _on_key(self, event: events.Key) -> None:
        if self.held is not None:
            # Typed after enter, before the prompt acted on it: held, then
            # sent on (see release_held) to the box if the prompt stays open,
            # else to the screen under it.
            event.stop()
            event.prevent_default()
            self.held.append(event)
            return
        if not self.screen.is_current:
            # Typed after escape closed the prompt, but routed here before it
            # closed: not text; sent on to the screen on top now.
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        if event.key in ("enter", "escape", "backspace"):
            # In order: the letters typed after it must not land in the box.
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                self.held = []
                await self.run_action("submit")
            elif event.key == "escape":
                await self.run_action("screen.cancel")
            else:
                self.action_delete_left()


class CompletingInput(PromptInput):
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
        # PromptInput._on_key (later in the MRO) handles every other key.
        if event.key != "tab" or self.held is not None or not self.screen.is_current:
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
