"""fetch_all and add: each subscription lands whole or not at all, as one
undoable batch named after it and the date; validators saved only after."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from fetch_fakes import Failed, FakeClient, FakeSources, Fetched, paper
from paperqueue.core import adding, fetching
from paperqueue.core.history import History
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store
from paperqueue.core.subscriptions import Subscription, Subscriptions
from paperqueue.core.writer import Writer

DAY = date(2025, 3, 4)


def subscribe(home: Path, *subs: Subscription) -> None:
    book = Subscriptions(home)
    for sub in subs:
        book.add(sub)


ARXIV = Subscription("cs.CL", "arxiv", {"categories": ["cs.CL"], "types": ["new", "cross"]})
HF = Subscription("hf", "hf")
FEED = Subscription("blog", "feed", {"url": "http://127.0.0.4:9/feed.xml"})


def fetch(home: Path, sources: FakeSources, names=None, dry_run=False):  # noqa: ANN001
    store = Store.open(home, lock=not dry_run)
    try:
        writer = None if dry_run else Writer(store, History(store.home))
        lines = fetching.fetch_all(store, FakeClient(), names, dry_run=dry_run, writer=writer,
                                   sources=sources.namespace(), today=DAY)
    finally:
        store.close()
    return lines


def listed(home: Path) -> dict[str, str]:
    with Store.open(home, lock=False) as store:
        return {p.arxiv_id or p.key: p.display_title for p in store.ordered_papers()}


def batches(home: Path) -> list[str]:
    with Store.open(home, lock=False) as store:
        return [store.batch_name(b) for b in store.live_batches()]


def test_each_subscription_lands_as_its_own_batch(pq_home: Path) -> None:
    subscribe(pq_home, ARXIV, HF)
    src = FakeSources()
    src.answers["cs.CL"] = Fetched([paper("2503.00001"), paper("2503.00002")], validators={"etag": "abc"})
    src.answers["hf"] = Fetched([paper("2503.00002"), paper("2503.00003")], not_understood=1,
                                validators={"last_day": "2025-03-04"})
    lines = fetch(pq_home, src)
    assert [line.text for line in lines] == [
        "cs.CL: 2 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood",
        "hf: 1 new, 1 already in the queue (0 merged, 1 unchanged), 1 entry not understood",
    ] or [line.text for line in lines] == [
        "cs.CL: 1 new, 1 already in the queue (0 merged, 1 unchanged), 0 entries not understood",
        "hf: 2 new, 0 already in the queue (0 merged, 0 unchanged), 1 entry not understood",
    ]  # which lands first depends on which host answers first
    assert all(line.ok for line in lines)
    assert sorted(listed(pq_home)) == ["2503.00001", "2503.00002", "2503.00003"]
    assert sorted(batches(pq_home)) == ["cs.CL 2025-03-04", "hf 2025-03-04"]
    saved = {s.name: s for s in Subscriptions(pq_home).all()}
    assert saved["cs.CL"].validators == {"etag": "abc"} and saved["cs.CL"].last_fetch
    assert saved["hf"].validators == {"last_day": "2025-03-04"}
    assert saved["cs.CL"].papers_brought + saved["hf"].papers_brought == 3
    # the next fetch sends what was saved
    src.answers["cs.CL"] = Fetched(not_modified=True, validators={"etag": "abc"})
    src.answers["hf"] = Fetched([], validators={"last_day": "2025-03-05"})
    src.calls.clear()
    lines = fetch(pq_home, src)
    assert ("cs.CL", ["cross", "new"], {"etag": "abc"}) in src.calls
    assert [line.text for line in lines] == [
        "cs.CL: not modified (0 new)",
        "hf: 0 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood",
    ]
    assert len(batches(pq_home)) == 2  # nothing new: no batch


def test_a_failed_subscription_lands_nothing_and_keeps_its_validators(pq_home: Path) -> None:
    subscribe(pq_home, ARXIV, FEED)
    Subscriptions(pq_home).update("blog", lambda s: s.validators.update(etag="old"))
    src = FakeSources()
    src.answers["cs.CL"] = Fetched([paper("2503.00001")], validators={"etag": "new"})
    src.answers["http://127.0.0.4:9/feed.xml"] = Failed("http://127.0.0.4:9/feed.xml", "HTTP 503")
    lines = fetch(pq_home, src)
    assert [line.ok for line in lines] == [True, False]
    assert lines[1].text == "blog: failed, nothing imported: http://127.0.0.4:9/feed.xml: HTTP 503"
    assert list(listed(pq_home)) == ["2503.00001"]
    saved = Subscriptions(pq_home).get("blog")
    assert saved.validators == {"etag": "old"} and saved.last_fetch is None
    assert saved.last_error == "http://127.0.0.4:9/feed.xml: HTTP 503"
    # a later success clears the error
    src.answers["http://127.0.0.4:9/feed.xml"] = Fetched([], validators={"etag": "newer"})
    fetch(pq_home, src, ["blog"])
    saved = Subscriptions(pq_home).get("blog")
    assert saved.last_error is None and saved.validators == {"etag": "newer"}


def test_a_landing_is_undone_by_one_undo(pq_home: Path) -> None:
    subscribe(pq_home, ARXIV)
    src = FakeSources()
    src.answers["cs.CL"] = Fetched([paper("2503.00001"), paper("2503.00002")])
    fetch(pq_home, src)
    with Store.open(pq_home) as store:
        writer = Writer(store, History(store.home))
        action = writer.undo()
        writer.save()
        assert action is not None and "cs.CL" in action.label
    assert listed(pq_home) == {}


def test_dry_run_writes_nothing(pq_home: Path) -> None:
    subscribe(pq_home, ARXIV)
    src = FakeSources()
    src.answers["cs.CL"] = Fetched([paper("2503.00001")], validators={"etag": "x"})
    lines = fetch(pq_home, src, dry_run=True)
    assert lines[0].text.startswith("cs.CL: would import: 1 new")
    assert listed(pq_home) == {}
    assert Subscriptions(pq_home).get("cs.CL").validators == {}


def test_papers_from_a_subscription_merge_with_the_same_papers_from_files(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.importing import import_file

    ids = tmp_path / "ids.txt"
    ids.write_text("2503.00001\n2503.00002\n")
    with Store.open(pq_home) as store:
        import_file(store, ids)
        key = next(p.key for p in store.papers.values() if p.arxiv_id == "2503.00001")
        store.set_state(key, PaperState(starred=True, read=True))
        store.flush()
    subscribe(pq_home, ARXIV)
    src = FakeSources()
    src.answers["cs.CL"] = Fetched([paper("2503.00001", "The real title"), paper("2503.00003")])
    lines = fetch(pq_home, src)
    assert lines[0].text == "cs.CL: 1 new, 1 already in the queue (1 merged, 0 unchanged), 0 entries not understood"
    with Store.open(pq_home, lock=False) as store:
        same = [p for p in store.papers.values() if p.arxiv_id == "2503.00001"]
        assert len(same) == 1 and same[0].title == "The real title"
        assert store.state(same[0].key).starred and store.state(same[0].key).read
        assert len(store.papers) == 3


def test_different_hosts_are_fetched_at_the_same_time(pq_home: Path) -> None:
    # Both sources wait for each other: fetched one after the other, the
    # barrier breaks (BrokenBarrierError: the subscription fails).
    subscribe(pq_home, HF, FEED)
    meet = threading.Barrier(2, timeout=10)

    def answer() -> Fetched:
        meet.wait()
        return Fetched([])

    src = FakeSources()
    src.answers["hf"] = answer
    src.answers["http://127.0.0.4:9/feed.xml"] = answer
    lines = fetch(pq_home, src)
    assert all(line.ok for line in lines), [line.text for line in lines]


def test_the_same_host_is_asked_one_subscription_at_a_time(pq_home: Path) -> None:
    subscribe(pq_home, ARXIV, Subscription("cs.LG", "arxiv", {"categories": ["cs.LG"], "types": ["new"]}))
    running = []
    overlap = []

    def answer() -> Fetched:
        running.append(1)
        overlap.append(len(running))
        threading.Event().wait(0.05)
        running.pop()
        return Fetched([])

    src = FakeSources()
    src.answers["cs.CL"] = answer
    src.answers["cs.LG"] = answer
    fetch(pq_home, src)
    assert overlap == [1, 1]


def test_an_unknown_name_is_refused_before_anything_is_asked(pq_home: Path) -> None:
    subscribe(pq_home, ARXIV)
    src = FakeSources()
    with pytest.raises(fetching.SubscriptionError, match="no subscription named 'nope'"):
        fetch(pq_home, src, ["nope"])
    assert src.calls == []


def test_add_offline_lands_id_only_then_fetch_fills_in(pq_home: Path) -> None:
    src = FakeSources()
    src.offline = True
    items, errors = adding.parse_items(["2503.00007v2", "https://doi.org/10.1234/abc"], src.namespace())
    assert errors == []
    with Store.open(pq_home) as store:
        added = adding.add(store, FakeClient(), items, writer=Writer(store, History(store.home)),
                             sources=src.namespace(), today=DAY)
    assert added.status == 1
    assert added.lines[0] == "add: 2 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood"
    assert "arXiv:2503.00007: details pending (http://127.0.0.1:9/api/query: connection refused)" in added.lines[1]
    assert {p.kind for p in Subscriptions(pq_home).pending()} == {"arxiv", "doi"}
    assert "(title not known yet)" in listed(pq_home)["2503.00007"]
    # the next fetch, online, fills them in (no subscription needed)
    src.offline = False
    src.ids["2503.00007"] = paper("2503.00007", "Found at last")
    from paperqueue.core.importers.record import ParsedPaper

    src.dois["10.1234/abc"] = ParsedPaper("A journal article", "Text.", doi="10.1234/abc", venue="J. Tests")
    lines = fetch(pq_home, src)
    assert [line.text for line in lines] == ["details pending: 2 filled in, 0 still pending"]
    titles = sorted(listed(pq_home).values())
    assert titles == ["A journal article", "Found at last"]
    assert Subscriptions(pq_home).pending() == []


def test_add_refuses_what_arxiv_does_not_know(pq_home: Path) -> None:
    src = FakeSources()
    src.ids["2503.00001"] = paper("2503.00001")
    items, _ = adding.parse_items(["2503.00001", "2503.99999"], src.namespace())
    with Store.open(pq_home) as store:
        added = adding.add(store, FakeClient(), items, writer=Writer(store, History(store.home)),
                             sources=src.namespace(), today=DAY)
    assert added.status == 2
    assert added.errors == ["add: arXiv:2503.99999: arXiv does not know this id; not added"]
    assert list(listed(pq_home)) == ["2503.00001"]
    assert batches(pq_home) == ["add 2025-03-04"]


def test_papers_that_landed_but_could_not_be_logged_say_so_and_move_on(pq_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk after the commit: the papers are there, so the line does
    not say "not imported"; it says the history line is missing, the fetch
    counts as failed (exit 1), and the next fetch starts after them."""
    subscribe(pq_home, ARXIV)
    src = FakeSources()
    src.answers["cs.CL"] = Fetched([paper("2503.00001")], validators={"etag": "abc"})

    def full(self) -> None:  # noqa: ANN001
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Writer, "save", full)
    (line,) = fetch(pq_home, src)
    assert not line.ok
    assert line.text.startswith("cs.CL: 1 new")
    assert any("could not be written (No space left on device)" in p for p in line.problems)
    assert "2503.00001" in listed(pq_home)
    assert Subscriptions(pq_home).get("cs.CL").validators == {"etag": "abc"}
