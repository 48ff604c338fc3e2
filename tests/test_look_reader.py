"""What the reader draws (issue 10 items 2, 3 and 13): no stray border
block, each link labelled by what it is, and what the import brought
(authors, date, venue, categories, upvotes, the PDF)."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT
from pilot_helpers import make_app, paper_list, queue_screen, seed_store, settle, wait_loaded, widget_text

FEEDS = ROOT / "tests" / "data" / "real" / "feeds"
BIBTEX = ROOT / "tests" / "data" / "real" / "bibtex"

LINKS_BIB = r"""
@article{doionly,
  title = {A Paper Known by Its DOI Alone},
  author = {Ada Lovelace and Charles Babbage},
  journal = {Journal of Engines},
  year = {1843},
  doi = {10.1234/engines.1843.1}
}
@misc{nothing,
  title = {A Paper Known by Its Title Alone},
  year = {2020}
}
@misc{withcode,
  title = {A Paper with Code and a Page},
  eprint = {2101.00001},
  archiveprefix = {arXiv},
  url = {https://github.com/someone/code},
  howpublished = {https://someone.github.io/project/},
  pdf = {https://example.org/files/paper.pdf}
}
"""


def reader_lines(app) -> list[str]:
    """The reader pane's lines as drawn on the screen."""
    reader = app.screen.query_one("#reader")
    region = reader.scrollable_content_region
    strips = app.screen._compositor.render_strips()
    return [strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]


def labelled(line: str) -> tuple[str, str]:
    label, url = line.rsplit(" ", 1)
    return label.strip(), url


async def show(pilot, title: str) -> None:
    """Move the cursor to the paper titled ``title`` and let its details load."""
    screen = queue_screen(pilot.app)
    row = next(i for i, p in enumerate(screen.queue.rows) if p.title.startswith(title))
    paper_list(pilot.app).move_to(row)
    await settle(pilot)
    await pilot.pause()


async def test_no_stray_block_in_the_reader_without_a_note_or_a_paper(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4")
        await settle(pilot)
        app.screen.query_one("#reader").scroll_end(animate=False)  # the note box sits under the abstract
        await pilot.pause()
        assert any("Links" in line for line in reader_lines(app))
        assert not any("█" in line for line in reader_lines(app)), reader_lines(app)
        await pilot.press("2")  # Starred: empty
        await settle(pilot)
        assert "Nothing to read" in widget_text(app, "#reader-title")
        assert not any("█" in line for line in reader_lines(app)), reader_lines(app)
        await pilot.press("4", "e", *"a note", "ctrl+s")  # a note still has its bar
        await settle(pilot)
        app.screen.query_one("#reader").scroll_end(animate=False)
        await pilot.pause()
        assert any("a note" in line for line in reader_lines(app)), reader_lines(app)


def test_link_labels_say_what_each_link_is() -> None:
    from paperqueue.ui.widgets.reader import link_label

    assert link_label("https://arxiv.org/abs/2101.00001") == "arXiv"
    assert link_label("http://arxiv.org/pdf/1501.05039v1") == "PDF"
    assert link_label("https://example.org/files/paper.PDF") == "PDF"
    assert link_label("https://arxiv.org/search/?query=A+Paper&searchtype=title") == "Search arXiv"
    assert link_label("https://doi.org/10.1234/x") == "DOI"
    assert link_label("http://dx.doi.org/10.1214/07-STS246B") == "DOI"
    assert link_label("https://github.com/CompVis/latent-diffusion") == "GitHub"
    assert link_label("https://someone.github.io/project/") == "Project page"
    assert link_label("https://huggingface.co/papers/2410.18745") == "Hugging Face"
    assert link_label("http://www.imstat.org/sts/") == "Web page"


async def test_each_link_in_the_reader_is_labelled_by_what_it_is(pq_home: Path, tmp_path: Path) -> None:
    bib = tmp_path / "links.bib"
    bib.write_text(LINKS_BIB)
    seed_store(pq_home, bib)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4")
        await show(pilot, "A Paper Known by Its DOI Alone")
        links = widget_text(app, "#reader-links").splitlines()
        assert labelled(links[1]) == ("DOI", "https://doi.org/10.1234/engines.1843.1")
        await show(pilot, "A Paper Known by Its Title Alone")
        links = widget_text(app, "#reader-links").splitlines()
        assert labelled(links[1])[0] == "Search arXiv" and "arxiv.org/search" in links[1]
        await show(pilot, "A Paper with Code and a Page")
        labels = dict(labelled(line) for line in widget_text(app, "#reader-links").splitlines()[1:])
        assert labels == {
            "arXiv": "https://arxiv.org/abs/2101.00001",
            "GitHub": "https://github.com/someone/code",
            "Project page": "https://someone.github.io/project/",
            "PDF": "https://example.org/files/paper.pdf",
        }


def test_authors_are_shortened_when_long() -> None:
    from paperqueue.ui.widgets.reader import short_authors

    assert short_authors(()) == ""
    assert short_authors(("Ada Lovelace",)) == "Ada Lovelace"
    assert short_authors(("A", "B", "C")) == "A, B, C"
    assert short_authors(("A", "B", "C", "D")) == "A, B, C et al."


async def test_the_reader_shows_what_the_import_brought(pq_home: Path) -> None:
    for source in (FEEDS / "arxiv_api_all_science_2019-08-10.atom", FEEDS / "hf_daily_papers_2024-10-25_one_row.json", BIBTEX / "d2l_en_trimmed.bib"):
        seed_store(pq_home, source)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4")
        await show(pilot, "Defining Data Science")  # arXiv API: authors, dates, categories, PDF
        meta = widget_text(app, "#reader-meta")
        assert "Yangyong Zhu, Yun Xiong" in meta and "et al." not in meta
        assert "2015-01-21" in meta and "cs.DB" in meta and "cs.CY" in meta
        links = widget_text(app, "#reader-links").splitlines()
        assert ("PDF", "http://arxiv.org/pdf/1501.05039v1") in [labelled(line) for line in links[1:]]
        await show(pilot, "Why Does the Effective Context")  # Hugging Face: upvotes and comments
        meta = widget_text(app, "#reader-meta")
        assert "Chenxin An, Jun Zhang, Ming Zhong et al." in meta
        assert "14 upvotes" in meta and "3 comments" in meta and "2024-10-24" in meta
        await show(pilot, "TensorFlow: A system")  # BibTeX: year and venue
        meta = widget_text(app, "#reader-meta")
        assert "Martín Abadi, Paul Barham, Jianmin Chen et al." in meta
        assert "2016" in meta and "12th USENIX Symposium on Operating Systems Design and Implementation" in meta
