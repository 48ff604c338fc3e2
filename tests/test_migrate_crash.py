"""Moving a store from the first layout, killed at every write boundary
(issue 9, "Proof"): after each stop the next open finds every paper, its
abstract and its state, and the old files are never lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

from crash_harness import every_boundary

from paperqueue.core.store import Store, layout

PAPERS = 2_500  # three shards of each kind

SCRIPT = r"""
from paperqueue.core.store import Store
Store.open().close()
print("opened", flush=True)
"""


def prepare(home: Path) -> None:
    home.mkdir(parents=True)
    papers = {
        str(i): {"key": f"title:paper-{i}", "title": f"Paper {i}", "abstract": f"Abstract {i}.", "batch": 1, "added_at": "2026-01-01T00:00:00Z"}
        for i in range(1, PAPERS + 1)
    }
    state = {str(n): {"key": f"title:paper-{i}", "starred": True, "read": i % 2 == 0} for n, i in enumerate(range(1, PAPERS + 1, 7), 1)}
    (home / "papers.json").write_text(json.dumps({"papers": papers}))
    (home / "state.json").write_text(json.dumps({"state": state}))


def test_a_migration_killed_at_any_write_leaves_everything_reachable(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    every = int(os.environ.get("PQ_EVERY", "1"))
    stops = 0
    for stop in every_boundary(home, SCRIPT, prepare, tmp_path / "work", every=every):
        stops += 1
        where = f"stop {stop.number} ({stop.label})"
        old = [name for name in ("papers.json", "state.json", "papers.json.v1", "state.json.v1") if (home / name).exists()]
        assert {"papers.json", "papers.json.v1"} & set(old) and {"state.json", "state.json.v1"} & set(old), f"{where}: an old file is gone: {old}"
        store = Store.open(home)
        try:
            assert len(store.papers) == PAPERS, where
            assert store.details("title:paper-1234").abstract == "Abstract 1234.", where
            assert store.state("title:paper-8").starred and store.state("title:paper-8").read, where
            assert store.state("title:paper-1").starred and not store.state("title:paper-1").read, where
            assert not store.state("title:paper-2").starred, where
        finally:
            store.close()
        assert (home / "papers.json.v1").exists() and (home / layout.META).exists(), where
    assert stops > 10
