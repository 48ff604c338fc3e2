"""Keys typed right after a key that opens a prompt or a menu go to it.

A terminal delivers a fast burst (``t`` then ``ml``, ``A`` then ``y``) at
once, and Textual sends every key of it to the widget that had the focus on
arrival: the list. The first key pushes the prompt; the others come back up
to the app only afterwards, where they are checked against the prompt's
keys and, having no binding there, dropped: the person's letters are lost.
A screen that says when it was opened (``opened_at``, see
:class:`paperqueue.ui.screens.typing_prompt.TypingPrompt`), or a text box
that says when it took the focus (the search box after ``/``), gets such
keys sent to it again, in order, as if typed now.
"""

from __future__ import annotations

from textual import events
from textual._time import get_time
from textual.message import Message
from textual.message_pump import MessagePump


class OpenedAt:
    """Mixed into a screen: it knows when it was opened, on the clock key
    events use. A key older than the screen was typed in the same burst as
    the key that opened it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.opened_at = get_time()


class TypeAheadDrained(Message):
    """Sent down to the widget the last keys went to, it comes back up to
    the App behind every key that widget still had to hand back."""


DRAIN_WAIT = 0.5  # seconds: when the marker is lost (its widget went away), the keys go on anyway


class TypeAheadMixin:
    """Mixed into the App, before :class:`textual.app.App`.

    Keys typed before the prompt opened come back up late (see the module
    docstring); keys typed after it go straight to it. When they trickle in
    one by one (a browser sends each key in its own message, a slow SSH
    link splits a burst) the later ones would overtake the earlier. So once
    a prompt has opened, the next key waits, with every key after it, until
    a marker sent down the old path comes back up: by then every earlier
    key is back, and all of them go to the prompt in the order typed."""

    _late: list[events.Key]  # typed before the prompt opened, come back up
    _held: list[events.Key]  # arrived while those were on their way
    _draining = False
    _sent_to: MessagePump | None = None  # where the last key went
    _sent_at = 0.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._late, self._held = [], []

    def _opened_at(self) -> float | None:
        return getattr(self.screen, "opened_at", None) or getattr(self.focused, "opened_at", None)  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._draining:
                self._held.append(event)
                return
            opened_at = self._opened_at()
            target = self.focused or self.screen  # type: ignore[attr-defined]
            if opened_at is not None and self._sent_to is not None and self._sent_to is not target and self._sent_at < opened_at:
                self._held.append(event)
                self._drain()
                return
            self._sent_to, self._sent_at = target, event.time
        await super().on_event(event)  # type: ignore[misc]

    def on_key(self, event: events.Key) -> None:
        opened_at = self._opened_at()
        if opened_at is None or not event.is_forwarded or event.time >= opened_at:
            return
        # Stops App._on_key too (later in the MRO): no binding is checked twice.
        event.prevent_default()
        event.stop()
        self._late.append(event)
        self._drain()

    def _drain(self) -> None:
        """Wait for the keys still on their way up, then hand everything on."""
        if self._draining:
            return
        self._draining = True
        path = self._sent_to
        marker = TypeAheadDrained()
        if path is not None and path.is_attached and path is not self:
            path.post_message(marker)
        else:
            self.post_message(marker)  # type: ignore[attr-defined]
        self._drain_timer = self.set_timer(DRAIN_WAIT, self._hand_on)  # type: ignore[attr-defined]

    async def on_type_ahead_drained(self, message: TypeAheadDrained) -> None:
        message.stop()
        await self._hand_on()

    async def _hand_on(self) -> None:
        if not self._draining:
            return
        self._draining = False
        self._drain_timer.stop()
        keys, self._late, self._held = self._late + self._held, [], []
        for key in keys:
            fresh = events.Key(key.key, key.character)  # typed "now": the prompt's own key
            self._sent_to, self._sent_at = self.focused or self.screen, fresh.time  # type: ignore[attr-defined]
            await super().on_event(fresh)  # type: ignore[misc]
