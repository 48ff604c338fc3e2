"""Applying a sync through its fast paths gives exactly what the general
paths give (issue 13, "Performance"): the plain loop for a queue without
aliases (against the loop that resolves keys and folds several keys of one
paper), each state's record made once for the log and the state shard
(against records made again from the states), and the state shards written
together (against one atomic write per shard). The same changes applied
both ways leave the same state files, the same logged record and the same
list."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_sync_papers import run  # noqa: F401 - fixture

from paperqueue.core.models import PaperState
from paperqueue.core.sync.changes import changes_of, encode
from paperqueue.core.sync.hlc import HLC
from paperqueue.core.sync.settings import load_settings, save_settings

OTHER = "tablet-c3"
PAPERS = 2600  # three state shards (1,024 papers a shard)
AT = "2026-02-03T04:05:06Z"


def _queue(home: Path) -> list[str]:
    """A store of PAPERS papers, some with a state already (the other
    device's changes then meet stars, tags and notes here)."""
    from paperqueue.core.importers.record import ParsedPaper
    from paperqueue.core.store import Store

    with Store.open(home) as store:
        store.add_papers([ParsedPaper(f"Paper {n} on things", "An abstract.", None, ()) for n in range(PAPERS)],
                         source="synthetic")
        store.load_rest()
        keys = sorted(store.papers)
        for n, key in enumerate(keys[:600]):
            store.set_state(key, PaperState(starred=n % 2 == 0, starred_at=AT if n % 2 == 0 else None,
                                            tags=("ml",) if n % 3 == 0 else (), note="mine" if n % 5 == 0 else ""))
        store.flush()
    return keys


def _other_device(folder: Path, keys: list[str]) -> None:
    """Every kind of change: stars, reads, tags on and off, notes, removals,
    changes that leave a state as it is, a state set back to nothing, and
    keys this queue does not have."""
    clock = HLC(OTHER, wall=lambda: 1_900_000_000_000)
    lines: list[bytes] = []
    for n, key in enumerate(keys):
        here = PaperState(starred=n % 2 == 0, starred_at=AT if n % 2 == 0 else None,
                          tags=("ml",) if n % 3 == 0 else (), note="mine" if n % 5 == 0 else "") if n < 600 \
            else PaperState()
        kind = n % 7
        if kind == 0:
            after = PaperState(starred=True, starred_at=AT, tags=here.tags, note=here.note)
        elif kind == 1:
            after = PaperState(read=True, read_at=AT, starred=here.starred, starred_at=here.starred_at, tags=here.tags)
        elif kind == 2:
            after = PaperState(tags=(*here.tags, "Later"), note=here.note)
        elif kind == 3:
            after = PaperState(note="theirs", tags=())
        elif kind == 4:
            after = PaperState(removed=True)
        elif kind == 5:
            after = PaperState()  # back to nothing (a starred paper here: unstarred; others: no change)
        else:
            continue
        lines += [encode(change) for change in changes_of(here if n < 600 else PaperState(), after, key, clock)]
    lines += [encode(change) for n in range(40)
              for change in changes_of(PaperState(), PaperState(starred=True, starred_at=AT), f"arxiv:2601.{n:05d}", clock)]
    own = folder / OTHER
    own.mkdir(parents=True, exist_ok=True)
    (own / "000001.jsonl").write_bytes(b"".join(lines))


def _copy(home: Path, folder: Path, to: Path) -> Path:
    shutil.copytree(home, to / "home", ignore=shutil.ignore_patterns("queue.lock"))
    shutil.copytree(folder, to / "shared")
    settings = load_settings(to / "home")
    settings.folder = str(to / "shared")
    save_settings(to / "home", settings)
    return to / "home"


def _general_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the general paths: key resolution (a name nobody uses), records
    made again from the states, and one write per state shard."""
    from paperqueue.core.store.state_writes import StateWrites
    from paperqueue.core.sync import run as sync_run

    names_here = sync_run.keymaps.names_here
    monkeypatch.setattr(sync_run.keymaps, "names_here", lambda *a: {**names_here(*a), "nobody:0": ["nobody:0"]})
    write_states = StateWrites.write_states

    def one_shard_at_a_time(self, states, records=None):  # noqa: ANN001, ANN202
        by_shard: dict[int, dict] = {}
        for key, state in states.items():
            paper = self.papers.get(key)
            by_shard.setdefault(paper.id // 1024 if paper else -1, {})[key] = state
        for part in by_shard.values():
            write_states(self, part)

    monkeypatch.setattr(StateWrites, "write_states", one_shard_at_a_time)


def _state_files(home: Path) -> dict[str, object]:
    return {path.name: json.loads(path.read_bytes()) for path in sorted((home / "state").glob("*.json"))}


def _took(home: Path) -> list:
    records = [json.loads(line) for line in (home / "history.jsonl").read_bytes().splitlines() if line.strip()]
    return [record["changes"] for record in records if record.get("kind") == "took"]


def test_the_fast_paths_leave_what_the_general_paths_leave(tmp_path: Path, run, monkeypatch) -> None:
    home, folder = tmp_path / "a", tmp_path / "shared"
    keys = _queue(home)
    run(home, "sync", "init", "folder", str(folder))
    run(home, "sync")  # its own papers go out first: the syncs below send nothing
    _other_device(folder, keys)
    fast = _copy(home, folder, tmp_path / "fast")
    general = _copy(home, folder, tmp_path / "general")

    out_fast = run(fast, "sync")
    with monkeypatch.context() as patched:
        _general_paths(patched)
        out_general = run(general, "sync")

    assert out_fast == out_general
    assert "40 waiting for papers this queue does not have yet" in out_fast
    assert _state_files(fast) == _state_files(general)
    assert len(_state_files(fast)) == 3
    assert _took(fast) == _took(general) and len(_took(fast)) == 1
    assert json.loads(run(fast, "list", "--format", "json")) == \
        json.loads(run(general, "list", "--format", "json"))
    # What the other device said holds here: a sample of each kind.
    shards = {record["key"]: record for docs in _state_files(fast).values() for record in docs["state"].values()}
    assert shards[keys[0]]["starred"] and shards[keys[0]]["tags"] == ["ml"]
    assert shards[keys[1]]["read"]
    assert shards[keys[2]]["tags"] == ["Later"]
    assert shards[keys[3]]["note"] == "theirs" and "tags" not in shards[keys[3]]
    assert shards[keys[4]].get("removed") is True
    assert shards[keys[605]]["note"] == "theirs" and not shards[keys[605]]["starred"]  # only the note changed
    assert keys[12] not in shards  # starred and tagged here, set back to nothing there: no record left
    assert keys[607] not in shards  # no state on either side (607 % 7 == 5): none written


def test_an_index_read_in_one_pass_gives_the_papers_the_checked_read_gives(pq_home: Path) -> None:
    """Store.open checks each index record as it reads it (shape.paper_of);
    the papers are those the file-wide check and Paper.from_record give."""
    from paperqueue.core.importers.record import ParsedPaper
    from paperqueue.core.models import Paper
    from paperqueue.core.store import Store
    from paperqueue.core.store.shape import check

    with Store.open(pq_home) as store:
        store.add_papers([ParsedPaper(f"Paper {n}", "x", f"2401.{n:05d}" if n % 2 else None,
                                      (f"https://github.com/a/b{n}",) if n % 3 == 0 else (),
                                      doi=f"10.1000/{n}" if n % 5 == 0 else None, authoritative=n % 4 == 0)
                          for n in range(1500)], source="one")
        store.add_papers([ParsedPaper(f"Paper {n}", "x", f"2401.{n:05d}" if n % 2 else None) for n in range(1000, 2200)],
                         source="two")  # known papers in two batches, new ones after
    expected: dict[str, Paper] = {}
    for path in sorted((pq_home / "index").glob("*.json")):
        data = json.loads(path.read_bytes())
        check(path, "papers", data)
        for doc_id, record in data["papers"].items():
            paper = Paper.from_record(record, int(doc_id))
            expected[paper.key] = paper
    with Store.open(pq_home) as store:
        assert store.papers == expected
        assert list(store.papers) == list(expected)
        assert any(len(p.batches) > 1 for p in store.papers.values()) and any(p.links for p in store.papers.values())
        assert any(p.doi for p in store.papers.values()) and any(p.auth for p in store.papers.values())
