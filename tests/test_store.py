"""The store on disk: idempotent imports, identity, durability, corruption, the lock."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.importing import import_file
from paperqueue.core.lock import StoreLockedError
from paperqueue.core.models import PaperState
from paperqueue.core.store import ReadOnlyStoreError, Store

from conftest import SAMPLE


def paper(title: str, abstract: str = "An abstract.", arxiv_id: str | None = None) -> ParsedPaper:
    return ParsedPaper(title=title, abstract=abstract, arxiv_id=arxiv_id, links=())


def test_sample_import_then_reimport_adds_nothing_and_keeps_state(pq_home: Path) -> None:
    store = Store.open(pq_home)
    first = import_file(store, SAMPLE)
    assert (first.new, first.existing) == (79, 0)
    key = store.ordered_papers()[3].key
    store.set_state(key, PaperState().with_star(True, "2026-01-01T00:00:00Z").with_read(True, "2026-01-02T00:00:00Z"))
    store.flush()
    again = import_file(store, SAMPLE)
    assert (again.new, again.existing) == (0, 79)
    assert again.summary().startswith("0 new, 79 already in the queue")
    store.close()

    reopened = Store.open(pq_home)
    assert len(reopened.papers) == 79
    state = reopened.state(key)
    assert state.starred and state.read
    assert state.starred_at == "2026-01-01T00:00:00Z"
    assert state.read_at == "2026-01-02T00:00:00Z"
    reopened.close()


def test_ordered_papers_keep_page_order_with_newest_import_first(pq_home: Path) -> None:
    store = Store.open(pq_home)
    store.add_papers([paper("Old one"), paper("Old two")], source="a")
    store.add_papers([paper("New one"), paper("New two")], source="b")
    assert [p.title for p in store.ordered_papers()] == ["New one", "New two", "Old one", "Old two"]
    store.close()


def test_paper_seen_by_title_then_by_id_stays_one_paper(pq_home: Path) -> None:
    store = Store.open(pq_home)
    store.add_papers([paper("Attention Is All You Need", abstract="")], source="page")
    (key,) = store.papers
    assert key.startswith("title:")
    result = store.add_papers([paper("attention is all you need!", "Transformers.", "1706.03762")], source="feed")
    assert (result.new, result.existing) == (0, 1)
    assert list(store.papers) == [key], "the key is permanent"
    merged = store.papers[key]
    assert merged.arxiv_id == "1706.03762"
    assert store.details(key).abstract == "Transformers."
    assert merged.primary_link == "https://arxiv.org/abs/1706.03762"
    # Now the id alone finds it, even under a different title.
    assert store.find("1706.03762", "Something else") == key
    store.close()


def test_paper_with_id_gets_arxiv_key(pq_home: Path) -> None:
    store = Store.open(pq_home)
    store.add_papers([paper("A paper", arxiv_id="2403.01234")], source="x")
    assert list(store.papers) == ["arxiv:2403.01234"]
    store.close()


def test_duplicate_within_one_import_is_one_paper(pq_home: Path) -> None:
    store = Store.open(pq_home)
    result = store.add_papers([paper("Same Title"), paper("same   title")], source="x")
    assert (result.new, result.existing, result.repeated) == (1, 0, 1)
    store.close()


def test_failed_write_leaves_disk_as_it_was_and_keeps_change_pending(pq_home: Path, monkeypatch) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    state_file = pq_home / "state" / "00000.json"
    key = next(iter(store.papers))
    store.set_state(key, PaperState(starred=True))
    store.flush()
    before = state_file.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    other = list(store.papers)[1]
    store.set_state(other, PaperState(read=True))
    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        store.flush()
    assert state_file.read_bytes() == before
    assert store.unsaved == 1
    assert not [p for p in pq_home.rglob("*.tmp")], "temp files are cleaned up"
    monkeypatch.undo()
    monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
    store.flush()
    assert store.unsaved == 0
    store.close()
    assert Store.open(pq_home).state(other).read


def test_corrupt_meta_is_set_aside_and_the_index_still_counts(pq_home: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    store.close()
    (pq_home / "meta.json").write_text("{broken")
    again = Store.open(pq_home)
    assert len(again.papers) == 79 and again.count == 79
    assert any("not valid JSON" in w for w in again.warnings)
    assert any("rebuilt meta.json" in w for w in again.warnings)
    result = import_file(again, SAMPLE)
    assert (result.new, result.existing) == (0, 79)
    again.close()


def test_corrupt_file_is_set_aside_not_deleted(pq_home: Path) -> None:
    pq_home.mkdir(parents=True)
    garbage = b'{"papers": {"1": {"key": "x", "tit'
    (pq_home / "meta.json").write_bytes(garbage)
    store = Store.open(pq_home)
    assert store.papers == {}
    assert any("not valid JSON" in warning for warning in store.warnings)
    aside = [p for p in pq_home.iterdir() if p.name.startswith("meta.json.") and p.name.endswith(".corrupt")]
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    import_file(store, SAMPLE)
    store.close()
    assert len(json.loads((pq_home / "index" / "00000.json").read_text())["papers"]) == 79
    assert json.loads((pq_home / "meta.json").read_text())["meta"]["1"]["count"] == 79


def test_second_writer_is_refused_or_read_only(pq_home: Path) -> None:
    first = Store.open(pq_home)
    import_file(first, SAMPLE)
    with pytest.raises(StoreLockedError, match="open in another paperqueue"):
        Store.open(pq_home)
    second = Store.open(pq_home, read_only_if_locked=True)
    assert second.read_only and len(second.papers) == 79
    with pytest.raises(ReadOnlyStoreError):
        second.set_state(next(iter(second.papers)), PaperState(starred=True))
    first.close()
    third = Store.open(pq_home)
    assert not third.read_only
    third.close()


def test_write_keeps_file_mode(pq_home: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    key = next(iter(store.papers))
    store.set_state(key, PaperState(starred=True))
    store.flush()
    state_file = pq_home / "state" / "00000.json"
    os.chmod(state_file, 0o640)
    store.set_state(key, PaperState(starred=False))
    store.flush()
    assert state_file.stat().st_mode & 0o777 == 0o640
    store.close()


def test_settings_survive_restart(pq_home: Path) -> None:
    store = Store.open(pq_home)
    store.set_settings(view="starred", key="arxiv:1")
    store.flush()
    store.close()
    assert Store.open(pq_home).settings == {"view": "starred", "key": "arxiv:1"}
