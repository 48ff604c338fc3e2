"""Real files (tests/data/real/, origins in SOURCES.md): import, export as
BibTeX, read the export with pybtex and bibtexparser, import it again;
entry by entry, nothing is lost or changed on the way."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors
from pybtex.database import parse_string
from pylatexenc.latex2text import LatexNodes2Text

from paperqueue.core.export import export
from paperqueue.core.export_bibtex import entry_type
from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

REAL = Path(__file__).parent / "data" / "real"
# Real bibliographies and feeds; each one's export must hold up.
FILES = sorted(
    path
    for folder in ("export", "bibtex", "feeds")
    for path in (REAL / folder).glob("*")
    if path.suffix in (".bib", ".bibtex", ".atom", ".rdf", ".xml", ".rss")
)
_LATEX = LatexNodes2Text(math_mode="verbatim")


def words(text: str) -> list[str]:
    """The letters and digits of a text, by word: what a reader must see
    whatever the TeX around them.  (pylatexenc writes \\textasciicircum as
    the modifier letter U+02C6, which counts as a letter.)"""
    return re.findall(r"[^\W_]+", text.replace("\u02c6", "^"))


def snapshot(store: Store) -> dict[str, dict]:
    return {
        paper.key: {
            "title": paper.title,
            "abstract": details.abstract,
            "authors": details.authors,
            "arxiv_id": paper.arxiv_id,
            "doi": paper.doi,
            "primary_link": paper.primary_link,
            "links": set(paper.all_links),
            "year": (details.published or "")[:4],
            "venue": details.venue,
            "entry_type": entry_type(details),
        }
        for paper, details in store.iter_details()
    }


def _paper_for(papers: list[dict], fields: dict[str, str], title: str) -> dict:
    """The stored paper an exported entry stands for: by arXiv id, else DOI,
    else the words of its title."""
    if "eprint" in fields:
        (paper,) = [p for p in papers if p["arxiv_id"] == fields["eprint"]]
    elif "doi" in fields:
        (paper,) = [p for p in papers if p["doi"] == fields["doi"] and not p["arxiv_id"]]
    else:
        matches = [p for p in papers if not p["arxiv_id"] and not p["doi"] and words(p["title"]) == words(title)]
        assert matches, f"no stored paper has the title {title!r}"
        paper = matches[0]
    return paper


@pytest.fixture(params=FILES, ids=lambda path: path.name)
def exported(request, tmp_path: Path) -> tuple[dict[str, dict], str, Path]:
    store = Store.open(tmp_path / "first")
    import_file(store, request.param)
    before = snapshot(store)
    text = export(store, "bibtex")
    store.close()
    assert before, f"{request.param.name}: nothing imported"
    return before, text, tmp_path


def test_real_files_exist() -> None:
    assert {path.name for path in FILES} >= {"disc_mendeley_library.bib", "zotero_bbt_export_cases.bib"}


def test_every_entry_reads_the_same_in_pybtex_and_bibtexparser(exported) -> None:
    before, text, _ = exported
    papers = list(before.values())
    data = parse_string(text, "bibtex")
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert not library.failed_blocks, [block.error for block in library.failed_blocks][:3]
    assert len(data.entries) == len(library.entries) == len(papers)
    for (key, entry), other in zip(data.entries.items(), library.entries, strict=True):
        assert other.key == key
        fields = {name.lower(): value for name, value in entry.fields.items()}
        theirs = {field.key.lower(): field.value for field in other.fields if field.key.lower() != "author"}
        assert fields == theirs, f"{key}: pybtex and bibtexparser disagree"
        title = _LATEX.latex_to_text(fields["title"]) if "title" in fields else ""
        paper = _paper_for(papers, fields, title)
        assert words(title) == words(paper["title"]), key
        assert entry.type == paper["entry_type"], key
        assert fields.get("eprint") == paper["arxiv_id"], key
        assert fields.get("doi") == paper["doi"], f"{key}: DOI as stored"
        people = entry.persons.get("author", [])
        assert len(people) == len(paper["authors"]), f"{key}: {people} vs {paper['authors']}"
        author_field = next((f.value for f in other.fields if f.key.lower() == "author"), [])
        assert len(author_field) == len(paper["authors"]), key
        for person, name in zip(people, paper["authors"], strict=True):
            parts = person.rich_first_names + person.rich_middle_names + person.rich_prelast_names
            parts += person.rich_last_names + person.rich_lineage_names
            assert words(_LATEX.latex_to_text(" ".join(str(p) for p in parts))) == words(name), key
        if paper["venue"]:
            assert words(_LATEX.latex_to_text(fields.get("booktitle") or fields["journal"])) == words(paper["venue"])
        assert "title not known yet" not in text


def _imported_again(before: dict[str, dict], text: str, tmp_path: Path) -> list[tuple[str, dict, dict]]:
    """(key, paper before, the same paper after exporting and importing again)."""
    target = tmp_path / "queue.bib"
    target.write_text(text, encoding="utf-8")
    store = Store.open(tmp_path / "second")
    result = import_file(store, target)
    after = snapshot(store)
    store.close()
    assert result.problems == [] and len(after) == len(before)
    by_id = {(p["arxiv_id"], p["doi"], p["title"]): p for p in after.values()}
    return [
        (key, paper, after.get(key) or by_id[(paper["arxiv_id"], paper["doi"], paper["title"])])
        for key, paper in before.items()
    ]


def test_export_imports_back_into_the_same_papers(exported) -> None:
    for key, paper, again in _imported_again(*exported):
        for field in ("title", "abstract", "authors", "arxiv_id", "doi", "primary_link", "year", "venue", "entry_type"):
            assert again[field] == paper[field], f"{key}: {field}"


def test_export_imports_back_with_every_link(exported, request) -> None:
    for key, paper, again in _imported_again(*exported):
        assert again["links"] == paper["links"], f"{key}: links"
