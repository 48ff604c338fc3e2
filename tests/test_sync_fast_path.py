"""A sync with nothing new does not open the store (issue 13,
"Performance"): no index or state shard is read. A sync with something
new, or a store a crash left needing repair, still gets the full sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_sync_folder import KEY, listing, pair, run, star, sync  # noqa: F401 - fixtures

from paperqueue.core.store.store import Store


def last_sync(home: Path) -> str | None:
    return json.loads((home / "sync.json").read_text(encoding="utf-8"))["last_sync"]


def test_a_sync_with_nothing_new_does_not_open_the_store(pair, run, monkeypatch):
    a, _b, _folder = pair
    sync(run, a)
    sync(run, a)  # the first syncs send the papers and fold own lines
    before = last_sync(a)
    (a / "sync.json").write_text(json.dumps({**json.loads((a / "sync.json").read_text()), "last_sync": None}))

    def refuse(*_args, **_kwargs):
        raise AssertionError("the store was opened")

    monkeypatch.setattr(Store, "open", classmethod(refuse))
    out = sync(run, a)
    assert out == "synced: sent 0 changes, read 0 from 0 devices, 0 papers changed here\n"
    assert before is not None and last_sync(a) is not None


def test_a_change_from_the_other_device_still_lands(pair, run):
    a, b, _folder = pair
    sync(run, a)
    sync(run, b)
    sync(run, b)
    star(a)
    sync(run, a)
    out = sync(run, b)
    assert "1 paper changed here" in out
    assert listing(run, b)[KEY]["starred"]


def test_an_own_change_not_yet_sent_goes_out(pair, run):
    a, b, folder = pair
    sync(run, a)
    sync(run, a)
    star(a)  # exported at once by the writer; the sync folds its own line
    out = sync(run, a)
    assert out.startswith("synced: sent 0 changes")
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]
    assert any(line for path in (folder / json.loads((a / "sync.json").read_text())["device"]).iterdir()
               for line in path.read_text().splitlines() if KEY in line and "starred" in line)


def test_a_torn_log_line_and_a_killed_write_are_repaired_by_the_sync(pair, run):
    a, _b, _folder = pair
    sync(run, a)
    sync(run, a)
    log = a / "history.jsonl"
    with log.open("ab") as handle:
        handle.write(b'{"kind": "do", "seq": 99, "torn-mark')  # a write a crash cut short
    leftover = a / "index" / ".00000.json.abc123.tmp"
    leftover.write_bytes(b"{")
    out = sync(run, a)
    assert out.startswith("synced:")
    assert log.read_bytes().endswith(b"\n") and b"torn-mark" not in log.read_bytes()
    assert not leftover.exists()
    assert listing(run, a)[KEY]["title"] == "Attention Is All You Need"


def test_an_unfinished_import_is_rolled_back_by_the_sync(pair, run, monkeypatch):
    a, _b, _folder = pair
    sync(run, a)
    sync(run, a)
    (a / "import.journal").write_text("{}")  # a journal left behind: the full open looks at it
    opened = []
    real = Store.open.__func__

    def counting(cls, *args, **kwargs):
        opened.append(1)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(Store, "open", classmethod(counting))
    sync(run, a)
    assert opened


def test_a_git_sync_that_brings_nothing_does_not_open_the_store_and_one_that_brings_a_star_does(
        run, tmp_path, monkeypatch):
    import test_sync_git as through_git

    empty = tmp_path / "empty-home"  # no git identity or config of the developer's
    empty.mkdir()
    monkeypatch.setenv("HOME", str(empty))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(empty / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL",
                 "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    a, b = through_git.setup_pair(run, tmp_path, str(through_git.bare_repo(tmp_path / "remote.git")))
    for home in (a, b, a, b):
        through_git.sync(run, home)
    real = Store.open.__func__
    opened = []

    def counting(cls, *args, **kwargs):
        opened.append(1)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(Store, "open", classmethod(counting))
    out = through_git.sync(run, b)
    assert out.startswith("synced: sent 0 changes, read 0 from 0 devices, 0 papers changed here (through ")
    assert not opened
    star(a)
    through_git.sync(run, a)
    out = through_git.sync(run, b)
    assert "1 paper changed here" in out and opened
    assert listing(run, b)[KEY]["starred"]
