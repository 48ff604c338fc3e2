"""The words of triage mode (:mod:`paperqueue.ui.screens.cards`): the time
it has taken and the summary after the last card."""

from __future__ import annotations

from rich.text import Text


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def elapsed_label(seconds: float) -> str:
    """``<1 min``, ``2 min``, ``1 h 5 min``."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "<1 min"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def summary_text(title: str, seen: int, cards: int, seconds: float, counts: dict[str, int], starred: int, *,
                 can_undo: bool, can_redo: bool) -> Text:
    """What changed in a triage of ``title`` (``counts``: starred, read,
    removed), and the keys that still do something there. ``title`` is
    user text (a tag's name): appended as text, never markup."""
    text = Text()
    text.append(f"Triage of {title} done", style="bold")
    text.append(f": {seen:,} of {plural(cards, 'paper')} seen, {elapsed_label(seconds)}\n\n")
    for word in ("starred", "read", "removed"):
        text.append(f"{counts[word]:>6,}  ", style="bold")
        text.append(word + "\n")
    text.append("\n")
    if starred:
        text.append("y", style="bold")
        form = "a Markdown link" if starred == 1 else "a Markdown list"
        text.append(f" copies the {plural(starred, 'starred paper')} as {form}\n")
    if can_undo:
        text.append("u", style="bold")
        text.append(" undoes the last change and goes back to its card\n")
    if can_redo:
        text.append("ctrl+r", style="bold")
        text.append(" redoes what u undid\n")
    text.append("escape", style="bold")
    text.append(" goes back to the list")
    return text
