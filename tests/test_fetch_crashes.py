"""A fetch killed at every write boundary: each subscription's papers are
all there or none are, its validators move on only once its papers are
there, and a paper added offline is never left without its pending entry."""

from __future__ import annotations

import os
from pathlib import Path

from crash_harness import every_boundary

from paperqueue.core.store import Store
from paperqueue.core.subscriptions import Pending, Subscription, Subscriptions

TESTS = Path(__file__).resolve().parent
A = [f"2503.{n:05d}" for n in range(1, 41)]
B = [f"2503.{n:05d}" for n in range(35, 61)]  # overlaps A: merges

SCRIPT = r"""
import sys
sys.path.insert(0, %(tests)r)
from datetime import date
from fetch_fakes import FakeClient, FakeSources, Fetched, paper
from paperqueue.core import adding, fetching
from paperqueue.core.history import History, repair
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

src = FakeSources()
src.answers["cs.CL"] = Fetched([paper(i) for i in %(a)r], validators={"etag": "A2"})
src.answers["hf"] = Fetched([paper(i) for i in %(b)r], validators={"last_day": "2025-03-04"})
src.ids["2503.09000"] = paper("2503.09000", "Filled in")
store = Store.open()
history = History(store.home)
repair(store, history)
writer = Writer(store, history)
lines = fetching.fetch_all(store, FakeClient(), writer=writer, sources=src.namespace(), today=date(2025, 3, 4))
for line in lines:
    print(line.text, flush=True)
src.offline = True
items, _ = adding.parse_items(["2503.09001"], src.namespace())
added = adding.add(store, FakeClient(), items, writer=writer, sources=src.namespace())
print(added.lines, flush=True)
store.close()
"""


def prepare(home: Path) -> None:
    book = Subscriptions(home)
    book.add(Subscription("cs.CL", "arxiv", {"categories": ["cs.CL"], "types": ["new"]}, validators={"etag": "A1"}))
    book.add(Subscription("hf", "hf", validators={"last_day": "2025-03-01"}))
    book.add_pending([Pending("arxiv", "2503.09000")])
    with Store.open(home) as store:
        from paperqueue.core.importers.record import ParsedPaper

        store.add_papers([ParsedPaper("", arxiv_id="2503.09000")], source="add")


def test_fetch_killed_at_every_boundary(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    script = SCRIPT % {"tests": str(TESTS), "a": A, "b": B}
    stops = 0
    for stop in every_boundary(home, script, prepare, work, every=int(os.environ.get("PQ_EVERY", "1"))):
        stops += 1
        where = f"stop {stop.number} ({stop.label})"
        book = Subscriptions(home)
        subs = {s.name: s for s in book.all()}
        assert book.warnings == [], where
        with Store.open(home) as store:
            assert not [w for w in store.warnings if "damaged" in w], (where, store.warnings)
            ids = {p.arxiv_id: p for p in store.papers.values()}
        for name, wanted, new_validators in (("cs.CL", A, {"etag": "A2"}), ("hf", B, {"last_day": "2025-03-04"})):
            present = [i for i in wanted if i in ids]
            own = [i for i in wanted if i not in (B if name == "cs.CL" else A)]
            own_present = [i for i in own if i in ids]
            assert own_present in ([], own), f"{where}: {name} half landed"
            if subs[name].validators == new_validators:
                assert present == wanted, f"{where}: {name}'s validators moved on without its papers"
        pending = {p.value for p in book.pending()}
        if "2503.09001" in ids:
            assert "2503.09001" in pending or ids["2503.09001"].title, f"{where}: an id-only paper nobody fills in"
        if "2503.09000" in pending:
            assert "2503.09000" in ids, where
        else:
            assert ids["2503.09000"].title == "Filled in", f"{where}: dropped from pending before it was filled in"
        if not stop.killed:
            assert "2503.09001" in pending and len(ids) == 62
    assert stops > 10
