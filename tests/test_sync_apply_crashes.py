"""State shards written several at once (a sync applying thousands of
papers: ``Store.write_states`` from ``PARALLEL_SHARDS`` shards on): every
state lands, and a writer killed at any write boundary of the threaded
writes leaves the log and the store agreeing, as the one-by-one writes do
(the kill test of tests/test_writer_crashes.py, with the threads on)."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_writer_crashes as kills

from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.store import layout
from paperqueue.core.store import store as store_module
from paperqueue.core.store.tables import TableFile

THREADED = "from paperqueue.core.store import store as _store_module\n_store_module.PARALLEL_SHARDS = 2\n"


def _states_on_disk(home: Path) -> dict[str, PaperState]:
    store = Store.open(home)
    try:
        store.load_rest()
        return {key: state for key, state in store.states.items() if state != PaperState()}
    finally:
        store.close()


def test_threaded_shard_writes_land_every_state_and_a_failure_is_raised(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "PARALLEL_SHARDS", 2)
    home = tmp_path / "home"
    kills.prepare(home)  # 2,100 papers: three state shards
    store = Store.open(home)
    try:
        keys = [paper.key for paper in store.ordered_papers()]
        first, last = store.papers[keys[0]], store.papers[keys[-1]]  # one import: in page order
        assert (first.id, last.id) == (1, 2_100)
        wanted = {key: PaperState(read=True, read_at="2024-06-01T10:00:00Z", tags=(f"t{n % 7}",))
                  for n, key in enumerate(keys) if n % 2}
        store.write_states(wanted)
        assert _states_on_disk_while_open(store, home) == wanted

        full = layout.shard_path(home, layout.STATE, 0)
        original = TableFile.put

        def put(table: TableFile, docs: dict, **other: dict) -> None:
            if table.path == full:
                raise OSError(28, "No space left on device", str(full))
            original(table, docs, **other)

        monkeypatch.setattr(TableFile, "put", put)
        with pytest.raises(OSError):
            store.write_states({first.key: PaperState(starred=True), last.key: PaperState(starred=True)})
    finally:
        store.close()
    monkeypatch.setattr(TableFile, "put", original)
    on_disk = _states_on_disk(home)
    assert on_disk[last.key] == PaperState(starred=True)  # the shard that could be written was
    assert on_disk.get(first.key) == wanted.get(first.key)  # the full one kept what it held
    assert {k: s for k, s in on_disk.items() if k != last.key} == {k: s for k, s in wanted.items() if k != last.key}


def _states_on_disk_while_open(store: Store, home: Path) -> dict[str, PaperState]:
    """What the state shards hold, read from the files (not from memory)."""
    import orjson

    found = {}
    for path in sorted((home / layout.STATE).glob("*.json")):
        for record in orjson.loads(path.read_bytes()).get("state", {}).values():
            found[record["key"]] = PaperState.from_record(record)
    return {key: state for key, state in found.items() if state != PaperState()}


def test_killed_at_every_boundary_of_threaded_shard_writes_the_log_and_the_store_agree(tmp_path: Path,
                                                                                         monkeypatch) -> None:
    monkeypatch.setattr(kills, "SCRIPT", THREADED + kills.SCRIPT)
    kills.test_killed_at_every_write_boundary_the_log_and_the_store_agree(tmp_path)
