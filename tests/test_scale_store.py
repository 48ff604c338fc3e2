"""The sharded store: migration from the first layout, bounded writes,
the search cache, and write failures that leave the disk as it was."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from paperqueue.cli import main
from paperqueue.core import atomic
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.importing import import_file
from paperqueue.core.models import PaperState
from paperqueue.core.search import SearchIndex, query_words
from paperqueue.core.store import Store, layout

from conftest import SAMPLE


def papers(n: int, start: int = 0) -> list[ParsedPaper]:
    return [ParsedPaper(f"Synthetic paper {i}", f"Abstract {i} about topic{i % 7}.", None, ()) for i in range(start, start + n)]


def test_first_layout_is_migrated_keeping_everything(pq_home: Path) -> None:
    pq_home.mkdir(parents=True)
    v1_papers = {
        "papers": {
            "1": {"key": "title:a", "title": "A", "abstract": "Alpha text.", "arxiv_id": None, "links": ["https://github.com/a/a"], "added_at": "2026-01-01T00:00:00Z", "seq": 1, "batch": 1},
            "2": {"key": "arxiv:2403.01234", "title": "B", "abstract": "Beta text.", "arxiv_id": "2403.01234", "links": [], "added_at": "2026-01-01T00:00:00Z", "seq": 2, "batch": 1},
        }
    }
    v1_state = {"state": {"1": {"key": "arxiv:2403.01234", "starred": True, "read": True, "starred_at": "2026-01-02T00:00:00Z", "read_at": "2026-01-03T00:00:00Z"}}}
    (pq_home / "papers.json").write_text(json.dumps(v1_papers))
    (pq_home / "state.json").write_text(json.dumps(v1_state))
    (pq_home / "settings.json").write_text(json.dumps({"settings": {"1": {"view": "starred", "key": "arxiv:2403.01234"}}}))
    store = Store.open(pq_home)
    assert any("Moved the queue (2 papers, 1 with stars or read marks)" in w for w in store.warnings)
    assert set(store.papers) == {"title:a", "arxiv:2403.01234"}
    assert store.details("title:a").abstract == "Alpha text."
    assert store.papers["title:a"].links == ("https://github.com/a/a",)
    state = store.state("arxiv:2403.01234")
    assert state.starred and state.read and state.read_at == "2026-01-03T00:00:00Z"
    assert store.settings["view"] == "starred"
    assert (pq_home / "papers.json.v1").exists() and (pq_home / "state.json.v1").exists()
    assert not (pq_home / "papers.json").exists()
    store.close()
    again = Store.open(pq_home)
    assert again.warnings == [] and len(again.papers) == 2
    again.close()


def test_writes_touch_only_their_shards(pq_home: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 10)
    store = Store.open(pq_home)
    store.add_papers(papers(35), source="big")
    abstracts = sorted(p.name for p in (pq_home / "abstracts").iterdir())
    assert abstracts == ["00000.json", "00001.json", "00002.json", "00003.json"]
    before = {p.name: p.stat().st_mtime_ns for p in (pq_home / "abstracts").iterdir()}
    store.add_papers(papers(3, start=100), source="small")
    after = {p.name: p.stat().st_mtime_ns for p in (pq_home / "abstracts").iterdir()}
    assert [name for name in after if before.get(name) != after[name]] == ["00003.json"], "a small import touches the last shard only"
    key = min(store.papers.values(), key=lambda p: p.id).key  # the very first paper: shard 0
    store.set_state(key, PaperState(starred=True))
    store.flush()
    assert [p.name for p in (pq_home / "state").iterdir()] == ["00000.json"]
    store.close()


def test_import_keeps_the_search_cache_current(pq_home: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    index = SearchIndex(pq_home / layout.SEARCH)
    assert index.generation() == store.generation == 1
    ids = index.search(query_words("latent diffusion"))
    titles = {p.title for p in store.papers.values() if p.id in ids}
    assert "High-Resolution Image Synthesis with Latent Diffusion Models" in titles
    assert index.search(query_words("LATENT diff")) == ids | index.search(query_words("latent diff")), "case-insensitive"
    assert index.search(query_words("objaverse")), "abstract words are indexed"
    assert not index.search(query_words("latent zzzzqqq"))
    index.close()
    store.close()


def test_missing_or_stale_search_cache_is_detected(pq_home: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    (pq_home / layout.SEARCH).unlink()
    index = SearchIndex(pq_home / layout.SEARCH)
    assert index.generation() != store.generation, "a new empty cache is not current for a full store"
    index.rebuild(((p.id, p.title, d.abstract) for p, d in store.iter_details()), store.generation)
    assert index.generation() == store.generation
    assert index.search(query_words("objaverse"))
    index.close()
    (pq_home / layout.SEARCH).write_bytes(b"this is not sqlite")
    assert SearchIndex(pq_home / layout.SEARCH).generation() is None
    store.close()


def test_cli_import_on_a_full_disk_exits_1_and_changes_nothing(pq_home: Path, monkeypatch, capsys) -> None:
    assert main(["import", str(SAMPLE)]) == 0
    before = {str(p.relative_to(pq_home)): p.read_bytes() for p in pq_home.rglob("*.json")}
    extra = pq_home.parent / "more.txt"
    extra.write_text("A brand new paper title\n\nWith a short abstract.\n")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", full)
    capsys.readouterr()
    assert main(["import", str(extra)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    monkeypatch.undo()
    monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
    after = {str(p.relative_to(pq_home)): p.read_bytes() for p in pq_home.rglob("*.json")}
    assert after == before


def test_read_only_folder_is_reported_and_disk_unchanged(pq_home: Path, monkeypatch) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    key = next(iter(store.papers))

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", read_only)
    store.set_state(key, PaperState(starred=True))
    with pytest.raises(OSError, match="Read-only"):
        store.flush()
    assert store.unsaved == 1
    assert not list(pq_home.rglob("state/*.json")), "nothing written"
    store.close()


def test_head_loading_reads_the_newest_rows_first(pq_home: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 10)
    store = Store.open(pq_home)
    store.add_papers(papers(55), source="old")  # ids 1-55, batch 1
    store.add_papers(papers(12, start=100), source="new")  # ids 56-67, batch 2
    everything = store.ordered_papers()
    store.close()
    head = Store.open(pq_home, head=20)
    assert not head.complete and head.count == 67
    top = head.ordered_papers()
    assert [p.key for p in top[:20]] == [p.key for p in everything[:20]], "the first screen is right"
    head.load_rest()
    assert head.complete and [p.key for p in head.ordered_papers()] == [p.key for p in everything]
    head.close()


def test_an_import_that_dies_before_its_commit_point_leaves_nothing_visible(pq_home: Path, monkeypatch) -> None:
    from paperqueue.core.store.tables import TableFile

    store = Store.open(pq_home)
    store.add_papers(papers(5), source="first")
    store.close()
    real_put = TableFile.put

    def dies_at_meta(self, docs, **other):
        if self.path.name == "meta.json":
            raise OSError(28, "No space left on device")
        return real_put(self, docs, **other)

    monkeypatch.setattr(TableFile, "put", dies_at_meta)
    store = Store.open(pq_home)
    with pytest.raises(OSError):
        store.add_papers(papers(7, start=50), source="second")
    store.close()
    monkeypatch.undo()
    monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
    again = Store.open(pq_home)
    assert again.count == 5 and len(again.papers) == 5, "abstracts and index were written, but not committed"
    result = again.add_papers(papers(7, start=50), source="second")
    assert result.new == 7 and len(again.papers) == 12
    assert sorted(p.id for p in again.papers.values()) == list(range(1, 13)), "uncommitted ids are reused"
    again.close()
