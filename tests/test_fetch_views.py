"""Subscriptions as views (core): a fetched batch says which subscription
made it, and the view ``sub:NAME`` shows the papers of its live batches."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fetch_fakes import FakeClient, FakeSources, Fetched, paper
from paperqueue.core import fetching, lock
from paperqueue.core.history import History
from paperqueue.core.importers.record import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.queue import QueueView
from paperqueue.core.views import newest_first, subscription_batches, subscription_view, view_subscription
from paperqueue.core.store import Store
from paperqueue.core.subscriptions import Subscription, Subscriptions
from paperqueue.core.writer import Writer

ARXIV = Subscription("cs.CL", "arxiv", {"categories": ["cs.CL"], "types": ["new", "cross"]})
HF = Subscription("hf", "hf")


def _fetch(home: Path, src: FakeSources, day: date) -> None:
    store = Store.open(home)
    try:
        fetching.fetch_all(store, FakeClient(), writer=Writer(store, History(store.home)),
                           sources=src.namespace(), today=day)
    finally:
        store.close()


def _fetched_twice(home: Path) -> None:
    book = Subscriptions(home)
    book.add(ARXIV)
    book.add(HF)
    src = FakeSources()
    src.answers["cs.CL"] = Fetched([paper("2503.00001"), paper("2503.00002")])
    src.answers["hf"] = Fetched([paper("2503.00003")])
    _fetch(home, src, date(2025, 3, 4))
    src.answers["cs.CL"] = Fetched([paper("2503.00004")])
    src.answers["hf"] = Fetched([])
    _fetch(home, src, date(2025, 3, 5))


def test_a_fetched_batch_names_its_subscription(pq_home: Path) -> None:
    _fetched_twice(pq_home)
    with Store.open(pq_home, lock=False) as store:
        made = {store.batch_name(b): store.batch_info[b].get("subscription") for b in store.live_batches()}
    assert made == {"cs.CL 2025-03-05": "cs.CL", "hf 2025-03-04": "hf", "cs.CL 2025-03-04": "cs.CL"}


def test_an_import_from_a_file_names_no_subscription(pq_home: Path) -> None:
    with Store.open(pq_home) as store:
        store.add_papers([ParsedPaper("A title", arxiv_id="2503.00009")], source="file.txt")
        assert "subscription" not in store.batch_info[store.live_batches()[0]]


def test_the_subscription_view_shows_the_papers_of_all_its_batches(pq_home: Path) -> None:
    _fetched_twice(pq_home)
    with Store.open(pq_home, lock=False) as store:
        store.load_rest()
        subs = subscription_batches(store.batch_info, store.deleted_batches)
        assert {name: len(batches) for name, batches in subs.items()} == {"cs.CL": 2, "hf": 1}
        states = dict(store.states)
        view = QueueView(newest_first(list(store.papers.values())), states, subscription_view("cs.CL"),
                         subscriptions=subs)
        assert sorted(p.arxiv_id for p in view.rows) == ["2503.00001", "2503.00002", "2503.00004"]
        assert view.subscription_counts() == {"cs.CL": (3, 3), "hf": (1, 1)}
        read = next(p for p in view.rows if p.arxiv_id == "2503.00001")
        old = states.get(read.key, PaperState())
        states[read.key] = PaperState(read=True)
        view.state_changed(old, states[read.key], read)
        assert view.subscription_counts()["cs.CL"] == (2, 3)


def test_view_names_round_trip() -> None:
    assert view_subscription(subscription_view("cs.CL+cs.LG")) == "cs.CL+cs.LG"
    assert view_subscription("batch:3") is None


def test_fetch_and_add_are_commands_worth_waiting_for() -> None:
    assert {"fetch", "add"} <= set(lock.COMMANDS)
    with lock.acting_as("fetch"):
        pass
