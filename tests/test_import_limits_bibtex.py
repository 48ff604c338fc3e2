"""BibTeX files are read entry by entry, never whole (issue 9 item 18): the
same papers and problem lines whatever the size of the pieces the file is
read in, an entry too long to hold is skipped on its own, and crossref
parents are found wherever they are in the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperqueue.core.importers.bibtex import LONGEST_ENTRY, chunks_of, iter_bibtex, parse_bibtex
from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

REAL = Path(__file__).parent / "data" / "real" / "bibtex"


def pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def streamed(blocks: list[str], longest: int = LONGEST_ENTRY) -> tuple[list, list[str]]:
    problems: list[str] = []
    papers = list(iter_bibtex(lambda: chunks_of(blocks, longest), problems.append))
    return papers, problems


def reference_chunks(text: str) -> list[tuple[int, str]]:
    """The chunks as the whole-text parser cut them: at each line whose first
    non-blank is "@", line numbers counted from 1."""
    starts = [0] if re.match(r"[ \t]*@", text) else []
    starts += [m.start() + 1 for m in re.finditer(r"\n[ \t]*@", text)]
    ends = [*starts[1:], len(text)]
    return [(text.count("\n", 0, start) + 1, text[start:end]) for start, end in zip(starts, ends)]


@given(
    st.lists(st.sampled_from(["@", "\n", "\r\n", " ", "\t", "x", "{", "}", "@misc{k,", " title={T}}", "%"]), max_size=40)
    .map("".join),
    st.lists(st.integers(min_value=0, max_value=90), max_size=12),
)
def test_chunks_are_cut_where_the_whole_text_would_be_cut(text, cuts):
    bounds = sorted({0, len(text), *(min(cut, len(text)) for cut in cuts)})
    blocks = [text[a:b] for a, b in zip(bounds, bounds[1:])]
    got = [(line, chunk) for line, chunk, whole in chunks_of(blocks)]
    assert got == reference_chunks(text)
    assert all(whole for *_, whole in chunks_of(blocks))


@pytest.mark.parametrize("path", sorted(REAL.glob("*.bib")), ids=lambda p: p.name)
def test_real_files_read_in_pieces_give_what_the_whole_text_gives(path):
    text = path.read_text(encoding="utf-8")
    whole = parse_bibtex(text)
    assert whole[0], "the file gives papers"
    for size in (7, 1000, 65536):
        assert streamed(pieces(text, size)) == whole, f"pieces of {size}"


def test_an_entry_too_long_to_hold_is_skipped_alone():
    entries = [f"@misc{{k{n},\n  title = {{Paper {n}}},\n  abstract = {{short}}\n}}\n" for n in range(4)]
    entries[1] = "@article{long,\n  title = {Long one},\n  abstract = {" + "words and words\n" * 200 + "}\n}\n"
    text = "".join(entries)
    papers, problems = streamed(pieces(text, 64), longest=1000)
    assert [p.title for p in papers] == ["Paper 0", "Paper 2", "Paper 3"]
    assert problems == [f"entry 2 (line 5): longer than {LONGEST_ENTRY >> 20} MB, not read"]
    # Line numbers past the skipped entry are still right.
    _, whole_problems = parse_bibtex(text.replace("title = {Paper 3}", "title = {}"))
    _, cut_problems = streamed(pieces(text.replace("title = {Paper 3}", "title = {}"), 64), longest=1000)
    assert cut_problems[-1] == whole_problems[-1]
    assert whole_problems[-1].startswith("entry 4 (line 21")


def test_a_file_with_an_entry_over_the_limit_imports_the_rest(tmp_path, pq_home):
    path = tmp_path / "big.bib"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("@misc{a, title={First paper}, abstract={One.}}\n")
        handle.write("@misc{huge, title={Huge}, abstract={")
        line = "all work and no play " * 50 + "\n"
        for _ in range(LONGEST_ENTRY // len(line) + 10):
            handle.write(line)
        handle.write("}}\n@misc{b, title={Last paper}, abstract={Two.}}\n")
    store = Store.open()
    try:
        result = import_file(store, path)
        assert sorted(p.title for p in store.papers.values()) == ["First paper", "Last paper"]
    finally:
        store.close()
    assert result.problems == [f"entry 2 (line 2): longer than {LONGEST_ENTRY >> 20} MB, not read"]
    assert result.not_understood == 1


CROSSREF = """\
@inproceedings{child,
  title = {A Child Paper},
  author = {Ada Lovelace},
  crossref = {conf2020},
}
@inproceedings{self, title = {Names Itself}, crossref = {Self}}
@proceedings{conf2020,
  title = {Proceedings of the Conference},
  year = {2020},
  publisher = {Press},
  crossref = {series},
}
@proceedings{series, title = {The Series}, address = {Far Away}}
"""


def test_crossref_parents_later_in_a_file_are_found(tmp_path, pq_home):
    path = tmp_path / "refs.bib"
    path.write_text(CROSSREF * 1, encoding="utf-8")
    whole, _ = parse_bibtex(CROSSREF)
    assert streamed(pieces(CROSSREF, 13))[0] == whole
    by_title = {p.title: p for p in whole}
    # Through the chain child -> conf2020 -> series (as inherit() resolves it).
    assert by_title["A Child Paper"].venue == "The Series"
    assert by_title["A Child Paper"].published == "2020"
    assert by_title["Names Itself"].venue is None  # its own title is not its booktitle
    store = Store.open()
    try:
        import_file(store, path)
        (child,) = [p for p in store.papers.values() if p.title == "A Child Paper"]
        details = store.details(child.key)
        assert details.venue == "The Series" and details.published == "2020"
    finally:
        store.close()


def test_a_big_bibtex_file_costs_no_more_memory_than_the_paper_it_holds(tmp_path, pq_home):
    """120 MB of entries that are all one paper (same DOI): the store keeps
    one paper, and the import must not hold the file, its entries or its
    papers (the whole-file parser peaked at several times the file size)."""
    from test_import_limits import run_import

    abstract = " ".join(f"word{n % 97}" for n in range(300))
    entry = "@article{{k{n},\n  title = {{One Paper Repeated}},\n  author = {{Smith, Anna}},\n" \
            "  doi = {{10.1234/same}},\n  year = {{2020}},\n  abstract = {{{abstract}}}\n}}\n\n"
    path = tmp_path / "repeated.bib"
    with path.open("w", encoding="utf-8") as handle:
        for n in range(60_000):
            handle.write(entry.format(n=n, abstract=abstract))
    assert path.stat().st_size > 120_000_000
    run = run_import(pq_home, path)
    assert run.code == 0, run.err
    assert "repeated.bib: BibTeX: 1 new" in run.out
    assert run.peak_mb < 100, f"peak {run.peak_mb:.0f} MB for a {path.stat().st_size >> 20} MB file"
