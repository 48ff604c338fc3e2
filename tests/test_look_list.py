"""What the paper list draws (issue 10 items 1, 8 and 13): the cursor and
the selected rows are unmistakable in every built-in theme and colour
depth, the Similar view's why-words stand in one column cut at a word, and
a paper with a note carries a mark."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.color import Color, ColorSystem
from rich.segment import Segment
from textual.strip import Strip

from pilot_helpers import list_lines, make_app, paper_list, queue_screen, seed_store, settle, wait_loaded

SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "16": ColorSystem.STANDARD,
    "Windows console (16)": ColorSystem.WINDOWS,
}


def _seen(color: Color | None, system: ColorSystem) -> tuple:
    """What a terminal of ``system`` is sent for ``color`` (truecolor is
    compared on the 256-colour scale: a difference below it is not seen)."""
    if color is None or color.is_default:
        return ("default",)
    if system is ColorSystem.TRUECOLOR:
        system = ColorSystem.EIGHT_BIT
    down = color.downgrade(system)
    return (down.type, down.number, down.triplet)


def _cells(strip: Strip) -> list[Segment]:
    return [segment for segment in strip if segment.text]


def _backgrounds(strip: Strip, system: ColorSystem) -> set[tuple]:
    return {_seen(segment.style.bgcolor if segment.style else None, system) for segment in _cells(strip)}


def _readable(strip: Strip, system: ColorSystem) -> bool:
    """Every visible character's colour differs from its background (the
    terminal's default colours, ANSI themes, are taken as readable)."""
    for segment in _cells(strip):
        if not segment.text.strip():
            continue
        style = segment.style
        assert style is not None
        fg, bg = _seen(style.color, system), _seen(style.bgcolor, system)
        if not style.reverse and fg == bg != ("default",):  # the terminal's own colours are its choice
            return False
    return True


async def test_cursor_and_selected_rows_stand_out_in_every_theme_and_colour_depth(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("v", "v", "j", "j", "v", "v", "k")  # rows 0 and 2 selected, the cursor on row 1
        await settle(pilot)
        widget = paper_list(app)
        assert widget.cursor == 1 and len(widget.selected) == 2
        problems = []
        for theme in sorted(app.available_themes):
            app.theme = theme
            for name, system in SYSTEMS.items():
                app.console._color_system = system
                for focused in (True, False):
                    if focused:
                        widget.focus()
                    else:
                        app.set_focus(None)
                    await pilot.pause()
                    selected, cursor, plain = widget.render_line(0), widget.render_line(1), widget.render_line(3)
                    where = f"{theme} {name} colours {'focused' if focused else 'not focused'}"
                    bg_selected, bg_cursor, bg_plain = (_backgrounds(s, system) for s in (selected, cursor, plain))
                    if len(bg_cursor) != 1:
                        problems.append(f"{where}: the cursor row has several backgrounds {bg_cursor}")
                    if len(bg_selected) != 1:
                        problems.append(f"{where}: a selected row has several backgrounds {bg_selected}")
                    if len(bg_plain) != 1:
                        problems.append(f"{where}: a plain row has several backgrounds {bg_plain}")
                    if bg_cursor & bg_plain or bg_cursor & bg_selected:
                        problems.append(f"{where}: the cursor row looks like the others ({bg_cursor} {bg_selected} {bg_plain})")
                    if bg_selected & bg_plain:
                        problems.append(f"{where}: a selected row looks like a plain one ({bg_selected} {bg_plain})")
                    for label, strip in (("cursor", cursor), ("selected", selected), ("plain", plain)):
                        if not _readable(strip, system):
                            problems.append(f"{where}: text on the {label} row is the colour of its background")
        app.console._color_system = ColorSystem.TRUECOLOR
        assert not problems, "\n".join(problems)


async def test_the_cursor_on_a_selected_row_still_shows_both(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("v", "j", "v", "k")  # rows 0 and 1 selected, the cursor back on row 0
        await settle(pilot)
        widget = paper_list(app)
        both, selected = widget.render_line(0), widget.render_line(1)
        assert both.text.startswith("▌") and selected.text.startswith("▌")
        assert _backgrounds(both, ColorSystem.TRUECOLOR) != _backgrounds(selected, ColorSystem.TRUECOLOR)


async def test_similar_view_why_words_stand_in_one_column_cut_at_a_word(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "j", "t", *"ml", "enter", "m")  # a tag on the first row: the column holds
        await settle(pilot)
        screen = queue_screen(app)
        assert screen.queue.view == "similar"
        lines = list_lines(app)[: len(screen.queue.rows)]
        columns = {cell_len(line[: line.index(" ~ ")]) for line in lines if " ~ " in line}
        assert len(columns) == 1, f"the why-words start at {sorted(columns)}"
        assert sum(" ~ " in line for line in lines) >= 5
        for paper, line in zip(screen.queue.rows, lines):
            words = screen.queue.why.get(paper.key, "").split()
            if " ~ " not in line:
                continue
            shown = line.split(" ~ ", 1)[1].rstrip().removesuffix("…").split()
            assert shown == words[: len(shown)], f"cut inside a word: {shown} from {words}"
            assert shown, f"no word shown for {words}"


async def test_a_paper_with_a_note_carries_a_mark_in_the_list(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        assert "✎" not in "".join(list_lines(app))
        await pilot.press("j", "e", *"check the proofs", "ctrl+s")
        await settle(pilot)
        lines = list_lines(app)
        assert "✎" in lines[1] and "✎" not in lines[0] + lines[2]
        assert lines[1].index("✎") < lines[1].index(paper_list(app).paper.title[:20])
