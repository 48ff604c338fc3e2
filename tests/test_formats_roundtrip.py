"""Importing every format into one queue: identity across sources, what a
richer source fills in, batches, exports, and the JSON round trip."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from paperqueue.cli import main
from paperqueue.core.export import export
from paperqueue.core.importing import import_file
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store

from conftest import SAMPLE

FIXTURES = Path(__file__).parent / "importers" / "fixtures"

PAGE = """Attention Is All You Need

The dominant sequence transduction models are based on complex recurrent networks. Code at https://github.com/tensorflow/tensor2tensor.

Some Paper Only On This Page

A short abstract.
"""

HF = [
    {
        "paper": {
            "id": "1706.03762",
            "title": "Attention Is All You Need",
            "summary": "The authoritative abstract from the API.",
            "authors": [{"name": "Ashish Vaswani"}, {"name": "Noam Shazeer"}],
            "publishedAt": "2017-06-12T17:57:34.000Z",
            "upvotes": 42,
            "githubRepo": "https://github.com/tensorflow/tensor2tensor",
        },
        "publishedAt": "2017-06-13T00:00:00.000Z",
        "numComments": 3,
    }
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_page_then_feed_is_one_paper_with_the_feed_text(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "page.txt", PAGE))
    key = store.find(None, "Attention Is All You Need")
    assert key.startswith("title:")
    store.set_state(key, PaperState(starred=True, starred_at="2026-01-01T00:00:00Z"))
    store.flush()
    result = import_file(store, write(tmp_path, "daily.json", json.dumps(HF)))
    assert (result.format, result.new, result.existing, result.merged) == ("hf", 0, 1, 1)
    paper = store.papers[key]
    assert paper.arxiv_id == "1706.03762" and paper.primary_link == "https://arxiv.org/abs/1706.03762"
    details = store.details(key)
    assert details.abstract == "The authoritative abstract from the API."
    assert details.authors == ("Ashish Vaswani", "Noam Shazeer") and details.upvotes == 42
    assert store.state(key).starred, "a merge never touches state"
    # Pasting the page again does not undo the feed's text.
    again = import_file(store, write(tmp_path, "page2.txt", PAGE))
    assert (again.new, again.merged) == (0, 0)
    assert store.details(key).abstract == "The authoritative abstract from the API."
    assert list(store.papers).count(key) == 1 and len(store.papers) == 2
    store.close()


def test_id_only_paper_gains_title_and_abstract(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "ids.txt", "arXiv:1706.03762v5\nhttps://arxiv.org/pdf/2403.01234v2.pdf\n"))
    assert store.papers["arxiv:1706.03762"].title == ""
    assert store.papers["arxiv:1706.03762"].display_title.startswith("arXiv:1706.03762")
    result = import_file(store, write(tmp_path, "daily.json", json.dumps(HF)))
    assert (result.new, result.merged) == (0, 1)
    assert store.papers["arxiv:1706.03762"].title == "Attention Is All You Need"
    store.close()


def test_same_title_different_ids_are_never_merged(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    feed = [dict(HF[0], paper=dict(HF[0]["paper"], id="2101.00001")), dict(HF[0], paper=dict(HF[0]["paper"], id="2101.00002"))]
    result = import_file(store, write(tmp_path, "two.json", json.dumps(feed)))
    assert result.new == 2 and set(store.papers) == {"arxiv:2101.00001", "arxiv:2101.00002"}
    bib = (
        "@article{a, title={Same Title}, doi={10.1000/aaa}, year={2020}}\n"
        "@article{b, title={Same Title}, doi={10.1000/bbb}, year={2021}}\n"
    )
    result = import_file(store, write(tmp_path, "refs.bib", bib))
    assert result.new == 2, "different DOIs: two papers despite one title"
    assert {"doi:10.1000/aaa", "doi:10.1000/bbb"} <= set(store.papers)
    # An arXiv preprint of the same title may be the journal paper: it merges,
    # and arXiv's own DOI does not count as a conflicting DOI.
    preprint = "@misc{c, title={Same Title}, doi={10.48550/arXiv.2101.00003}}\n"
    result = import_file(store, write(tmp_path, "pre.bib", preprint))
    assert (result.new, result.merged) == (0, 1)
    assert store.papers["doi:10.1000/aaa"].arxiv_id == "2101.00003"
    store.close()


def test_doi_matches_before_title(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "a.bib", "@article{a, title={Original Name}, doi={10.1000/XYZ}}\n"))
    result = import_file(store, write(tmp_path, "b.bib", "@article{b, title={Renamed In Journal}, doi={https://doi.org/10.1000/xyz}, abstract={Now with words.}}\n"))
    assert (result.new, result.merged) == (0, 1)
    (paper,) = store.papers.values()
    assert paper.title == "Original Name" and store.details(paper.key).abstract == "Now with words."
    store.close()


def test_batches_keep_every_import_and_papers_join_them(pq_home: Path, tmp_path: Path, capsys) -> None:
    assert main(["import", "--name", "monday", str(SAMPLE)]) == 0
    page = write(tmp_path, "page.txt", PAGE)
    assert main(["import", "--name", "tuesday", str(page)]) == 0
    store = Store.open(pq_home)
    names = sorted(store.batch_name(b) for b in store.batch_info)
    assert names == ["monday", "tuesday"]
    tuesday = next(b for b in store.batch_info if store.batch_name(b) == "tuesday")
    assert sum(p.in_batch(tuesday) for p in store.papers.values()) == 2
    store.close()
    capsys.readouterr()
    assert main(["export", "--batch", "tuesday", "--format", "markdown"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("- [ ] [") for line in out)


def test_dry_run_writes_nothing(pq_home: Path, capsys) -> None:
    assert main(["import", "--dry-run", str(SAMPLE)]) == 0
    assert "would import: 79 new" in capsys.readouterr().out
    assert not (pq_home / "meta.json").exists()


def test_json_round_trip_gives_the_same_queue(pq_home: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    for name in ("hf_daily_papers.json", "references.bib", "arxiv_api_response.atom"):
        import_file(store, FIXTURES / name)
    keys = [p.key for p in store.ordered_papers()]
    store.set_state(keys[0], PaperState(starred=True, starred_at="2026-02-01T00:00:00Z"))
    store.set_state(keys[5], PaperState(read=True, read_at="2026-02-02T00:00:00Z"))
    store.flush()
    exported = export(store, "json")
    store.close()
    dump = write(tmp_path, "queue.json", exported)
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("PAPERQUEUE_HOME", str(fresh))
    try:
        assert main(["import", str(dump)]) == 0
    finally:
        monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
    assert "paperqueue JSON export" in capsys.readouterr().out
    again = Store.open(fresh)
    before = json.loads(exported)
    after = json.loads(export(again, "json"))
    ignore = {"batches"}
    assert [{k: v for k, v in row.items() if k not in ignore} for row in sorted(after, key=lambda r: r["key"])] == [
        {k: v for k, v in row.items() if k not in ignore} for row in sorted(before, key=lambda r: r["key"])
    ]
    again.close()


def test_csv_cells_never_run_as_formulas(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, write(tmp_path, "evil.txt", "=HYPERLINK(\"http://x\") evil title\n\n@SUM(1+1) abstract.\n"))
    text = export(store, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"].startswith("'=HYPERLINK")
    assert rows[0]["abstract"].startswith("'@SUM")
    store.close()


def test_bibtex_export_is_latex_safe_with_stable_keys(pq_home: Path, tmp_path: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, FIXTURES / "references.bib")
    import_file(store, write(tmp_path, "odd.txt", "Costs & 50% of $x_1$ {braces} #1\n\nAbstract.\n"))
    text = export(store, "bibtex")
    assert r"Costs \& 50\% of $x_1$ \{braces\} \#1" in text, "math passes through; the rest is escaped"
    assert "eprint = {1706.03762}" in text and "archivePrefix = {arXiv}" in text
    assert "@misc{vaswani2017attention," in text
    keys = [line.split("{", 1)[1].rstrip(",") for line in text.splitlines() if line.startswith("@misc{")]
    assert len(keys) == len(set(keys)), "citation keys are unique"
    assert text == export(store, "bibtex"), "stable across exports"
    store.close()


@pytest.mark.parametrize("bad", ["bomb.xml", "garbage.json"])
def test_unusable_files_are_refused_while_others_import(pq_home: Path, tmp_path: Path, capsys, bad: str) -> None:
    contents = {
        "bomb.xml": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><feed xmlns="http://www.w3.org/2005/Atom">&lol2;</feed>',
        "garbage.json": '{"not": "papers"}',
    }
    path = write(tmp_path, bad, contents[bad])
    assert main(["import", str(path), str(SAMPLE)]) == 2
    out, err = capsys.readouterr()
    assert "79 new" in out
    assert err.startswith(f"paperqueue: {path}: ") and len(err.strip().splitlines()) == 1
