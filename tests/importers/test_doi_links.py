"""A DOI link keeps the whole DOI (issue 8 item 10): a real SICI DOI holds
``<`` and ``>``, which end a URL in text, so a raw link was read back cut
short (after a JSON export and re-import, say) as a broken extra link."""

from __future__ import annotations

from paperqueue.core.identity import extract_links
from paperqueue.core.importers.record import order_links
from paperqueue.core.models import Paper

SICI = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O"


def test_doi_link_is_one_whole_url() -> None:
    paper = Paper(key="doi:x", title="Semiotics and information", doi=SICI)
    link = paper.primary_link
    assert link == "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-O"
    assert extract_links(link) == [link]
    # What a JSON export writes as links comes back as the same one link.
    assert order_links(paper.all_links) == (link,)


def test_plain_doi_link_unchanged() -> None:
    paper = Paper(key="doi:y", title="T", doi="10.1145/3292500.3330701")
    assert paper.primary_link == "https://doi.org/10.1145/3292500.3330701"
