"""Fetching in the app (issue 11): R fetches every subscription in a worker,
a adds papers by id, DOI or URL, a fetch or add handed over by the command
line is done by the app, subscriptions are views in the sidebar, papers
still pending say so in the reader, and fetch_on_open. Fake sources only:
no request leaves the process."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest
from textual import events

from fetch_fakes import FakeClient, FakeSources, Fetched, paper
from paperqueue.core import handoff
from paperqueue.core.atomic import atomic_write_bytes, make_private_dirs
from paperqueue.core.store import Store
from paperqueue.core.subscriptions import Subscription, Subscriptions
from paperqueue.ui.widgets.sidebar import Sidebar
from pilot_helpers import make_app, notifications, paper_list, queue_screen, seed_store, settle, until, wait_loaded

ARXIV = Subscription("cs.CL", "arxiv", {"categories": ["cs.CL"], "types": ["new", "cross"]})
HF = Subscription("hf", "hf")


def subscribe(home: Path, *subs: Subscription) -> None:
    book = Subscriptions(home)
    for sub in subs:
        book.add(sub)


def app_with(home: Path, src: FakeSources):
    app = make_app(home)
    app.net_client = FakeClient()
    app.fetch_sources = src.namespace()
    return app


def said(app, text: str) -> bool:
    return any(text.lower() in n.lower() for n in notifications(app))


@pytest.fixture
def src() -> FakeSources:
    return FakeSources()


async def test_R_fetches_every_subscription_and_keeps_the_cursor(pq_home: Path, src: FakeSources) -> None:
    seed_store(pq_home)
    subscribe(pq_home, ARXIV, HF)
    src.answers["cs.CL"] = Fetched([paper("2503.00001", "Fetched one"), paper("2503.00002", "Fetched two")])
    src.answers["hf"] = Fetched([paper("2503.00003", "Fetched three")])
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "j")
        before = paper_list(app).paper
        await pilot.press("R")
        await until(pilot, lambda: said(app, "Fetched 2 subscriptions"), "the summary")
        summary = next(n for n in notifications(app) if "Fetched 2 subscriptions" in n)
        assert summary == "Fetched 2 subscriptions: 3 new"
        await settle(pilot)
        assert paper_list(app).paper.key == before.key
        titles = {p.title for p in queue_screen(app).queue.rows}
        assert {"Fetched one", "Fetched two", "Fetched three"} <= titles
        assert "fetch" not in queue_screen(app)._activity


async def test_R_says_what_failed_in_one_line(pq_home: Path, src: FakeSources) -> None:
    from fetch_fakes import Failed

    seed_store(pq_home)
    subscribe(pq_home, ARXIV, HF)
    src.answers["cs.CL"] = Fetched([paper("2503.00001")])
    src.answers["hf"] = Failed("http://127.0.0.2:9/api/daily_papers", "connection refused")
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("R")
        await until(pilot, lambda: said(app, "Fetched 2 subscriptions"), "the summary")
        summary = next(n for n in notifications(app) if "Fetched 2 subscriptions" in n)
        assert "\n" not in summary
        assert summary.startswith("Fetched 2 subscriptions: 1 new, 1 failed (hf: ")
        assert "connection refused" in summary


async def test_R_without_subscriptions_says_how_to_make_one(pq_home: Path, src: FakeSources) -> None:
    seed_store(pq_home)
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("R")
        await until(pilot, lambda: said(app, "No subscriptions yet"), "the hint")
        assert said(app, "No subscriptions yet: paperqueue subscribe arxiv cs.CL (see README)")


async def test_a_second_R_while_fetching_says_so(pq_home: Path, src: FakeSources) -> None:
    seed_store(pq_home)
    subscribe(pq_home, ARXIV)
    release = threading.Event()

    def slow() -> Fetched:
        release.wait(30)
        return Fetched([paper("2503.00001")])

    src.answers["cs.CL"] = slow
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("R")
        await until(pilot, lambda: "fetch" in queue_screen(app)._activity, "progress in the status line")
        assert queue_screen(app)._activity["fetch"].startswith("0% fetching")
        await pilot.press("R")
        await until(pilot, lambda: said(app, "already fetching"), "the second R refused")
        release.set()
        await until(pilot, lambda: said(app, "Fetched 1 subscription: 1 new"), "the summary")
        assert len(src.calls) == 1


def _submit_raw(home: Path, body: dict) -> Path:
    folder = home / handoff.FOLDER
    make_private_dirs(folder)
    request = folder / "0123456789abcdef.json"
    atomic_write_bytes(request, orjson.dumps(body))
    return request


async def test_a_handed_over_fetch_is_done_by_the_app(pq_home: Path, src: FakeSources) -> None:
    seed_store(pq_home)
    subscribe(pq_home, ARXIV)
    src.answers["cs.CL"] = Fetched([paper("2503.00001", "Handed over")])
    app = app_with(pq_home, src)
    results: list = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        request = handoff.submit_work(pq_home, handoff.FETCH, {"names": []})
        waiter = threading.Thread(target=lambda: results.append(handoff.wait(request, lambda: True, claim_within=30)))
        waiter.start()
        await until(pilot, lambda: not waiter.is_alive(), "the command got its answer", tries=3000)
        await settle(pilot)
        assert [line.split(",")[0] for line in results[0]["lines"]] == ["cs.CL: 1 new"]
        assert results[0]["status"] == 0 and handoff.answered_kind(results[0]) == "fetch"
        assert "Handed over" in {p.title for p in queue_screen(app).queue.rows}


async def test_a_handed_over_add_and_an_unknown_kind_are_answered(pq_home: Path, src: FakeSources) -> None:
    seed_store(pq_home)
    src.ids["2503.00007"] = paper("2503.00007", "Added from the shell")
    app = app_with(pq_home, src)
    results: list = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        request = handoff.submit_work(pq_home, handoff.ADD, {"items": ["2503.00007"]})
        waiter = threading.Thread(target=lambda: results.append(handoff.wait(request, lambda: True, claim_within=30)))
        waiter.start()
        await until(pilot, lambda: not waiter.is_alive(), "the add got its answer", tries=3000)
        assert results[0]["status"] == 0 and handoff.answered_kind(results[0]) == "add"
        await settle(pilot)
        assert "Added from the shell" in {p.title for p in queue_screen(app).queue.rows}
        odd = _submit_raw(pq_home, {"kind": "teleport"})
        waiter = threading.Thread(target=lambda: results.append(handoff.wait(odd, lambda: True, claim_within=30)))
        waiter.start()
        await until(pilot, lambda: not waiter.is_alive(), "the odd request got its answer", tries=3000)
        assert (results[1]["lines"], results[1]["errors"], results[1]["status"]) == ([], ["unknown request"], 2)


async def test_a_adds_papers_typed_or_pasted(pq_home: Path, src: FakeSources) -> None:
    from paperqueue.ui.screens.add_prompt import AddPrompt

    seed_store(pq_home)
    for n in (1, 2, 3):
        src.ids[f"2503.0000{n}"] = paper(f"2503.0000{n}", f"Added {n}")
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AddPrompt), "the add prompt")
        box = app.screen.query_one("#add-input")
        box.post_message(events.Paste("2503.00001\nhttps://arxiv.org/abs/2503.00002,\n"))
        await pilot.pause()
        await until(pilot, lambda: "2503.00002" in box.value, "the paste kept every line")
        await pilot.press("space", *"2503.00003", "enter")
        await until(pilot, lambda: said(app, "add: 3 new"), "the result")
        await settle(pilot)
        assert {"Added 1", "Added 2", "Added 3"} <= {p.title for p in queue_screen(app).queue.rows}


async def test_a_refuses_what_is_not_a_paper_and_stays_open(pq_home: Path, src: FakeSources) -> None:
    from paperqueue.ui.screens.add_prompt import AddPrompt

    seed_store(pq_home)
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("a", *"hello", "enter")
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, AddPrompt)
        error = str(app.screen.query_one("#add-error").render())
        assert "not an arXiv id, a DOI" in error and "hello" in error
        assert src.calls == []


async def test_offline_add_says_details_pending_and_the_reader_shows_it(pq_home: Path, src: FakeSources) -> None:
    seed_store(pq_home)
    src.offline = True
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("4", "a", *"2503.00042", "enter")
        await until(pilot, lambda: said(app, "details pending"), "the offline add")
        summary = next(n for n in notifications(app) if "details pending" in n)
        assert summary == ("add: 1 new; details pending for arXiv:2503.00042 (connection refused): "
                           "the next fetch (R) fills them in")
        await settle(pilot)
        await until(pilot, lambda: "arxiv:2503.00042" in queue_screen(app).pending_keys, "the pending set read again")
        row = queue_screen(app).queue.row_of("arxiv:2503.00042")
        paper_list(app).move_to(row)
        await settle(pilot)
        meta = str(app.screen.query_one("#reader-meta").render())
        assert "details pending: the next fetch fills them in" in meta


async def test_subscriptions_are_views_in_the_sidebar(pq_home: Path, src: FakeSources) -> None:
    seed_store(pq_home)
    subscribe(pq_home, ARXIV)
    src.answers["cs.CL"] = Fetched([paper("2503.00001"), paper("2503.00002")])
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("R")
        await until(pilot, lambda: said(app, "Fetched 1 subscription"), "the fetch")
        await settle(pilot)
        sidebar = app.screen.query_one(Sidebar)
        text = str(sidebar.render())
        assert "Subscriptions" in text
        lines = text.splitlines()
        section = lines.index(" Subscriptions")
        assert lines[section + 1].split() == ["cs.CL", "2"]
        sidebar.post_message(Sidebar.ViewChosen("sub:cs.CL"))
        await settle(pilot)
        assert queue_screen(app).queue.view == "sub:cs.CL"
        assert len(queue_screen(app).queue.rows) == 2
        queue_screen(app).save_position()
        await settle(pilot)
    again = app_with(pq_home, src)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        assert queue_screen(again).queue.view == "sub:cs.CL"


async def test_fetch_on_open_fetches_at_most_once_an_hour(pq_home: Path, src: FakeSources) -> None:
    seed_store(pq_home)
    subscribe(pq_home, ARXIV)
    with Store.open(pq_home) as store:
        store.set_settings(fetch_on_open=True)
        store.write_settings()
    src.answers["cs.CL"] = Fetched([paper("2503.00001", "On open")])
    app = app_with(pq_home, src)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await until(pilot, lambda: said(app, "Fetched 1 subscription"), "the fetch on open")
        await settle(pilot)
    assert len(src.calls) == 1
    again = app_with(pq_home, src)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
    assert len(src.calls) == 1  # within the hour: not again


def test_the_fetch_summary_counts_subscriptions_apart_from_pending_papers() -> None:
    from paperqueue.core.fetching import PENDING_NAME, FetchLine
    from paperqueue.ui.fetching import fetch_summary

    lines = [
        FetchLine("math.OC", "math.OC: not modified (0 new)", not_modified=True),
        FetchLine("dead", "dead: failed, nothing imported: http://127.0.0.1:8799/x: connection refused (tried 4 times)", ok=False),
        FetchLine(PENDING_NAME, f"{PENDING_NAME}: 0 filled in, 1 still pending", ok=False),
    ]
    assert fetch_summary(lines) == (
        "Fetched 2 subscriptions: 0 new (1 not modified), 1 failed (dead: connection refused (tried 4 times)); "
        f"{PENDING_NAME}: 0 filled in, 1 still pending"
    )
