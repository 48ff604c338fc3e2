"""User text that looks like markup or carries escape codes shows literally."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import list_lines, make_app, paper_list, seed_store, settle, wait_loaded, widget_text

HOSTILE = (
    "Fix [/] bug [bold]x\n\nAn abstract with [red]markup[/red] and [link=http://x]y[/link].\n\n"
    "[@click=app.quit]\n\nClicking this must not quit.\n\n"
    "Deep Learning [cs.LG] survey \x1b[31mred\x1b[0m\n\nSurvey abstract \x1b]52;c;cHduZWQ=\x07 here.\n"
)


async def test_markup_looking_titles_render_literally(pq_home: Path, tmp_path: Path) -> None:
    page = tmp_path / "hostile.txt"
    page.write_text(HOSTILE)
    seed_store(pq_home, page)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        lines = "\n".join(list_lines(app))
        assert "Fix [/] bug [bold]x" in lines
        assert "[@click=app.quit]" in lines
        assert "Deep Learning [cs.LG] survey red" in lines
        assert "\x1b" not in lines
        assert "Fix [/] bug [bold]x" in widget_text(app, "#reader-title")
        assert "[red]markup[/red]" in widget_text(app, "#reader-abstract")
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard.startswith(r"[Fix \[/\] bug \[bold\]x](")
        await pilot.press("j")
        assert paper_list(app).paper.title == "[@click=app.quit]"
        await pilot.click("#papers", offset=(10, 1))
        await settle(pilot)
        assert app.is_running
        await pilot.press("j", "y")
        await settle(pilot)
        assert "\x1b" not in widget_text(app, "#reader-abstract")
