"""The sidebar (issue 10 item 7): one meaning for every count (unread, with
the total when it differs), batch names that keep their date and what
tells them apart, tags that do not push the batches out of sight, and a
width that follows the terminal's."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len

from paperqueue.ui.widgets.sidebar import LEGEND, Sidebar
from paperqueue.ui.widgets.sidebar_rows import batch_label, count_text, cut_middle

from pilot_helpers import make_app, paper_list, queue_screen, settle, wait_loaded
from sidebar_queue import IMPORTS, build_many


def rows(app) -> list[str]:
    return [line.strip() for line in str(app.screen.query_one(Sidebar).render()).split("\n")]


def row(app, start: str) -> str:
    found = [line for line in rows(app) if line.startswith(start)]
    assert len(found) == 1, (start, rows(app))
    return found[0]


def current_row(app) -> str:
    """The row drawn reversed (the view shown)."""
    text = app.screen.query_one(Sidebar).render()
    lines = text.split("\n")
    current = [line.plain.strip() for line in lines if any("reverse" in str(span.style) for span in line.spans)]
    assert len(current) == 1, [line.plain for line in lines]
    return current[0]


# -- counts -------------------------------------------------------------------


def test_a_count_is_unread_with_the_total_when_it_differs() -> None:
    assert count_text(3, 12) == "3/12"
    assert count_text(79, 79) == "79"
    assert count_text(0, 4) == "0/4"
    assert count_text(42005, 76012) == "42,005/76,012"


async def test_every_row_counts_unread_of_total(pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")
    app = make_app(pq_home)
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_loaded(pilot)
        bar = app.screen.query_one(Sidebar)
        assert bar.border_title == LEGEND == "unread/total"
        assert row(app, "1 Inbox").endswith(" 55")
        assert row(app, "2 Starred").endswith(" 0")
        assert row(app, "3 Read").endswith(" 0/24")
        assert row(app, "4 All").endswith(" 55/79")
        # Tagged only on read papers: the view holds 4 papers, none unread.
        assert row(app, "#done").endswith(" 0/4")
        assert row(app, "#agents").endswith(" 4/7")
        assert row(app, "reading group").endswith(" 4/5")
        await pilot.press("T")  # the first tag: #3d, 2 unread of 3
        assert row(app, "#3d").endswith(" 2/3")
        screen = queue_screen(app)
        assert len(screen.queue) == 3
        unread = [p for p in screen.queue.rows if not screen.queue.state(p).read][0]
        paper_list(app).move_to(screen.queue.row_of(unread.key))
        await pilot.press("s")  # starred, still unread
        assert row(app, "2 Starred").endswith(" 1")
        await pilot.press("r")  # now read
        await settle(pilot)
        assert row(app, "#3d").endswith(" 1/3")
        assert row(app, "2 Starred").endswith(" 0/1")
        assert row(app, "3 Read").endswith(" 0/25")
        assert row(app, "4 All").endswith(" 54/79")
        await pilot.press("x")  # removed: out of every total
        await settle(pilot)
        assert row(app, "#3d").endswith(" 1/2")
        assert row(app, "4 All").endswith(" 54/78")
        assert row(app, "2 Starred").endswith(" 0")


# -- names ----------------------------------------------------------------------


def test_batch_names_keep_their_date_at_every_width() -> None:
    names = [f"{file} {day}" if name is None else name for file, day, name in IMPORTS]
    for cells in range(10, 40):
        for n, name in enumerate(names):
            others = names[:n] + names[n + 1:]
            for year in (True, False):
                label = batch_label(name, cells, others, year)
                assert cell_len(label) <= cells, (label, cells)
                if name != "reading group":
                    day = name[-10:] if year else name[-5:]
                    if cells >= len(day):
                        assert label.endswith(day), (label, cells)
    # Two batches of one day told apart by their middle keep it.
    lg = "arxiv_cs.LG_recent_submissions.atom 2026-02-26"
    cl = "arxiv_cs.CL_recent_submissions.atom 2026-02-26"
    for cells in range(12, 30):
        assert "LG" in batch_label(lg, cells, [cl], False) and "CL" in batch_label(cl, cells, [lg], False), cells
    # The middle is cut, not the end.
    assert batch_label("trending-papers.txt 2026-03-13", 17, ["later.txt 2026-03-13"], False) == "trend…s.txt 03-13"


def test_names_are_cut_in_the_middle_in_cells() -> None:
    assert cut_middle("thesis-chapter-2", 9, (15, 16)) == "thes…er-2"
    assert cut_middle("short", 9) == "short"
    for name in ("日本語の論文バッチ", "👩‍💻 emoji batch", "plain batch name that is long"):
        for cells in range(1, 20):
            assert cell_len(cut_middle(name, cells)) <= cells


def test_sidebar_lines_are_the_width_of_the_pane_with_a_total() -> None:
    bar = Sidebar()
    line = bar._line(" #日本語の論文", 1234, False, 24, 5678)
    assert cell_len(line.plain) == 24 and line.plain.endswith("1,234/5,678 ")


async def test_batch_rows_keep_their_dates_at_24_columns(pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")
    app = make_app(pq_home)
    async with app.run_test(size=(120, 60)) as pilot:
        await wait_loaded(pilot)
        assert app.screen.query_one(Sidebar).size.width == 22  # 24 with the border
        drawn = rows(app)
        start = drawn.index("Batches (b)") + 1
        batch_rows = drawn[start:start + len(IMPORTS)]
        for (file, day, name), line in zip(reversed(IMPORTS), batch_rows):
            assert (name or day[5:]) in line, (line, file, day)
        assert len(set(batch_rows)) == len(batch_rows), "every row tells its batch apart"


# -- sections ---------------------------------------------------------------------


async def test_many_tags_leave_the_batches_in_sight_and_the_window_follows_keys(pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")
    app = make_app(pq_home)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_loaded(pilot)
        drawn = rows(app)
        assert len(drawn) <= app.screen.query_one(Sidebar).size.height
        assert "Batches (b)" in drawn and any(line.startswith("trend") for line in drawn)
        assert any(line.startswith("↓") and line.endswith("more") for line in drawn[drawn.index("Tags (T)"):])
        screen = queue_screen(app)
        tags = list(screen.queue.tag_unread)
        for tag in tags:  # T through every tag: its row is always drawn, as the current one
            await pilot.press("T")
            assert screen.queue.view == f"tag:{tag}"
            assert current_row(app).startswith(f"#{tag[:3]}"), (tag, rows(app))
            assert "Batches (b)" in rows(app)
        for _file, day, name in IMPORTS:  # B from the oldest batch to the newest
            await pilot.press("B")
            assert (name or day[5:]) in current_row(app), rows(app)
            assert "Tags (T)" in rows(app)


async def test_a_click_on_more_shows_the_hidden_rows(pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")
    app = make_app(pq_home)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_loaded(pilot)
        drawn = rows(app)
        more = next(n for n, line in enumerate(drawn) if line.startswith("↓") and n > drawn.index("Tags (T)"))
        hidden_before = int(drawn[more].split()[1])
        await pilot.click(Sidebar, offset=(4, more + 1))  # +1: the border
        drawn = rows(app)
        assert drawn[drawn.index("Tags (T)") + 1].startswith("↑"), drawn
        after = [line for line in drawn if line.startswith("↓")]
        assert int(after[0].split()[1]) < hidden_before
        assert queue_screen(app).queue.view == "all", "a click on 'more' does not change the view"


# -- width ---------------------------------------------------------------------------


async def test_the_sidebar_widens_with_the_terminal(pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        bar = app.screen.query_one(Sidebar)
        assert bar.outer_size.width == 24
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        assert 32 <= bar.outer_size.width <= 36
        assert any(line.startswith("trending-papers.txt 03-12") for line in rows(app)), "the whole file name"
        await pilot.press("j", "j")
        assert 32 <= bar.outer_size.width <= 36, "keys do not change it"
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert bar.outer_size.width == 24


async def test_a_short_terminal_keeps_both_sections_in_the_sidebar(pq_home: Path, tmp_path: Path) -> None:
    build_many(pq_home, tmp_path / "files")
    app = make_app(pq_home)
    async with app.run_test(size=(100, 13)) as pilot:
        await wait_loaded(pilot)
        drawn = rows(app)
        assert len(drawn) <= app.screen.query_one(Sidebar).size.height, drawn
        assert "Tags (T)" in drawn and "Batches (b)" in drawn, drawn
        assert "" not in drawn, "no blank lines when the height is short"


async def test_the_list_border_keeps_a_long_batch_names_date_at_80_columns(pq_home: Path, tmp_path: Path) -> None:
    from pilot_helpers import seed_store
    from paperqueue.core.importing import import_file
    from paperqueue.core.store import Store

    page = tmp_path / "a-very-long-name-for-a-trending-papers-page.txt"
    page.write_text("A Paper\n\nIts abstract.\n")
    seed_store(pq_home)
    with Store.open(pq_home) as store:
        import_file(store, page)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("b")  # the newest batch: the long name
        await settle(pilot)
        title = str(paper_list(app).border_title)
        import re

        assert re.fullmatch(r"Batch: a-\S*….*\.txt \d{4}-\d\d-\d\d \(1\)", title), title  # cut inside, the date whole
        assert cell_len(title) <= paper_list(app).size.width - 4
