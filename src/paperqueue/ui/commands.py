"""Command palette entries for every key of the main screen.

The palette is built from the same ``Binding`` objects as the keys and the
Footer, so it cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode


def binding_commands(*targets: DOMNode) -> Iterable[SystemCommand]:
    """One palette command per binding of each target, titled by its help text."""
    for target in targets:
        bindings = [b for cls in type(target).__mro__ for b in cls.__dict__.get("BINDINGS", ())]
        for binding in bindings:
            if not isinstance(binding, Binding):
                continue
            title = binding.tooltip or binding.description
            keys = binding.key_display or binding.key.replace(",", " / ")
            yield SystemCommand(title, f"key: {keys}", partial(target.run_action, binding.action))
