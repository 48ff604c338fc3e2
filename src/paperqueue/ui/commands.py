"""Command palette entries for every key of the main screen.

The palette is built from the same ``Binding`` objects as the keys and the
Footer, so it cannot drift from them. Only paperqueue's own keys are listed
(those with a tooltip, the palette's title); Textual's inherited ones
(scroll left, focus next ...) are not commands anyone looks for. A binding
that runs an ``app.`` action is the App's to list (it yields its own, so it
is not listed twice), and a title met twice is listed once.

The palette reads titles and help texts as Textual markup: ``[`` is escaped,
so a ``[Title](url)`` in a description shows as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode


def literal(text: str) -> str:
    """``text`` as Textual markup that shows it unchanged."""
    return text.replace("\\", "\\\\").replace("[", "\\[")


def key_names(target: DOMNode, binding: Binding) -> str:
    """The binding's keys as the footer writes them (``?``, ``/``, ``^r``)."""
    if binding.key_display:
        return binding.key_display
    app = target.app
    return " / ".join(app.get_key_display(Binding(key.strip(), binding.action)) for key in binding.key.split(","))


def binding_commands(*targets: DOMNode) -> Iterable[SystemCommand]:
    """One palette command per paperqueue binding of each target, titled by its tooltip."""
    seen: set[str] = set()
    for target in targets:
        classes = [cls for cls in type(target).__mro__ if cls.__module__.startswith("paperqueue.")]
        for binding in (b for cls in classes for b in cls.__dict__.get("BINDINGS", ())):
            if not isinstance(binding, Binding) or not binding.tooltip or binding.action.startswith("app."):
                continue
            if binding.tooltip in seen:
                continue
            seen.add(binding.tooltip)
            keys = literal(key_names(target, binding))
            yield SystemCommand(literal(binding.tooltip), f"key: {keys}", partial(target.run_action, binding.action))
