"""Real arXiv feeds (tests/data/real/feeds, origins in SOURCES.md): what is
imported matches what the file holds, entry by entry.

Each file is also read here independently with ElementTree, so a test
compares the importer against the file itself, not against numbers copied
by hand.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from paperqueue.core.importers.arxiv_feed import parse_atom
from paperqueue.core.importers.rss_feed import parse_rss
from paperqueue.core.importers.detect import parse_text

from .conftest import assert_one_line

FEEDS = Path(__file__).resolve().parents[1] / "data" / "real" / "feeds"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"

API_2019 = "arxiv_api_all_science_2019-08-10.atom"
RDF_2018 = "arxiv_hep-ex_2018-05-23.rdf"
RDF_2021 = "arxiv_hep-ex_2021-07-08.rdf"


def read(name: str) -> str:
    return (FEEDS / name).read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    return " ".join(text.split())


def tex_quotes(text: str) -> str:
    """The one TeX construct in these titles: ``quoted''."""
    return text.replace("``", "\u201c").replace("''", "\u201d")


def test_atom_api_response_entry_by_entry() -> None:
    text = read(API_2019)
    papers, problems = parse_atom(text)
    entries = ET.fromstring(text).findall(ATOM + "entry")
    assert problems == [] and len(papers) == len(entries) == 10
    for paper, entry in zip(papers, entries):
        raw_id = entry.findtext(ATOM + "id")
        assert raw_id.endswith(paper.arxiv_id + "v" + raw_id.rpartition("v")[2])
        assert paper.title == tex_quotes(squeeze(entry.findtext(ATOM + "title")))
        assert paper.abstract == tex_quotes(squeeze(entry.findtext(ATOM + "summary")))
        names = [squeeze(a.findtext(ATOM + "name")) for a in entry.findall(ATOM + "author")]
        assert list(paper.authors) == names
        assert paper.published == entry.findtext(ATOM + "published")
        assert paper.updated == entry.findtext(ATOM + "updated")
        doi = entry.findtext(ARXIV + "doi")
        assert (paper.doi or "").casefold() == (doi or "").casefold()
        assert paper.pdf_url == entry.find(ATOM + "link[@title='pdf']").get("href")
        for value in (paper.title, paper.abstract, *paper.authors, *paper.links):
            assert_one_line(value)
    by_id = {paper.arxiv_id: paper for paper in papers}
    # Old-style ids and accented names come through as the file has them.
    assert by_id["quant-ph/0210005"].title == "Quantum information science and complex quantum systems"
    assert by_id["1503.01162"].authors == ("Peter Garik", "Yann Benétreau-Dupin")
    # TeX quotes in a real abstract are typeset (they were left as `` and '').
    assert by_id["0808.0631"].abstract.startswith("Comment on \u201cThe 2005 Neyman Lecture: Dynamic")
    assert parse_text(text, API_2019).format == "atom"


def _rdf_items(text: str) -> list[ET.Element]:
    return ET.fromstring(text).findall(RSS1 + "item")


@pytest.mark.parametrize("name", [RDF_2018, RDF_2021])
def test_rdf_listing_entry_by_entry(name: str) -> None:
    text = read(name)
    papers, problems = parse_rss(text)
    items = _rdf_items(text)
    assert problems == [] and len(papers) == len(items) == 3
    for paper, item in zip(papers, items):
        assert paper.arxiv_id == item.findtext(RSS1 + "link").rpartition("/")[2]
        # The title without its "(arXiv:ID [class] …)" suffix and final period.
        title = squeeze(item.findtext(RSS1 + "title"))
        assert paper.title == re.sub(r"\. \(arXiv:\S+ \[[^\]]+\][^)]*\)\Z", "", title)
        assert paper.categories[0] == re.search(r"\[([^\]]+)\]", title).group(1)
        assert paper.abstract == squeeze(html.unescape(re.sub(r"<[^>]+>", " ", item.findtext(RSS1 + "description"))))
        assert paper.authoritative
        for value in (paper.title, paper.abstract, *paper.authors, *paper.links):
            assert_one_line(value)


def test_rdf_items_take_the_channel_date() -> None:
    """RDF items carry no date of their own: the listing's date is theirs
    (it was None before)."""
    for name, stamp in ((RDF_2018, "2018-05-24T01:30:00Z"), (RDF_2021, "2021-07-09T01:30:00Z")):
        papers, _ = parse_rss(read(name))
        assert [paper.published for paper in papers] == [stamp] * 3, name


def test_rdf_authors_one_name_each() -> None:
    """dc:creator is a list of links: one author per link, and the
    truncation note of a large collaboration gives no author."""
    papers_2018, _ = parse_rss(read(RDF_2018))
    assert [len(paper.authors) for paper in papers_2018] == [1, 1, 6]
    assert papers_2018[2].authors[-1] == "Hong-Shi Zong"
    lhcb, wilson, fireball = parse_rss(read(RDF_2021))[0]
    # "LHCb collaboration: R. Aaij, et al. (909 additional authors not shown)"
    assert lhcb.authors == ("LHCb collaboration", "R. Aaij")
    assert wilson.authors == ("Robert A. Wilson",)
    assert len(fireball.authors) == 5 and fireball.authors[0] == "Partha Pratim Bhaduri"


def test_rdf_math_stays_verbatim() -> None:
    lhcb = parse_rss(read(RDF_2021))[0][0]
    assert lhcb.title == r"Observation of excited $\Omega_c^0$ baryons in $\Omega_b^- \to \Xi_c^+ K^-\pi^-$ decays"
    star = parse_rss(read(RDF_2018))[0][0]
    assert r"$\sqrt{s_{NN}}=200$ GeV" in star.abstract
    assert r"range of $2.6<\eta<4$. Within" in star.abstract


HF_2024 = "hf_daily_papers_2024-10-25_one_row.json"


def test_hf_daily_papers_row_as_the_file_holds_it() -> None:
    import json

    from paperqueue.core.importers.hf_json import parse_hf

    text = read(HF_2024)
    [row] = json.loads(text)
    [paper], problems = parse_hf(text)
    assert problems == []
    assert paper.arxiv_id == row["paper"]["id"] and paper.authoritative
    assert paper.title == row["paper"]["title"]
    assert list(paper.authors) == [author["name"] for author in row["paper"]["authors"]]
    assert paper.published == row["paper"]["publishedAt"][:19] + "Z"
    assert (paper.upvotes, paper.comments) == (row["paper"]["upvotes"], row["numComments"])
    # The summary is arXiv's abstract; its author's macro "\method" is kept
    # as written (dropping it would lose the word), unglued.
    assert " \\method " in paper.abstract
    assert paper.abstract.startswith("Advancements in distributed training and efficient attention")
    assert paper.abstract.endswith("clearly surpasses Claude 2 and Kimi-chat.")
    assert_one_line(paper.abstract)
