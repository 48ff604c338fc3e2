"""Subscriptions: subscribe / subscriptions / unsubscribe, kept in the store."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import orjson

from paperqueue.cli import main
from paperqueue.core.subscriptions import Subscriptions


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_subscribe_each_kind_then_list_them(pq_home: Path, capsys) -> None:
    assert run(capsys, "subscribe", "arxiv", "cs.CL", "cs.LG")[0] == 0
    assert run(capsys, "subscribe", "arxiv-search", "abs:retrieval AND cat:cs.IR", "--max", "50", "--name", "retrieval")[0] == 0
    assert run(capsys, "subscribe", "hf")[0] == 0
    code, out, _ = run(capsys, "subscribe", "feed", "https://example.org/rss.xml")
    assert code == 0 and "subscribed: example.org" in out
    code, out, err = run(capsys, "subscriptions")
    assert code == 0 and err == ""
    rows = out.splitlines()
    assert rows[0].split() == ["NAME", "KIND", "LAST", "FETCH", "PAPERS", "LAST", "ERROR"]
    assert [row.split()[0] for row in rows[1:]] == ["cs.CL+cs.LG", "retrieval", "hf", "example.org"]
    assert all(" never " in row for row in rows[1:])
    saved = {s.name: s for s in Subscriptions(pq_home).all()}
    assert saved["cs.CL+cs.LG"].params == {"categories": ["cs.CL", "cs.LG"], "types": ["new", "cross"]}
    assert saved["retrieval"].params == {"query": "abs:retrieval AND cat:cs.IR", "max": 50}
    assert saved["example.org"].kind == "feed"


def test_subscriptions_are_a_private_tinydb_file_that_survives(pq_home: Path, capsys) -> None:
    run(capsys, "subscribe", "arxiv", "math.PR", "--types", "new,replace")
    path = pq_home / "subscriptions.json"
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
    from tinydb import TinyDB

    with TinyDB(path) as db:
        assert [doc["name"] for doc in db.table("subscriptions").all()] == ["math.PR"]
    assert Subscriptions(pq_home).get("math.PR").params["types"] == ["new", "replace"]


def test_bad_arguments_exit_2_and_save_nothing(pq_home: Path, capsys) -> None:
    for argv in (
        ("subscribe", "arxiv", "not a category!"),
        ("subscribe", "arxiv", "cs.CL", "--types", "new,old"),
        ("subscribe", "arxiv-search", "  "),
        ("subscribe", "arxiv-search", "x", "--max", "0"),
        ("subscribe", "feed", "ftp://example.org/feed"),
        ("subscribe", "hf", "--name", "a\x1b]52;c;evil\x07"),
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert out == "" and len(err.strip().splitlines()) == 1 and "\x1b" not in err
    assert Subscriptions(pq_home).all() == []


def test_a_name_is_taken_once(pq_home: Path, capsys) -> None:
    assert run(capsys, "subscribe", "hf")[0] == 0
    code, _out, err = run(capsys, "subscribe", "feed", "https://example.org/x", "--name", "hf")
    assert code == 2 and "exists already" in err
    assert [s.kind for s in Subscriptions(pq_home).all()] == ["hf"]


def test_unsubscribe(pq_home: Path, capsys) -> None:
    run(capsys, "subscribe", "hf")
    run(capsys, "subscribe", "arxiv", "cs.CL")
    code, out, _ = run(capsys, "unsubscribe", "hf")
    assert code == 0 and out.startswith("unsubscribed: hf")
    assert [s.name for s in Subscriptions(pq_home).all()] == ["cs.CL"]
    code, _out, err = run(capsys, "unsubscribe", "nope")
    assert code == 2 and "no subscription named 'nope'" in err


def test_a_damaged_file_is_set_aside_with_a_warning(pq_home: Path, capsys) -> None:
    pq_home.mkdir(parents=True)
    (pq_home / "subscriptions.json").write_bytes(b'{"subscriptions": [1, 2')
    code, out, err = run(capsys, "subscriptions")
    assert code == 0 and "no subscriptions" in out
    assert "subscriptions.json was damaged" in err
    assert len(list(pq_home.glob("subscriptions.json.*.corrupt"))) == 1
    # wrong shape too; a record of the wrong shape is skipped
    (pq_home / "subscriptions.json").write_bytes(orjson.dumps({"subscriptions": {"1": "x", "2": {"name": "hf", "kind": "hf"}}}))
    assert [s.name for s in Subscriptions(pq_home).all()] == ["hf"]


def test_no_subscriptions_says_how_to_add_one(capsys) -> None:
    code, out, _ = run(capsys, "subscriptions")
    assert code == 0 and "paperqueue subscribe" in out
