"""paperqueue fetch / add from the command line: lines, exit codes, hand-over."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fetch_fakes import Failed, FakeClient, FakeSources, Fetched, paper
from paperqueue.cli import main
from paperqueue.core import fetching, handoff
from paperqueue.core.subscriptions import Subscriptions


@pytest.fixture
def src(monkeypatch: pytest.MonkeyPatch) -> FakeSources:
    fake = FakeSources()
    monkeypatch.setattr(fetching, "default_sources", fake.namespace)
    monkeypatch.setattr("paperqueue.commands.fetching._client", lambda home: FakeClient())
    return fake


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_fetch_exit_0_when_all_land(pq_home: Path, capsys, src: FakeSources) -> None:
    run(capsys, "subscribe", "arxiv", "cs.CL")
    src.answers["cs.CL"] = Fetched([paper("2503.00001")])
    code, out, err = run(capsys, "fetch")
    assert (code, err) == (0, "")
    assert out == "cs.CL: 1 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood\n"
    code, out, _ = run(capsys, "subscriptions")
    assert " 1  " in out.splitlines()[1] + "  " and "never" not in out


def test_fetch_exit_1_when_one_fails_and_the_others_land(pq_home: Path, capsys, src: FakeSources) -> None:
    run(capsys, "subscribe", "arxiv", "cs.CL")
    run(capsys, "subscribe", "hf")
    src.answers["cs.CL"] = Failed("http://127.0.0.1:9/rss/cs.CL", "HTTP 200 with an HTML error page")
    src.answers["hf"] = Fetched([paper("2503.00002")], problems=["entry 3: no title"])
    code, out, err = run(capsys, "fetch")
    assert code == 1
    assert out.splitlines() == [
        "cs.CL: failed, nothing imported: http://127.0.0.1:9/rss/cs.CL: HTTP 200 with an HTML error page",
        "hf: 1 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood",
    ]
    assert err == "paperqueue: hf: entry 3: no title\n"
    code, out, _ = run(capsys, "subscriptions")
    assert "HTML error page" in out.splitlines()[1]


def test_fetch_bad_arguments_exit_2(pq_home: Path, capsys, src: FakeSources) -> None:
    run(capsys, "subscribe", "hf")
    code, out, err = run(capsys, "fetch", "nope")
    assert code == 2 and out == "" and "no subscription named 'nope'" in err
    with pytest.raises(SystemExit) as stop:
        main(["fetch", "--bogus"])
    assert stop.value.code == 2


def test_fetch_with_no_subscriptions_says_so(pq_home: Path, capsys, src: FakeSources) -> None:
    code, out, _ = run(capsys, "fetch")
    assert code == 0 and out.startswith("no subscriptions")


def test_add_exit_codes(pq_home: Path, capsys, src: FakeSources) -> None:
    src.ids["2503.00001"] = paper("2503.00001", "Known")
    code, out, err = run(capsys, "add", "arXiv:2503.00001")
    assert (code, err) == (0, "") and out.startswith("add: 1 new")
    code, out, err = run(capsys, "add", "not-an-id", "2503.00001")
    assert code == 2 and out == "" and "not an arXiv id, a DOI" in err and "nothing added" in err
    code, out, err = run(capsys, "add", "2503.09999")
    assert code == 2 and "arXiv does not know this id" in err
    src.offline = True
    code, out, err = run(capsys, "add", "2503.00005")
    assert code == 1 and "details pending" in out and "paperqueue fetch fills them in" in out
    assert [p.value for p in Subscriptions(pq_home).pending()] == ["2503.00005"]


def test_fetch_is_handed_to_an_open_app(pq_home: Path, capsys, src: FakeSources) -> None:
    """While the app holds the queue, the command writes a fetch request and
    prints what the app answers, with its exit code."""
    from paperqueue.core.store import Store

    run(capsys, "subscribe", "arxiv", "cs.CL")
    app_store = Store.open(pq_home)  # the app: holds the writer lock
    stop = threading.Event()

    def app() -> None:
        while not stop.is_set():
            claimed = handoff.claim(pq_home)
            if claimed is None:
                stop.wait(0.05)
                continue
            working, body = claimed
            kind = handoff.kind_of(body)
            lines, errors, status = fetching.answer_request(app_store, FakeClient(), kind, body, sources=src.namespace())
            handoff.answer(working, lines, errors, status, kind)

    src.answers["cs.CL"] = Fetched([paper("2503.00001")])
    thread = threading.Thread(target=app)
    thread.start()
    try:
        code, out, err = run(capsys, "fetch")
    finally:
        stop.set()
        thread.join()
        app_store.close()
    assert code == 0, err
    assert out == "cs.CL: 1 new, 0 already in the queue (0 merged, 0 unchanged), 0 entries not understood\n"


def test_an_app_that_does_not_know_fetch_requests_is_not_taken_for_one_that_fetched(pq_home: Path, capsys, src: FakeSources) -> None:
    from paperqueue.core.store import Store

    run(capsys, "subscribe", "hf")
    app_store = Store.open(pq_home)
    stop = threading.Event()

    def old_app() -> None:  # answers every request as an import of its files (none)
        while not stop.is_set():
            claimed = handoff.claim(pq_home)
            if claimed is None:
                stop.wait(0.05)
                continue
            working, _body = claimed
            from paperqueue.core.atomic import atomic_write_bytes
            import orjson

            atomic_write_bytes(working.with_suffix(".result"), orjson.dumps({"lines": [], "errors": [], "status": 0}))
            working.unlink()

    thread = threading.Thread(target=old_app)
    thread.start()
    try:
        code, out, err = run(capsys, "fetch")
    finally:
        stop.set()
        thread.join()
        app_store.close()
    assert code == 1 and out == "" and "cannot fetch for the command line" in err
