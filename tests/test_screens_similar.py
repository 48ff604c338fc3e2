"""The Similar view (m, M) as the person sees it: the paper it was opened
from is not a result, the label is cut at a word, and a paper nothing
resembles says so instead of showing an empty view."""

from __future__ import annotations

from pathlib import Path

from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

from pilot_helpers import frozen_clock, make_app, notifications, paper_list, queue_screen, seed_store, settle, wait_loaded

LONG = "Pushing Auto-regressive Models for 3D Shape Generation at Capacity and Scalability"


async def test_the_source_paper_is_not_a_result_and_the_label_ends_at_a_word(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        seed = paper_list(app).paper
        assert seed.title == LONG
        await pilot.press("m")
        await settle(pilot)
        screen = queue_screen(app)
        assert screen.queue.view == "similar"
        keys = [paper.key for paper in screen.queue.rows]
        assert keys and seed.key not in keys, "the paper it was opened from is not its own match"
        assert paper_list(app).paper.key != seed.key
        label = screen.view_title("similar")
        quoted = label.split("“", 1)[1].rstrip("”")
        assert quoted.endswith("…"), label
        cut = quoted[:-1]
        assert LONG.startswith(cut) and LONG[len(cut)] == " ", f"cut inside a word: {label}"
        assert str(screen.paper_list.border_title).startswith(f"Similar: like “{cut}…”")


def _add_lonely_paper(home: Path, tmp_path: Path) -> None:
    bib = tmp_path / "lonely.bib"
    bib.write_text("@article{lonely, title = {Qwzxv Plorfing Vintagradeness}}\n", encoding="utf-8")
    store = Store.open(home, clock=frozen_clock)
    import_file(store, bib)
    store.close()


async def test_a_paper_with_no_similar_papers_says_so(pq_home: Path, tmp_path: Path) -> None:
    seed_store(pq_home)
    _add_lonely_paper(pq_home, tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        screen = queue_screen(app)
        plist = paper_list(app)
        row = screen.queue.row_of(next(p.key for p in screen.queue.rows if p.title.startswith("Qwzxv")))
        plist.move_to(row)
        await pilot.press("m")
        await settle(pilot)
        assert screen.queue.view == "all", "no empty Similar view"
        assert plist.cursor == row
        said = [n for n in notifications(app) if "Qwzxv" in n]
        assert said and "no other paper" in said[-1].lower(), notifications(app)


async def test_like_your_one_starred_paper(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("s", "M")
        await settle(pilot)
        screen = queue_screen(app)
        assert screen.queue.view == "similar"
        assert screen.view_title("similar") == "Similar: like your 1 starred paper"


async def test_an_import_landing_while_similar_is_shown_keeps_its_ranking(pq_home: Path, tmp_path: Path) -> None:
    seed_store(pq_home)
    page = tmp_path / "new.txt"
    page.write_text("A Brand New Paper\n\nIts abstract.\n")
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("m", "j", "j")
        await settle(pilot)
        screen = queue_screen(app)
        ranked = [paper.key for paper in screen.queue.rows]
        on = paper_list(app).paper.key
        app.import_path(page)  # as the i prompt does
        for _ in range(50):
            await settle(pilot)
            if "A Brand New Paper" in [p.title for p in app.store.papers.values()]:
                break
        await settle(pilot)
        assert screen.queue.view == "similar"
        assert [paper.key for paper in screen.queue.rows] == ranked
        assert paper_list(app).paper.key == on
