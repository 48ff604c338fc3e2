"""TeX and links in arXiv feed text (issue 8, items 9 and 10).

The strings are taken from real arXiv listings: author names as arXiv's RSS
writes them (``Hinrich Sch\\"utze``, ``Goran Glava\\v{s}``, ``Johan
Barth\\'elemy``), a code link written ``financial\\_rag\\_benchmark`` in an
abstract, ``\\href{url}{url}``, and a real SICI DOI.
"""

from __future__ import annotations

from paperqueue.core.importers.arxiv_feed import parse_atom
from paperqueue.core.importers.rss_feed import parse_rss

RSS_HEAD = (
    '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">'
    "<channel><title>cs.CL updates on arXiv.org</title><pubDate>Mon, 22 Sep 2025 00:00:00 -0400</pubDate>"
)
SICI = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O"


def rss_item(title: str, description: str, creators: str, extra: str = "") -> str:
    return (
        RSS_HEAD + f"<item><title>{title}</title><link>https://arxiv.org/abs/2509.15263</link>"
        f"<description>arXiv:2509.15263v1 Announce Type: new \nAbstract: {description}</description>"
        f"<dc:creator>{creators}</dc:creator>{extra}</item></channel></rss>"
    )


def test_accents_in_rss_names_titles_and_abstracts() -> None:
    text = rss_item(
        r"R\'enyi Divergences for Sch\"utze-style Clustering",
        r"We follow Sch\"utze and use $\alpha$-R\'enyi entropy, $O(n^2)$ time.",
        r"Hinrich Sch\"utze, Goran Glava\v{s}, Johan Barth\'elemy",
    )
    [paper], problems = parse_rss(text)
    assert problems == []
    assert paper.title == "Rényi Divergences for Schütze-style Clustering"
    assert paper.abstract == r"We follow Schütze and use $\alpha$-Rényi entropy, $O(n^2)$ time."
    assert paper.authors == ("Hinrich Schütze", "Goran Glavaš", "Johan Barthélemy")
    assert paper.published == "2025-09-22T04:00:00Z"


def test_accents_in_atom() -> None:
    text = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2106.00550v2</id>'
        r"<title>On R\'enyi entropies</title><summary>Sch\"utze's $\beta$ bound.</summary>"
        r"<author><name>Goran Glava\v{s}</name></author></entry></feed>"
    )
    [paper], _ = parse_atom(text)
    assert (paper.title, paper.abstract, paper.authors) == (
        "On Rényi entropies", r"Schütze's $\beta$ bound.", ("Goran Glavaš",))


def test_links_from_tex_in_abstracts() -> None:
    text = rss_item(
        "T",
        r"Code: https://github.com/someone/financial\_rag\_benchmark. "
        r"Data at \href{https://huggingface.co/datasets/a/b}{https://huggingface.co/datasets/a/b} "
        r"and \url{https://example.org/x\_y}.",
        "A B",
    )
    [paper], _ = parse_rss(text)
    assert paper.links == (
        "https://github.com/someone/financial_rag_benchmark",
        "https://huggingface.co/datasets/a/b",
        "https://example.org/x_y",
    )
    assert "\\" not in paper.abstract and "https://huggingface.co/datasets/a/b" in paper.abstract


def test_sici_doi_gives_no_truncated_link() -> None:
    escaped = SICI.replace("<", "&lt;").replace(">", "&gt;")
    text = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"><entry>'
        "<id>http://arxiv.org/abs/cs/9809001v1</id><title>T</title><summary>S</summary>"
        f"<arxiv:doi>{escaped}</arxiv:doi>"
        f'<link title="doi" href="http://dx.doi.org/{escaped}" rel="related"/>'
        f"<arxiv:comment>Published in JASIS, http://dx.doi.org/{escaped}</arxiv:comment>"
        "</entry></feed>"
    )
    [paper], _ = parse_atom(text)
    assert paper.doi.casefold() == SICI.casefold()
    encoded = "http://dx.doi.org/" + SICI.replace("<", "%3C").replace(">", "%3E")
    assert paper.links == (encoded,)  # whole, not cut at "<"


def test_rss_author_list_notes_are_not_names() -> None:
    text = rss_item("T", "S", "ATLAS Collaboration: G. Aad, B. Abbott, et al. (2900 additional authors not shown)")
    [paper], _ = parse_rss(text)
    assert paper.authors == ("ATLAS Collaboration", "G. Aad", "B. Abbott")
