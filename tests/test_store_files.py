"""The store's files as they land on disk: the import commit, the first
screen's shards, the move from the first layout, unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperqueue.core.importing import import_file
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store, layout
from paperqueue.core.store.layout import head_shards

from conftest import SAMPLE

NOW = "2025-03-04T05:06:07Z"


def files(home: Path) -> dict[str, bytes]:
    """The store of record, byte for byte (not the lock, log or derived caches)."""
    skip = ("queue.lock", "history.jsonl", "similar.bin")
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in home.rglob("*")
        if p.is_file() and p.name not in skip and not p.name.startswith("search.sqlite")
    }


def test_an_import_commits_meta_last_with_its_batch(pq_home: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 10)
    store = Store.open(pq_home, clock=lambda: NOW)
    calls: list[tuple[str, int, int]] = []
    import_file(store, SAMPLE, source="trending.txt", progress=lambda *a: calls.append(a))
    store.close()
    shards = len(list((pq_home / "abstracts").glob("*.json")))
    assert shards == 8
    writing = [c for c in calls if c[0] == "writing"]
    # Full shards are written while the file is read; the commit writes the
    # last one: one step per abstract shard it writes, out of those and the commit.
    assert writing == [("writing", 1, 2)]
    meta = json.loads((pq_home / "meta.json").read_text())["meta"]["1"]
    assert meta["layout"] == layout.LAYOUT and meta["count"] == 79 and meta["max_id"] == 79
    assert meta["batches"] == {"1": {"name": "trending.txt 2025-03-04", "added_at": NOW, "start": 1}}
    again = Store.open(pq_home)
    assert again.batch_name(1) == "trending.txt 2025-03-04" and again.generation == meta["generation"]
    again.close()


# head_shards: which index shards hold the first rows of the newest-first list.
S = layout.SHARD_SIZE


def test_head_shards_without_batch_starts_read_everything() -> None:
    assert head_shards({}, 10, 5, [0, 3]) == {0, 3}
    assert head_shards({1: {"name": "x"}}, 10, 5, [0]) == {0}


def test_head_shards_stop_at_the_committed_last_paper() -> None:
    # One import of ids 1..S+1: its newest rows start at id 1 and run into shard 1.
    assert head_shards({1: {"start": 1}}, S + 1, 2 * S, [0, 1, 2]) == {0, 1}
    # Ids 1..S fill shard 0 exactly; shard 1 on disk is an import that never committed.
    assert head_shards({1: {"start": 1}}, S, 2 * S, [0, 1]) == {0}


def test_head_shards_take_just_enough_of_each_import() -> None:
    batches = {1: {"start": 1}, 2: {"start": S + 1}, 3: {"start": 2 * S + 1}}
    max_id = 3 * S
    # The newest import alone fills the screen.
    assert head_shards(batches, max_id, S, [0, 1, 2]) == {2}
    assert head_shards(batches, max_id, 1, [0, 1, 2]) == {2}
    # One row more reaches into the import before.
    assert head_shards(batches, max_id, S + 1, [0, 1, 2]) == {1, 2}
    assert head_shards(batches, max_id, 2 * S, [0, 1, 2]) == {1, 2}
    assert head_shards(batches, max_id, 2 * S + 1, [0, 1, 2]) == {0, 1, 2}
    # Shards not on disk are not asked for.
    assert head_shards(batches, max_id, 3 * S, [2]) == {2}


def test_head_shards_of_an_import_ending_at_a_shard_boundary() -> None:
    # Import 2 holds ids S-1..S (the end of shard 0); import 3 holds S+1..S+2.
    batches = {1: {"start": 1}, 2: {"start": S - 1}, 3: {"start": S + 1}}
    assert head_shards(batches, S + 2, 2, [0, 1]) == {1}
    assert head_shards(batches, S + 2, 3, [0, 1]) == {0, 1}


def v1_store(home: Path, papers: object, state: object) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "papers.json").write_text(papers if isinstance(papers, str) else json.dumps(papers))
    (home / "state.json").write_text(state if isinstance(state, str) else json.dumps(state))


V1_PAPERS = {"papers": {"1": {"key": "title:a", "title": "A", "abstract": "Alpha.", "batch": 1, "added_at": "2026-01-01T00:00:00Z"}}}


def test_a_first_layout_store_with_a_broken_state_file_keeps_its_papers(pq_home: Path) -> None:
    v1_store(pq_home, V1_PAPERS, '{"state": {"1": {"key": "title:a", "sta')
    store = Store.open(pq_home)
    assert set(store.papers) == {"title:a"} and store.details("title:a").abstract == "Alpha."
    aside = [p.name for p in pq_home.iterdir() if p.name.startswith("state.json.") and p.name.endswith(".corrupt")]
    assert len(aside) == 1
    assert f"state.json was not valid JSON; moved it to {aside[0]}" in store.warnings
    assert any(w.startswith("Moved the queue (1 papers, 0 with stars or read marks)") and w.endswith("papers.json.v1") for w in store.warnings)
    store.close()


@pytest.mark.parametrize("state", [[1, 2], {"state": [1, 2]}, {"other": {}}])
def test_a_first_layout_state_file_of_the_wrong_shape_is_read_as_empty(pq_home: Path, state: object) -> None:
    v1_store(pq_home, V1_PAPERS, state)
    store = Store.open(pq_home)
    assert set(store.papers) == {"title:a"} and store.state("title:a") == PaperState()
    assert any("papers.json.v1 and state.json.v1" in w for w in store.warnings)
    store.close()


def test_a_reader_shows_an_unreadable_file_as_empty_while_the_writer_holds_it(pq_home: Path) -> None:
    writer = Store.open(pq_home)
    import_file(writer, SAMPLE)
    key = next(iter(writer.papers))
    writer.set_state(key, PaperState(starred=True))
    writer.flush()
    state_file = pq_home / "state" / "00000.json"
    state_file.write_bytes(b'{"state": {"1": ')
    reader = Store.open(pq_home, read_only_if_locked=True)
    assert reader.read_only and len(reader.papers) == 79
    assert reader.state(key) == PaperState()
    assert any(w.startswith("state/00000.json was not valid JSON; showing it as empty until paperqueue can set it aside")
               for w in reader.warnings), reader.warnings
    assert state_file.read_bytes() == b'{"state": {"1": ', "a reader never moves the writer's files"
    reader.close()
    writer.close()


def test_a_retried_flush_after_a_full_disk_keeps_the_other_states(pq_home: Path, monkeypatch) -> None:
    import errno
    import os

    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    first, second = list(store.papers)[:2]
    store.set_state(first, PaperState(starred=True))
    store.flush()
    real_replace = os.replace

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    store.set_state(second, PaperState(read=True))
    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        store.flush()
    monkeypatch.setattr(os, "replace", real_replace)
    store.flush()
    store.close()
    again = Store.open(pq_home)
    assert again.state(first).starred, "the retry must not write the shard from an empty memory"
    assert again.state(second).read
    again.close()


def test_a_state_back_to_nothing_leaves_the_shard(pq_home: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    a, b, c = list(store.papers)[:3]
    store.set_state(a, PaperState(starred=True))
    store.set_state(b, PaperState(read=True))
    store.flush()
    store.set_state(a, PaperState())
    store.set_state(c, PaperState(starred=True))  # starred and unstarred before any flush
    store.set_state(c, PaperState())
    store.flush()
    store.close()
    docs = json.loads((pq_home / "state" / "00000.json").read_text())["state"]
    assert [d["key"] for d in docs.values()] == [b]


def test_a_migrated_store_whose_old_files_were_not_renamed_is_not_migrated_again(pq_home: Path) -> None:
    v1_store(pq_home, V1_PAPERS, {"state": {}})
    Store.open(pq_home).close()
    # A crash between the new layout's commit and the renames leaves papers.json behind.
    (pq_home / "papers.json.v1").replace(pq_home / "papers.json")
    store = Store.open(pq_home)
    assert store.warnings == [] and set(store.papers) == {"title:a"}
    assert not (pq_home / "papers.json").exists() and (pq_home / "papers.json.v1").exists()
    store.close()


def test_a_first_layout_store_with_a_broken_papers_file_is_set_aside(pq_home: Path) -> None:
    v1_store(pq_home, '{"papers": {"1": {"key"', {"state": {}})
    store = Store.open(pq_home)
    assert store.papers == {}
    aside = [p.name for p in pq_home.iterdir() if p.name.startswith("papers.json.") and p.name.endswith(".corrupt")]
    assert len(aside) == 1 and f"papers.json was not valid JSON; moved it to {aside[0]}" in store.warnings
    store.close()


def test_first_layout_records_without_a_key_or_abstract(pq_home: Path) -> None:
    papers = {"papers": {
        "1": "not a record",
        "2": {"title": "no key"},
        "3": {"key": "title:b", "title": "B", "batch": 1},
        "4": {"key": "title:c", "title": "C", "abstract": "Gamma.", "batch": 1},
    }}
    state = {"state": {"1": "junk", "2": {"key": "title:c", "starred": True}, "3": {"key": "title:gone", "read": True}}}
    v1_store(pq_home, papers, state)
    store = Store.open(pq_home)
    assert set(store.papers) == {"title:b", "title:c"}
    assert store.details("title:b").abstract == "" and store.details("title:c").abstract == "Gamma."
    assert store.state("title:c").starred and store.state("title:b") == PaperState()
    assert any(w.startswith("Moved the queue (2 papers, 1 with stars or read marks)") for w in store.warnings)
    store.close()


def test_an_atomic_write_goes_through_a_hidden_temp_file_beside_the_target(tmp_path: Path, monkeypatch) -> None:
    import os

    from paperqueue.core import atomic

    replaced: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src, dst):
        replaced.append((Path(src), Path(dst)))
        assert Path(src).read_bytes() == b"{}", "the whole content is in place before the rename"
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    target = tmp_path / "new" / "nested" / "meta.json"  # folders that do not exist yet
    atomic.atomic_write_bytes(target, b"{}")
    assert target.read_bytes() == b"{}"
    [(src, dst)] = replaced
    assert dst == target
    # Same folder (same file system: the rename is atomic), hidden, recognisably temporary.
    assert src.parent == target.parent and src.name.startswith(".meta.json.") and src.name.endswith(".tmp")
    assert sorted(p.name for p in target.parent.iterdir()) == ["meta.json"]


def test_a_store_file_that_is_json_but_not_a_table_is_set_aside(pq_home: Path) -> None:
    store = Store.open(pq_home)
    import_file(store, SAMPLE)
    store.close()
    (pq_home / "settings.json").write_text("[1, 2, 3]")
    again = Store.open(pq_home)
    assert len(again.papers) == 79 and again.settings == {}
    aside = [p.name for p in pq_home.iterdir() if p.name.startswith("settings.json.") and p.name.endswith(".corrupt")]
    assert len(aside) == 1
    assert f"settings.json was not valid JSON; moved it to {aside[0]} and started it empty" in again.warnings
    again.close()


def test_the_migrated_meta_counts_the_papers_and_their_imports(pq_home: Path) -> None:
    papers = {"papers": {
        "7": {"key": "title:g", "title": "G", "batch": 2, "added_at": "2026-02-02T00:00:00Z"},
        "5": {"key": "title:e", "title": "E", "batch": 2, "added_at": "2026-02-02T00:00:00Z"},
        "3": {"key": "title:c", "title": "C", "added_at": "2026-01-01T00:00:00Z"},
    }}
    v1_store(pq_home, papers, {"state": {}})
    Store.open(pq_home).close()
    meta = json.loads((pq_home / "meta.json").read_text())["meta"]["1"]
    assert meta == {
        "layout": layout.LAYOUT,
        "generation": 1,
        "count": 3,
        "max_id": 7,
        "batches": {
            "2": {"start": 5, "added_at": "2026-02-02T00:00:00Z"},
            "0": {"start": 3, "added_at": "2026-01-01T00:00:00Z"},
        },
    }


def test_an_empty_first_layout_store_migrates_to_an_empty_queue(pq_home: Path) -> None:
    v1_store(pq_home, {"papers": {}}, {"state": {}})
    store = Store.open(pq_home)
    assert store.papers == {} and store.max_id == 0 and store.count == 0
    store.close()
    meta = json.loads((pq_home / "meta.json").read_text())["meta"]["1"]
    assert (meta["count"], meta["max_id"], meta["batches"]) == (0, 0, {})


def test_an_early_meta_with_bare_start_ids_still_opens_the_newest_first(pq_home: Path, monkeypatch) -> None:
    from paperqueue.core.importers.record import ParsedPaper

    monkeypatch.setattr(layout, "SHARD_SIZE", 10)
    store = Store.open(pq_home)
    store.add_papers([ParsedPaper(f"Old paper {i}", "", None, ()) for i in range(55)], source="old")
    store.add_papers([ParsedPaper(f"New paper {i}", "", None, ()) for i in range(12)], source="new")
    newest = [p.key for p in store.ordered_papers()[:5]]
    store.close()
    meta_path = pq_home / "meta.json"
    data = json.loads(meta_path.read_text())
    data["meta"]["1"]["batches"] = {"1": 1, "2": 56}  # how an early layout kept them
    meta_path.write_text(json.dumps(data))
    head = Store.open(pq_home, head=5)
    assert head.batch_info == {1: {"start": 1}, 2: {"start": 56}}
    assert head.batch_name(2) == "import 2"
    assert not head.complete, "only the newest shards are read first"
    assert [p.key for p in head.ordered_papers()[:5]] == newest
    head.close()


def test_unreadable_json_is_reported_on_one_line_with_its_path(tmp_path: Path) -> None:
    from paperqueue.core.atomic import AtomicJSONStorage, CorruptFileError, read_json

    broken = tmp_path / "meta.json"
    broken.write_bytes(b'{"meta": \n{')
    with pytest.raises(CorruptFileError) as caught:
        read_json(broken)
    error = caught.value
    assert str(error).startswith(f"{broken}: not valid JSON (") and "\n" not in str(error)
    assert error.path == broken and error.reason.startswith("not valid JSON (")
    listed = tmp_path / "state.json"
    listed.write_text("[1]")
    with pytest.raises(CorruptFileError) as caught:
        AtomicJSONStorage(listed).read()
    assert str(caught.value) == f"{listed}: not a TinyDB document (top level is not an object)"
    assert caught.value.path == listed
    assert read_json(tmp_path / "missing.json") is None
    (tmp_path / "blank.json").write_text(" \n")
    assert read_json(tmp_path / "blank.json") is None


def test_a_read_only_storage_refuses_to_write_and_still_reads_the_file(tmp_path: Path) -> None:
    from paperqueue.core.atomic import AtomicJSONStorage

    path = tmp_path / "state.json"
    AtomicJSONStorage(path).write({"state": {"1": {"key": "a"}}})  # writable unless asked otherwise
    reader = AtomicJSONStorage(path, read_only=True)
    assert reader.read() == {"state": {"1": {"key": "a"}}}
    with pytest.raises(PermissionError, match="state.json: the store is open read-only$"):
        reader.write({})
    assert reader.read() == {"state": {"1": {"key": "a"}}}
    assert json.loads(path.read_text()) == {"state": {"1": {"key": "a"}}}
