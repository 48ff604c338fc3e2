"""An import killed at every write boundary lands whole or not at all (issue 9
items 1, 2 and the proof): a first import into an empty folder, an import
that fills in known papers and adds new ones, and an import that folds
papers. After each stop the store opens, shows exactly the old queue or the
new one, a re-import reports the right counts, and the search index, when it
claims to be current, finds what the store holds.

``PQ_EVERY`` (default 1) stops at every N-th boundary only; ``make torture``
can set it to 1 with bigger imports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from paperqueue.core.importing import import_file
from paperqueue.core.models import PaperState
from paperqueue.core.search import SearchIndex, query_words
from paperqueue.core.store import Store, layout

from crash_harness import boundaries, every_boundary, run_child
from test_store_chunks import records_above

EVERY = int(os.environ.get("PQ_EVERY") or 1)
SHARD = 32  # small shards, so every import crosses several

CHILD = """
import sys
from pathlib import Path
from paperqueue.core.store import Store, layout
layout.SHARD_SIZE = {shard}
from paperqueue.core.importing import import_file
store = Store.open()
result = import_file(store, Path({path!r}))
print(result.new, result.existing, result.merged, result.folded, flush=True)
store.close()
"""


def hf_rows(rows: list[tuple[str, str, str]]) -> str:
    return json.dumps([{"paper": {"id": arxiv, "title": title, "summary": summary}} for arxiv, title, summary in rows])


def snapshot(store: Store) -> dict:
    """What a person can see of the queue."""
    store.load_rest()
    return {
        "count": store.count,
        "batches": sorted(store.batch_name(b) for b in store.batch_info),
        "papers": {
            paper.key: (paper.title, paper.arxiv_id, paper.doi, details.abstract, tuple(sorted(paper.batches)),
                        store.state(paper.key).to_record())
            for paper, details in store.iter_details()
        },
    }


def search_agrees(store: Store, words: list[str]) -> None:
    index = SearchIndex(store.home / layout.SEARCH)
    try:
        if index.generation() != store.generation:
            return  # stale: the app rebuilds it
        for word in words:
            wanted = {
                paper.id for paper, details in store.iter_details()
                if word in f"{paper.title} {details.abstract}".lower()
            }
            assert index.search(query_words(word)) == wanted, word
    finally:
        index.close()


def run_every_stop(pq_home: Path, tmp_path: Path, monkeypatch, prepare, file_text: str, words: list[str],
                   allowed_warning: str = "did not finish", name: str = "incoming.json", late: int | None = None) -> int:
    monkeypatch.setattr(layout, "SHARD_SIZE", SHARD)
    source = tmp_path / name
    source.write_text(file_text, encoding="utf-8")
    script = CHILD.format(shard=SHARD, path=str(source))
    if late is not None:  # late changes to written shards are written every `late` records
        script = script.replace("from paperqueue.core.importing", f"from paperqueue.core.store import chunks\nchunks.LATE_LIMIT = {late}\nfrom paperqueue.core.importing")
    work = tmp_path / "work"
    work.mkdir()
    start = tmp_path / "before"
    prepare(start)
    with Store.open(start) as before_store:
        old = snapshot(before_store)
    finished = tmp_path / "finished"
    import shutil

    shutil.copytree(start, finished)
    done = run_child(finished, script)
    assert done.returncode == 0, done.stderr
    counts = done.stdout.split()
    with Store.open(finished) as after_store:
        new = snapshot(after_store)
    assert new != old
    stops = 0
    for stop in every_boundary(pq_home, script, lambda home: shutil.copytree(start, home), work, every=EVERY):
        stops += 1
        store = Store.open(stop.home)
        try:
            unexpected = [w for w in store.warnings if allowed_warning not in w]
            assert unexpected == [], f"stop {stop.number} ({stop.label}): {unexpected}"
            seen = snapshot(store)
            assert seen in (old, new), f"stop {stop.number} ({stop.label}): neither the old queue nor the new one"
            assert len(store.papers) == store.count
            # Nothing uncommitted stays on disk (ids above max_id are reused).
            assert records_above(stop.home, store.max_id) == [], f"stop {stop.number} ({stop.label})"
            search_agrees(store, words)
            again = import_file(store, source)
            got = [str(again.new), str(again.existing), str(again.merged), str(again.folded)]
            if seen == old:
                assert got == counts, f"stop {stop.number} ({stop.label}): re-import after a lost import"
                assert snapshot(store) == new, f"stop {stop.number} ({stop.label}): re-import after a lost import"
            else:
                assert again.new == again.merged == again.folded == 0, f"stop {stop.number} ({stop.label})"
        finally:
            store.close()
        assert not list(stop.home.rglob("*.tmp")), "temp files are gone after a writer's open"
    return stops


def test_a_killed_first_import_shows_nothing_or_everything(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    rows = [(f"2401.{n:05d}", f"Paper {n} on zebrafish", f"Abstract {n} about zebrafish.") for n in range(1, 91)]
    stops = run_every_stop(pq_home, tmp_path, monkeypatch, lambda home: home.mkdir(parents=True), hf_rows(rows),
                           ["zebrafish"])
    assert stops > 10


def _known(home: Path, count: int) -> None:
    """A queue of ``count`` papers known by title alone, some starred."""
    home.mkdir(parents=True)
    page = home.parent / "known.txt"
    page.write_text("".join(f"Known paper {n} of the study\n\nA first line.\n\n" for n in range(count)), encoding="utf-8")
    with Store.open(home) as store:
        import_file(store, page)
        for key in sorted(store.papers)[::7]:
            store.set_state(key, PaperState(starred=True, starred_at="2024-01-01T00:00:00Z"))
        store.flush()


def test_a_killed_merge_leaves_known_papers_as_they_were(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    # 50 known papers gain arXiv ids and abstracts; 60 new ones arrive.
    rows = [(f"2402.{n + 1:05d}", f"Known paper {n} of the study", f"Now with an abstract on quokka {n}.") for n in range(50)]
    rows += [(f"2403.{n + 1:05d}", f"New paper {n} on zebrafish", f"Abstract {n} about zebrafish.") for n in range(60)]
    stops = run_every_stop(pq_home, tmp_path, monkeypatch, lambda home: _known(home, 50), hf_rows(rows),
                           ["zebrafish", "quokka"])
    assert stops > 10


def _twice(home: Path, count: int) -> None:
    """``count`` papers each held twice: by arXiv id alone and by title alone."""
    home.mkdir(parents=True)
    ids = home.parent / "ids.txt"
    ids.write_text("".join(f"arXiv:2405.{n + 1:05d}\n" for n in range(count)), encoding="utf-8")
    page = home.parent / "titles.txt"
    page.write_text("".join(f"Twin paper {n} on folding\n\nA page abstract {n}.\n\n" for n in range(count)), encoding="utf-8")
    with Store.open(home) as store:
        import_file(store, ids)
        import_file(store, page)
        for key in sorted(store.papers)[::3]:
            store.set_state(key, PaperState(read=True, read_at="2024-02-02T00:00:00Z", tags=("t",)))
        store.flush()


def test_a_killed_fold_leaves_both_papers_or_one(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    rows = [(f"2405.{n + 1:05d}", f"Twin paper {n} on folding", f"The feed abstract {n} on folding.") for n in range(40)]
    stops = run_every_stop(pq_home, tmp_path, monkeypatch, lambda home: _twice(home, 40), hf_rows(rows),
                           ["folding", "feed"])
    assert stops > 10


def _chunked_bib() -> str:
    """New papers over several shards, some named again further down with an
    abstract (changes to shards written while reading), and known papers
    gaining a DOI."""
    def entry(key: str, title: str, extra: str = "") -> str:
        return f"@article{{{key},\n  title = {{{title}}},\n  year = {{2021}},{extra}\n}}\n\n"

    new = [entry(f"n{n}", f"New paper {n} on zebrafish") for n in range(110)]
    again = [entry(f"a{n}", f"New paper {n} on zebrafish", f"\n  abstract = {{Late words on otters {n}.}},") for n in range(24)]
    known = [entry(f"k{n}", f"Known paper {n} of the study", f"\n  doi = {{10.5555/known.{n}}},") for n in range(30)]
    return "".join(new[:50] + again + new[50:80] + known + new[80:])


def test_a_killed_chunked_import_shows_nothing_or_everything(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    """Shards written while the file is read, written ones changed again
    (every 8 changes), known papers merged: killed at every boundary."""
    stops = run_every_stop(pq_home, tmp_path, monkeypatch, lambda home: _known(home, 30), _chunked_bib(),
                           ["zebrafish", "otters"], name="incoming.bib", late=8)
    assert stops > 30


def test_the_boundaries_of_an_import_include_a_journal_before_any_shard(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", SHARD)
    rows = [(f"2402.{n + 1:05d}", f"Known paper {n} of the study", f"Abstract quokka {n}.") for n in range(50)]
    source = tmp_path / "incoming.json"
    source.write_text(hf_rows(rows), encoding="utf-8")
    labels = boundaries(pq_home, CHILD.format(shard=SHARD, path=str(source)), lambda home: _known(home, 50), tmp_path)
    writes = [label.split(" ", 1)[1] for label in labels if label.startswith("write ")]
    assert writes[0] == "import.journal" and writes[-1] == "meta.json"
