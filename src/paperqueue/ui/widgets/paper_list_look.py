"""How the paper list draws a row: the styles of one theme, focus and
colour depth worked out once (:class:`Look`), and the fitting of titles,
words and tags into a row's cells. No widget here: :mod:`.paper_list`
uses these for every row it draws."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color as TextualColor
from textual.scroll_view import ScrollView

class Look(NamedTuple):
    """The row styles for one theme, focus and colour depth (worked out once,
    not per row): ``cursor`` and ``selected`` are laid over every cell of
    their rows, so their background wins over each part's own."""

    system: object
    base: Style
    unread: Style
    read: Style
    stale: Style
    star: Style
    note: Style
    mark: Style
    tags: Style
    cursor: Style
    selected: Style


def _seen(color: Color | None, system: ColorSystem | None) -> tuple:
    """What a terminal of ``system`` shows for ``color``; truecolor is
    compared on the 256-colour scale (a smaller difference is not seen)."""
    if color is None or color.is_default:
        return ("default",)
    if system is None or system is ColorSystem.TRUECOLOR:
        system = ColorSystem.EIGHT_BIT
    down = color.downgrade(system)
    return (down.type, down.number, down.triplet)


def _theme_color(widget: ScrollView, name: str) -> Color | None:
    value = widget.app.theme_variables.get(name)
    if not value:
        return None
    try:
        return TextualColor.parse(value.split()[0]).rich_color
    except Exception:  # noqa: BLE001 - a theme's odd value: try the next colour
        return None


def _contrast(background: Color) -> Color:
    """Text colour for a row drawn on ``background``."""
    if background.triplet is None:  # an ANSI colour: its look is the terminal's choice
        return Color.parse("black") if background.number in (3, 6, 7, 10, 11, 14, 15) else Color.parse("bright_white")
    return TextualColor.from_rich_color(background).get_contrast_text(1.0).rich_color


def make_look(widget: ScrollView, system: ColorSystem | None) -> Look:
    base = widget.rich_style

    def part(name: str) -> Style:
        """A component's colour (worked out against the list's background,
        as Textual does) and text style, without its background."""
        color = widget.get_component_rich_style(name).color
        return Style(color=color) + widget.get_component_rich_style(name, partial=True).without_color

    unread = base + part("paper-list--unread")
    read = base + part("paper-list--read")
    stale = part("paper-list--stale")
    star = base + part("paper-list--star")
    tags = base + part("paper-list--tags")
    note = base + part("paper-list--note")
    mark = base + part("paper-list--selected-mark")
    plain = _seen(base.bgcolor, system)
    texts = [s.color for s in (unread, read, base + stale, star, tags, note, mark)]

    # The cursor: the theme's own cursor colours (as Textual's lists use),
    # or, where this terminal cannot tell them from the plain rows, the
    # theme's focused cursor, then its primary colour, then reversed rows.
    full = widget.get_component_rich_style("paper-list--cursor")
    attributes = widget.get_component_rich_style("paper-list--cursor", partial=True).without_color
    candidates: list[tuple[Color | None, Color | None]] = [(full.color, full.bgcolor)]
    for name in ("block-cursor-background", "primary", "accent"):
        color = _theme_color(widget, name)
        if color is not None:
            candidates.append((None, color))
    cursor = Style(reverse=True) + attributes
    for fg, bg in candidates:
        if bg is None or _seen(bg, system) == plain:
            continue
        fg = fg if fg is not None and _seen(fg, system) != _seen(bg, system) else _contrast(bg)
        cursor = Style(color=fg, bgcolor=bg) + attributes
        break

    # Selected rows: their own background, unlike the plain rows' and the
    # cursor's; the parts keep their colours where they stay readable on it.
    avoid = {plain, _seen(cursor.bgcolor, system)}
    chosen = widget.get_component_rich_style("paper-list--selected").bgcolor
    if chosen is None or _seen(chosen, system) in avoid:
        chosen = None
        for name in ("secondary", "primary", "accent", "success", "warning", "error"):
            color = _theme_color(widget, name)
            if color is not None and _seen(color, system) not in avoid:
                chosen = color
                break
    if chosen is None:
        selected = Style(underline=True)
    elif all(_seen(color, system) != _seen(chosen, system) for color in texts):
        selected = Style(bgcolor=chosen)
    else:
        selected = Style(color=_contrast(chosen), bgcolor=chosen)
    return Look(system, base, unread, read, stale, star, note, mark, tags, cursor, selected)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, with an ellipsis when it was longer."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def fit_words(lead: str, words: str, width: int) -> str:
    """``lead`` then as many whole ``words`` as fit in ``width`` cells, with
    an ellipsis when some were left out; nothing when not one fits."""
    text = lead + words
    if cell_len(text) <= width:
        return text
    shown = lead
    for word in words.split():
        if cell_len(shown) + cell_len(word) + 1 > width:  # the word and the ellipsis
            break
        shown += word + " "
    shown = shown.rstrip()
    return shown + "…" if shown != lead.rstrip() else ""


def fit_title(title: str, width: int, pad: bool) -> str:
    """The title cut to ``width``; padded to it when a column follows (the
    Similar view's words line up)."""
    fitted = _fit(title, width)
    return set_cell_size(fitted, max(0, width)) if pad else fitted


def _tags_text(tags: tuple[str, ...]) -> str:
    return "  " + " ".join(f"#{tag}" for tag in tags) if tags else ""


def tags_width(tags: tuple[str, ...], width: int) -> int:
    return min(cell_len(_tags_text(tags)), max(0, width // 3))


def tag_segments(tags: tuple[str, ...], width: int, style: Style) -> list[Segment]:
    text = _tags_text(tags)
    return [Segment(_fit(text, tags_width(tags, width)), style)] if text else []
