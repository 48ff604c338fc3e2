"""The command line: imports, listing, and bad input that leaves the store alone."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from paperqueue.cli import main
from paperqueue.core.store import Store

from conftest import SAMPLE

JSON_FIELDS = {
    "key", "arxiv_id", "title", "abstract", "links", "primary_link",
    "starred", "read", "added_at", "starred_at", "read_at",
}


def snapshot_files(home: Path) -> dict[str, bytes]:
    """The store of record, byte for byte (not the lock, not the search cache)."""
    if not home.exists():
        return {}
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in home.rglob("*")
        if p.is_file() and p.name != "queue.lock" and not p.name.startswith("search.sqlite")
    }


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("paperqueue 0.")


def test_import_twice_and_list_json(capsys, pq_home: Path) -> None:
    assert main(["import", str(SAMPLE)]) == 0
    assert capsys.readouterr().out.strip() == (
        "trending-papers.txt: trending-papers page: 79 new, 0 already in the queue "
        "(0 merged, 0 unchanged), 0 entries not understood"
    )
    assert main(["import", str(SAMPLE)]) == 0
    assert "0 new, 79 already in the queue (0 merged, 79 unchanged)" in capsys.readouterr().out
    assert main(["list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 79
    assert set(rows[0]) >= JSON_FIELDS
    assert rows[0]["title"].startswith("Pushing Auto-regressive")
    assert rows[0]["links"][0] == rows[0]["primary_link"]
    assert rows[0]["arxiv_id"] is None and rows[0]["starred"] is False
    assert rows[0]["added_at"].endswith("Z")
    ldm = next(r for r in rows if r["title"] == "High-Resolution Image Synthesis with Latent Diffusion Models")
    assert "https://github.com/CompVis/latent-diffusion" in ldm["links"]


def test_list_views_and_formats(capsys, pq_home: Path) -> None:
    main(["import", "--sample"])
    store = Store.open(pq_home)
    papers = store.ordered_papers()
    from paperqueue.core.models import PaperState

    store.set_state(papers[0].key, PaperState(starred=True, starred_at="2026-01-01T00:00:00Z"))
    store.set_state(papers[1].key, PaperState(read=True, read_at="2026-01-01T00:00:00Z"))
    store.flush()
    store.close()
    capsys.readouterr()
    counts = {}
    for flag in ("--unread", "--starred", "--read", "--all"):
        assert main(["list", flag, "--format", "json"]) == 0
        counts[flag] = len(json.loads(capsys.readouterr().out))
    assert counts == {"--unread": 78, "--starred": 1, "--read": 1, "--all": 79}
    main(["list", "--read", "--format", "md"])
    assert capsys.readouterr().out.startswith(f"- [x] [{papers[1].title}](https://arxiv.org/search/")
    main(["list", "--starred"])
    assert capsys.readouterr().out.startswith("★ ●"), "unread is marked as in the app"


def test_limit_gives_the_first_papers_of_any_view_in_every_format(capsys, pq_home: Path) -> None:
    main(["import", "--sample"])
    capsys.readouterr()
    assert main(["list", "--format", "json"]) == 0
    every = [row["key"] for row in json.loads(capsys.readouterr().out)]
    assert main(["list", "--unread", "--limit", "3", "--format", "json"]) == 0
    assert [row["key"] for row in json.loads(capsys.readouterr().out)] == every[:3]
    assert main(["list", "--limit", "2"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 2 and table[0].endswith(json_title(every[0], pq_home))
    assert main(["list", "--limit", "1", "--format", "md"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main(["list", "--limit", "0"]) == 0 and capsys.readouterr().out == ""
    assert main(["list", "--limit", "500", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 79


@pytest.mark.parametrize("bad", ["-1", "ten", "2.5"])
def test_a_bad_limit_is_one_line_and_exit_2(capsys, pq_home: Path, bad: str) -> None:
    with pytest.raises(SystemExit) as done:
        main(["list", "--limit", bad])
    assert done.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--limit" in error and bad in error


def json_title(key: str, home: Path) -> str:
    store = Store.open(home, lock=False)
    try:
        return store.papers[key].display_title
    finally:
        store.close()


BAD_INPUTS = {
    "empty": lambda p: p.write_bytes(b""),
    "binary": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(4096)),
    "latin1": lambda p: p.write_bytes("Caf\xe9 title\n\nabstract\xe9 here.\n".encode("latin-1")),
    "no papers": lambda p: p.write_text("Just one paragraph of prose, nothing else.\n"),
    "only chrome": lambda p: p.write_text("new\n\nSubscribe\n\nMar 13\n"),
}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_bad_input_is_refused_and_store_untouched(kind, capsys, pq_home: Path, tmp_path: Path) -> None:
    main(["import", "--sample"])
    before = snapshot_files(pq_home)
    bad = tmp_path / f"{kind}.txt"
    BAD_INPUTS[kind](bad)
    capsys.readouterr()
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"paperqueue: {bad}: ") and "\n" not in err
    assert snapshot_files(pq_home) == before


def test_directory_and_missing_path(capsys, pq_home: Path, tmp_path: Path) -> None:
    assert main(["import", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "nope.txt")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert snapshot_files(pq_home) == {}


def test_big_binary_file_refused_quickly(capsys, pq_home: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        handle.write(os.urandom(1024) + b"\x00")
        handle.truncate(50 * 1024 * 1024)
    assert main(["import", str(big)]) == 2
    assert "binary file" in capsys.readouterr().err


def test_good_files_import_while_bad_ones_are_named(capsys, pq_home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["import", str(empty), str(SAMPLE)]) == 2
    out, err = capsys.readouterr()
    assert "79 new" in out and "empty.txt: file is empty" in err
    assert len(Store.open(pq_home).papers) == 79


def test_corrupt_store_is_set_aside_by_cli(capsys, pq_home: Path) -> None:
    pq_home.mkdir(parents=True)
    (pq_home / "settings.json").write_text("{not json")
    assert main(["import", "--sample"]) == 0
    err = capsys.readouterr().err
    assert "settings.json was not valid JSON" in err
    assert [p.name for p in pq_home.iterdir() if p.name.endswith(".corrupt")]


def test_import_refused_when_the_lock_holder_does_not_take_it(capsys, pq_home: Path, monkeypatch) -> None:
    from paperqueue.core import handoff

    monkeypatch.setattr(handoff, "CLAIM_WITHIN", 0.3)
    holder = Store.open(pq_home)  # holds the lock but, unlike the app, takes no requests
    try:
        assert main(["import", "--sample"]) == 1
        assert "open in another paperqueue" in capsys.readouterr().err
        assert not list((pq_home / "requests").iterdir()), "the request was withdrawn"
    finally:
        holder.close()


def test_import_needs_a_file(capsys) -> None:
    assert main(["import"]) == 2
    assert "give one or more FILEs" in capsys.readouterr().err


def test_escape_codes_in_file_names_never_reach_the_terminal(capsys, pq_home: Path, tmp_path: Path) -> None:
    evil = tmp_path / "page\x1b]0;pwned\x07\x1b[31m.txt"
    evil.write_text(SAMPLE.read_text())
    assert main(["import", str(evil)]) == 0
    missing = tmp_path / "gone\x1b[2J.txt"
    assert main(["import", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert "\x1b" not in out and "\x1b" not in err and "\x07" not in out
    store = Store.open(pq_home)
    assert all("\x1b" not in store.batch_name(b) for b in store.batch_info)
    store.close()
