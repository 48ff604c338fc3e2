"""An import's shard files are written several at a time: a failure in any
one of them still leaves the queue exactly as it was, and ``meta.json``
(the commit point) is written only after every shard has landed."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from paperqueue.core import atomic
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.store import Store, layout


def _papers(count: int, start: int = 0) -> list[ParsedPaper]:
    return [ParsedPaper(f"Paper {i} on shards", f"Abstract {i}.", None, ()) for i in range(start, start + count)]


def _disk(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in home.rglob("*.json")}


@pytest.mark.parametrize("failing", ["abstracts/00000.json", "abstracts/00003.json", "index/00002.json"])
def test_one_failed_shard_write_leaves_the_queue_as_it_was(pq_home: Path, monkeypatch, failing: str) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 10)
    store = Store.open(pq_home)
    store.add_papers(_papers(5), source="first")
    before = _disk(pq_home)
    written: list[str] = []
    real = atomic.atomic_write_bytes

    def flaky(path: Path, data: bytes) -> None:
        name = str(path.relative_to(pq_home))
        if name == failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(name)
        real(path, data)

    monkeypatch.setattr(atomic, "atomic_write_bytes", flaky)
    with pytest.raises(OSError, match="No space left"):
        store.add_papers(_papers(40, start=5), source="second")
    assert layout.META not in written, "no commit after a failed shard"
    store.close()
    monkeypatch.setattr(atomic, "atomic_write_bytes", real)
    again = Store.open(pq_home)
    assert sorted(p.title for p in again.papers.values()) == sorted(p.title for p in _papers(5))
    assert again.count == 5 and _disk(pq_home)["meta.json"] == before["meta.json"]
    # The next import reuses the uncommitted ids and lands whole.
    again.add_papers(_papers(40, start=5), source="second")
    again.close()
    final = Store.open(pq_home)
    assert len(final.papers) == final.count == 45
    assert {p.title for p in final.papers.values()} == {p.title for p in _papers(45)}
    assert all(final.details(p.key).abstract == f"Abstract {p.title.split()[1]}." for p in final.papers.values())
    final.close()


def test_meta_is_written_after_every_shard(pq_home: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 10)
    store = Store.open(pq_home)
    order: list[str] = []
    real = atomic.atomic_write_bytes

    def recording(path: Path, data: bytes) -> None:
        real(path, data)
        order.append(str(path.relative_to(pq_home)))

    monkeypatch.setattr(atomic, "atomic_write_bytes", recording)
    store.add_papers(_papers(95), source="big")
    assert order[-1] == layout.META
    assert sorted(order[:-1]) == sorted([f"abstracts/{n:05d}.json" for n in range(10)]
                                        + [f"index/{n:05d}.json" for n in range(10)])
    # Full shards land while the file is read, each shard's abstracts before
    # the index that points at them.
    for n in range(10):
        assert order.index(f"abstracts/{n:05d}.json") < order.index(f"index/{n:05d}.json")
    store.close()
