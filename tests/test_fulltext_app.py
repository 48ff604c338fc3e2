"""P and F in the app (issue 14), against a loopback server serving a real
arXiv HTML page and a generated PDF: the full text in the reader (headings,
math), finding words in it, full screen, the place kept across a restart,
the PDF downloaded, cached and its path given when there is no display,
offline, and full-text hits in the list's search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fulltext_server import REAL, make_pdf
from hypothesis import given
from hypothesis import strategies as st
from net_server import Canned, NetServer, closed_port_url, net_server, serve_sources  # noqa: F401 - fixtures

from paperqueue.core.fulltext import FullTextCache, ReadingPositions, html_to_text
from paperqueue.core.net.client import Client
from rich.cells import cell_len
from paperqueue.ui.widgets.fulltext_rows import MEASURE, wrap_line
from paperqueue.ui.widgets.fulltext_view import FullTextView
from paperqueue.ui.widgets.reader import Reader
from test_keys_typeahead import burst
from pilot_helpers import make_app, notifications, paper_list, queue_screen, seed_store, settle, until, wait_loaded


ATTENTION = "1706.03762"
NO_HTML = "2401.00001"
PDF = make_pdf("A paper without an HTML version. The okapi estimator converges.")


def hf_row(arxiv_id: str, title: str, summary: str) -> dict:
    return {"paper": {"id": arxiv_id, "title": title, "summary": summary, "authors": [{"name": "A. Author"}],
                      "publishedAt": "2017-06-12T00:00:00.000Z"}}


@pytest.fixture
def home(pq_home: Path, tmp_path: Path) -> Path:
    """A queue of two arXiv papers: the Transformer paper first, then one without an HTML version."""
    page = tmp_path / "papers.json"
    page.write_text(json.dumps([
        hf_row(ATTENTION, "Attention Is All You Need", "The dominant sequence transduction models are recurrent."),
        hf_row(NO_HTML, "A paper without an HTML version", "Only a PDF."),
    ]))
    seed_store(pq_home, page)
    return pq_home


@pytest.fixture
def served(net_server: NetServer, monkeypatch: pytest.MonkeyPatch) -> NetServer:
    serve_sources(monkeypatch, net_server, delay=0.01)
    net_server.route(f"/html/{ATTENTION}", Canned.text(REAL.read_bytes(), "text/html; charset=utf-8"))
    net_server.route(f"/pdf/{ATTENTION}", Canned(200, PDF, {"Content-Type": "application/pdf"}))
    net_server.route(f"/pdf/{NO_HTML}", Canned(200, PDF, {"Content-Type": "application/pdf"}))
    return net_server


def app_for(home: Path):
    app = make_app(home)
    app.net_client = Client(home, timeout=2.0, connect_timeout=2.0, retries=0, sleep=lambda _s: None)
    return app


def view(app) -> FullTextView:
    return queue_screen(app).query_one(FullTextView)


def shown(app) -> list[str]:
    """The full text's rows on screen, as drawn."""
    widget = view(app)
    return [widget.render_line(y).text.rstrip() for y in range(widget.scrollable_content_region.height)]


def reading(app) -> bool:
    reader = queue_screen(app).query_one(Reader)
    return reader.has_class("-fulltext") and view(app).display


async def open_text(pilot, row: int = 0) -> None:
    app = pilot.app
    await wait_loaded(pilot)
    await until(pilot, lambda: paper_list(app).queue is not None and len(paper_list(app).queue) == 2, "the queue")
    paper_list(app).move_to(row)
    await pilot.press("F")
    await until(pilot, lambda: view(app).key is not None, "the full text")
    await pilot.pause()


def said(app, text: str) -> list[str]:
    return [n for n in notifications(app) if text in n]


async def test_F_shows_the_full_text_with_headings_and_math(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_text(pilot)
        assert reading(app) and view(app).has_focus
        assert queue_screen(app).query_one(Reader).border_title == "Full text"
        rows = shown(app)
        assert any("From arXiv's HTML version" in row for row in rows)
        assert "Attention Is All You Need" in rows
        assert "Abstract" in rows
        await pilot.press("/")
        await pilot.press(*"Scaled Dot-Product", "enter")
        await pilot.pause()
        rows = shown(app)
        assert "3.2.1 Scaled Dot-Product Attention" in rows
        assert any("$\\mathrm{softmax}" in row or "\\sqrt{d_{k}}" in row for row in rows)  # the math as LaTeX
        # the abstract comes back with escape, and the text is cached
        await pilot.press("escape")
        await pilot.pause()
        assert not reading(app)
        assert "dominant sequence transduction" in str(queue_screen(app).query_one("#reader-abstract").render())
        assert FullTextCache(home).has_text(f"arxiv:{ATTENTION}")


async def test_find_and_n_move_to_the_matches(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_text(pilot)
        await pilot.press("/")
        await pilot.press(*"multi-head", "enter")
        await pilot.pause()
        widget = view(app)
        total = len(widget.matches)
        assert total >= 3
        reader = queue_screen(app).query_one(Reader)
        assert f"match 1/{total}" in str(reader.border_subtitle)
        before = widget.top_row
        for _ in range(total - 1):
            await pilot.press("n")
        await pilot.pause()
        assert f"match {total}/{total}" in str(reader.border_subtitle)
        assert widget.top_row > before  # the last match is further down: the text moved to it
        line, start, end = widget.matches[widget.current]
        assert widget.text_lines[line][start:end].lower() == "multi-head"
        assert any("multi-head" in row.lower() for row in shown(app))  # on screen
        await pilot.press("n")  # past the last: back to the first
        await pilot.pause()
        assert f"match 1/{total}" in str(reader.border_subtitle)
        await pilot.press("N")
        await pilot.pause()
        assert f"match {total}/{total}" in str(reader.border_subtitle)
        # a match already on screen: the text stays where it is, the title follows
        await pilot.press("g", "/")
        await pilot.press(*"the", "enter")
        await pilot.pause()
        top, height = widget.top_row, widget.scrollable_content_region.height
        assert "match 1/" in str(reader.border_subtitle) and widget._match_row(widget.matches[1]) < top + height
        await pilot.press("n")
        await pilot.pause()
        assert widget.top_row == top and "match 2/" in str(reader.border_subtitle)
        found = len(widget.matches)
        await pilot.press("/", "enter")  # enter alone: the same words again
        await pilot.pause()
        assert widget.query == "the" and len(widget.matches) == found


async def test_a_fast_slash_burst_lands_in_the_find_prompt(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_text(pilot)
        burst(app, "/attention\r")  # as a terminal delivers "/attention" and enter typed fast
        await settle(pilot)
        assert app.screen is queue_screen(app), "no prompt left open (a stray 'a' would open Add papers)"
        assert view(app).query == "attention"
        assert "match 1/" in str(queue_screen(app).query_one(Reader).border_subtitle)


async def test_F_typed_right_after_moving_reads_the_paper_moved_to(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        burst(app, "jkjF")  # the list's highlights reach the reader after F has opened the text
        await until(pilot, lambda: view(app).key is not None, "the full text")
        await settle(pilot)
        assert reading(app) and view(app).key == f"arxiv:{NO_HTML}" == paper_list(app).paper.key
        assert any("okapi" in row for row in shown(app))


async def test_matches_are_highlighted_as_styles_not_markup(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_text(pilot)
        widget = view(app)
        widget.set_text(widget.key, "A [bold]tag[/bold] and [red]more[/] text.\nSecond [bold] line.", "", 0)
        widget.find("[bold]")
        await pilot.pause()
        rows = shown(app)
        assert " ".join(row for row in rows if row).startswith("A [bold]tag[/bold] and [red]more[/] text. Second [bold] line.")
        assert len(widget.matches) == 2
        styled = [seg for seg in widget.render_line(0) if seg.text == "[bold]"]
        assert styled and styled[0].style.bgcolor is not None


async def test_z_shows_the_full_text_full_screen(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_text(pilot)
        narrow = view(app).size.width
        await pilot.press("z")
        await pilot.pause()
        screen = queue_screen(app)
        assert screen.has_class("-reader-only")
        assert not screen.query_one("#list-pane").display or screen.query_one("#list-pane").size.width == 0
        assert view(app).size.width > narrow + 40 and view(app).has_focus
        assert "Attention Is All You Need" in [row.strip() for row in shown(app)]
        await pilot.press("j", "j")  # scrolls the text, not the list
        await pilot.pause()
        assert view(app).top_row == 2 and paper_list(app).cursor == 0
        await pilot.press("z")
        await pilot.pause()
        assert not screen.has_class("-reader-only") and reading(app) and view(app).has_focus


async def test_a_wide_screen_keeps_the_text_to_a_centred_column(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(200, 50)) as pilot:
        await open_text(pilot)
        await pilot.press("z")
        await pilot.pause()
        pane = view(app).scrollable_content_region.width
        margin = (pane - MEASURE) // 2
        assert margin > 40
        rows = [row for row in shown(app) if row.strip()]
        assert rows and all(row[:margin] == " " * margin for row in rows)
        assert max(len(row) for row in rows) - margin == MEASURE  # long paragraphs fill the column, no more
        assert any(row[margin] != " " for row in rows)
        await pilot.press("z")  # back beside the list: narrower than the column, no margin
        await pilot.pause()
        assert view(app).scrollable_content_region.width < MEASURE
        assert "Attention Is All You Need" in shown(app)


async def test_the_place_is_kept_across_a_restart_and_the_list_shows_it(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_text(pilot)
        await pilot.press("space", "space")  # two pages on
        await pilot.pause()
        first = shown(app)[0]
        line, lines = view(app).position()
        assert 0 < line < lines - 1
        await pilot.press("q")
        await pilot.pause()
    saved = ReadingPositions(home).get(f"arxiv:{ATTENTION}")
    assert saved is not None and (saved.line, saved.lines) == (line, lines)
    assert len(served.requests_to(f"/html/{ATTENTION}")) == 1

    app = app_for(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: paper_list(app).progress, "the positions read")
        await pilot.pause()
        row = paper_list(app).render_line(0).text
        assert f"{line * 100 // (lines - 1)}%" in row and any(glyph in row for glyph in "◔◑◕")
        assert "%" not in paper_list(app).render_line(1).text  # not being read
        await pilot.press("F")
        await until(pilot, lambda: view(app).key is not None, "the full text")
        await pilot.pause()
        # the paragraph that was at the top, from its first row (places are kept in lines, not rows: any width)
        paragraph = view(app).text_lines[line]
        assert paragraph.startswith(shown(app)[0]) and first in paragraph
        assert view(app).position() == (line, lines)
        assert len(served.requests_to(f"/html/{ATTENTION}")) == 1  # from the cache


async def test_P_with_no_display_says_where_the_pdf_is_and_copies_its_path(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("P")
        await until(pilot, lambda: said(app, "No display"), "the PDF's notification")
        path = FullTextCache(home).pdf_path(f"arxiv:{ATTENTION}")
        assert path.read_bytes() == PDF
        message = said(app, "No display")[0]
        assert str(path) in message and "\n" not in message
        assert app.clipboard == str(path)
        assert [p.name for p in path.parent.iterdir() if p.name.endswith(".part")] == []
        assert len(served.requests_to(f"/pdf/{ATTENTION}")) == 1
        # a second P: the cached file, no request
        app._notifications.clear()
        app._on_screen.clear()  # the app does not repeat words still on screen
        await pilot.press("P")
        await until(pilot, lambda: said(app, "No display"), "the second notification")
        await settle(pilot)
        assert len(served.requests_to(f"/pdf/{ATTENTION}")) == 1
        assert "pdf:" not in " ".join(queue_screen(app)._activity)


async def test_P_offline_is_one_line_and_leaves_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERQUEUE_ARXIV_WEB", closed_port_url("").rstrip("/"))
    monkeypatch.setenv("PAPERQUEUE_ARXIV_DELAY", "0.01")
    app = app_for(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("P")
        await until(pilot, lambda: said(app, "connection refused"), "the error")
        assert len(said(app, "connection refused")) == 1 and "\n" not in said(app, "connection refused")[0]
        folder = FullTextCache(home).folder
        assert not any(p.suffix in (".pdf", ".part") for p in folder.iterdir()) if folder.exists() else True


async def test_F_offline_is_one_line_and_the_reader_keeps_the_abstract(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERQUEUE_ARXIV_WEB", closed_port_url("").rstrip("/"))
    monkeypatch.setenv("PAPERQUEUE_ARXIV_DELAY", "0.01")
    app = app_for(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("F")
        await until(pilot, lambda: said(app, "connection refused"), "the error")
        await settle(pilot)
        errors = said(app, "connection refused")
        assert len(errors) == 1 and "\n" not in errors[0]
        assert not reading(app)
        assert "dominant sequence transduction" in str(queue_screen(app).query_one("#reader-abstract").render())
        assert paper_list(app).has_focus and "fulltext" not in queue_screen(app)._activity
        assert not FullTextCache(home).has_text(f"arxiv:{ATTENTION}")


async def test_F_without_an_html_version_reads_the_pdf(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_text(pilot, row=1)
        rows = shown(app)
        assert any("Text extracted from the PDF" in row for row in rows)
        assert any("okapi estimator converges" in row for row in rows)
        assert FullTextCache(home).has_pdf(f"arxiv:{NO_HTML}")  # P opens it at once now


async def test_a_full_text_hit_appears_in_the_list_search(home: Path, served: NetServer) -> None:
    app = app_for(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_text(pilot)
        await pilot.press("escape")
        await pilot.press("/")
        await pilot.press(*"polosukhin")  # in the paper's author list: not in its title or abstract here
        await until(pilot, lambda: queue_screen(app).queue.filter is not None and len(queue_screen(app).queue) == 1, "the hit")
        await settle(pilot)
        row = paper_list(app).render_line(0).text
        assert "Attention Is All You Need" in row and "¶" in row
        meta = lambda: str(queue_screen(app).query_one("#reader-meta").render())  # noqa: E731
        await until(pilot, lambda: "matched in the full text" in meta(), "the reader's word for it")  # once typing pauses
        await pilot.press("enter", "escape")  # the search cleared: no marker
        await settle(pilot)
        assert "¶" not in paper_list(app).render_line(0).text


def test_full_text_in_the_reader_80x24(snap_compare, home: Path) -> None:
    """The reader showing a full text (from the cache: no server, fixed words)."""
    cache = FullTextCache(home)
    key = f"arxiv:{ATTENTION}"
    text = html_to_text(REAL.read_text(encoding="utf-8"))
    cache.store_text(key, text, "html", f"From arXiv's HTML version (https://arxiv.org/html/{ATTENTION})", "https://arxiv.org/html/1706.03762")

    async def ready(pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("F")
        await until(pilot, lambda: view(pilot.app).key is not None, "the full text")
        await pilot.press("/")
        await pilot.press(*"attention", "enter")
        await settle(pilot)

    assert snap_compare(make_app(home), terminal_size=(80, 24), run_before=ready)



@given(st.text(alphabet=st.sampled_from("ab c  d\u00e9\u4e2d\u2014-"), max_size=200), st.integers(min_value=1, max_value=40),
       st.integers(min_value=0, max_value=20))
def test_wrapping_keeps_every_character_and_fits_the_width(line: str, width: int, hang: int) -> None:
    hang = min(hang, width // 2)
    rows = wrap_line(line, width, hang)
    assert rows[0][0] == 0 and rows[-1][1] == len(line)
    assert all(a[1] == b[0] for a, b in zip(rows, rows[1:]))  # contiguous: nothing lost, nothing twice
    for number, (start, end) in enumerate(rows):
        shown = line[start:end].rstrip()
        room = width if number == 0 else width - hang  # the wrapped rows are drawn indented
        assert cell_len(shown) <= max(room, 2)  # a wide character alone in a 1-cell row is the exception


async def test_a_wrapped_list_item_continues_under_its_text(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        full = view(app)
        item = "- " + " ".join(f"word{n}" for n in range(40))
        nested = "  - " + " ".join(f"deep{n}" for n in range(40))
        app.screen.query_one(Reader).show_full_text(True)
        await pilot.pause()
        full.set_text("k", "\n".join(["Heading", item, nested, "plain " * 30]))
        await pilot.pause()
        width = full.scrollable_content_region.width
        drawn = [full.render_line(y).text.rstrip() for y in range(full.virtual_size.height)]
        assert drawn[0] == "Heading" and drawn[1].startswith("- word0 ")
        item_rows = [row for row in drawn if "word" in row]
        assert len(item_rows) > 1 and all(row.startswith("  word") for row in item_rows[1:])
        deep_rows = [row for row in drawn if "deep" in row]
        assert deep_rows[0].startswith("  - deep0") and all(row.startswith("    deep") for row in deep_rows[1:])
        assert all(cell_len(row) <= width for row in drawn)
        plain_rows = [row for row in drawn if row.startswith("plain") or row.startswith(" plain")]
        assert all(row.startswith("plain") for row in plain_rows)  # a paragraph's rows are not indented
