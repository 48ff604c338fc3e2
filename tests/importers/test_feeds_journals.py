"""Journal tables of contents (issue 11, "any RSS / Atom feed"): publishers
such as Nature and Science send RSS 1.0 (RDF) or RSS 2.0 items carrying the
article's DOI in PRISM (`prism:doi`, namespace basic/2.0 or basic/3.0, or
the old RSS module namespace) or Dublin Core (`dc:identifier` as
`doi:10....`), and the journal in `prism:publicationName`. The shape follows
the publishers' feeds; the items are written here."""

from __future__ import annotations

import pytest

from paperqueue.core.importers.rss_feed import parse_rss

PRISM = {
    "basic 2.0": "http://prismstandard.org/namespaces/basic/2.0/",
    "basic 3.0": "http://prismstandard.org/namespaces/basic/3.0/",
    "RSS module": "http://purl.org/rss/1.0/modules/prism/",
}


def rdf_item(prism: str, body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:prism="{prism}">
  <item rdf:about="https://www.nature.com/articles/s41586-026-00001-1">
    <title>Honeybee flights guide robot navigation</title>
    <link>https://www.nature.com/articles/s41586-026-00001-1</link>
    <dc:creator>Ada Example</dc:creator>
    <dc:date>2026-05-13</dc:date>
    {body}
  </item>
</rdf:RDF>"""


@pytest.mark.parametrize("namespace", PRISM.values(), ids=PRISM.keys())
def test_a_prism_doi_and_publication_name_are_the_papers_doi_and_venue(namespace: str) -> None:
    body = "<prism:doi>10.1038/s41586-026-00001-1</prism:doi><prism:publicationName>Nature</prism:publicationName>"
    (paper,), problems = parse_rss(rdf_item(namespace, body))
    assert paper.doi == "10.1038/s41586-026-00001-1"
    assert paper.venue == "Nature"
    assert problems == []


def test_a_dublin_core_identifier_gives_the_doi() -> None:
    body = "<dc:identifier>doi:10.1038/s41586-026-00001-1</dc:identifier>"
    (paper,), _ = parse_rss(rdf_item(PRISM["basic 2.0"], body))
    assert paper.doi == "10.1038/s41586-026-00001-1"


def test_an_identifier_that_is_not_a_doi_is_not_taken_for_one() -> None:
    body = "<dc:identifier>urn:isbn:978-3-16-148410-0</dc:identifier>"
    (paper,), problems = parse_rss(rdf_item(PRISM["basic 2.0"], body))
    assert paper.doi is None
    assert problems == []


def test_an_rss2_item_with_a_prism_doi() -> None:
    feed = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:prism="{PRISM['basic 3.0']}"><channel><title>Science</title>
<item><title>A result</title><link>https://www.science.org/doi/10.1126/science.abc1234</link>
<prism:doi>10.1126/science.abc1234</prism:doi></item></channel></rss>"""
    (paper,), _ = parse_rss(feed)
    assert paper.doi == "10.1126/science.abc1234"
