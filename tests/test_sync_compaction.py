"""Compaction of a device's own sync files (issue 13, "Rules"): past a size,
the device writes the next generation holding what its changes fold to,
and only then deletes the old one; nothing is rewritten in place, another
device that had read part of the old file still ends up with the same
queue, and a sync with nothing new does not rewrite the fold cache."""

from __future__ import annotations

import json
from pathlib import Path

from test_sync_folder import KEY, act, listing, pair, run, sync  # noqa: F401 - fixtures


def own_files(folder: Path, home: Path) -> list[str]:
    device = json.loads((home / "sync.json").read_text())["device"]
    return sorted(p.name for p in (folder / device).iterdir())


def toggle(home: Path, field: str, on: bool) -> None:
    act(home, f"{field} {on}", lambda s: {field: on, f"{field}_at": "2026-01-01T00:00:00Z"} if field != "removed"
        else {field: on})


def test_own_files_past_the_threshold_become_one_new_generation_and_b_converges(pair, run, monkeypatch):
    monkeypatch.setenv("PAPERQUEUE_SYNC_COMPACT_AT", "600")
    a, b, folder = pair
    toggle(a, "starred", True)
    sync(run, a)
    sync(run, b)  # B has read part of A's first file
    for on in (False, True) * 6:  # (paper lines do not count towards compaction: enough changes to pass them)
        toggle(a, "read", on)
        toggle(a, "starred", not on)
    act(a, "note", lambda s: {"note": "see §3"})
    sync(run, a)
    files = own_files(folder, a)
    assert files and all(not name.startswith(".") for name in files)
    assert "000001.jsonl" not in files, files  # compacted into a later generation, the old one deleted
    sync(run, b)
    rows_a, rows_b = listing(run, a), listing(run, b)
    assert rows_a[KEY]["read"] and not rows_a[KEY]["starred"] and rows_a[KEY]["note"] == "see §3"
    assert {k: (r["starred"], r["read"], r["note"]) for k, r in rows_a.items()} == \
        {k: (r["starred"], r["read"], r["note"]) for k, r in rows_b.items()}
    # B's changes still cross over to A after A compacted.
    toggle(b, "removed", True)
    sync(run, b)
    sync(run, a)
    assert KEY not in listing(run, b) and KEY not in listing(run, a)  # removed papers are not listed


def test_below_the_threshold_nothing_is_compacted(pair, run, monkeypatch):
    monkeypatch.setenv("PAPERQUEUE_SYNC_COMPACT_AT", "100000")
    a, _b, folder = pair
    for on in (True, False, True):
        toggle(a, "starred", on)
    sync(run, a)
    assert own_files(folder, a) == ["000001.jsonl"]


def test_a_sync_with_nothing_new_leaves_the_fold_cache_alone(pair, run):
    a, b, _folder = pair
    toggle(a, "starred", True)
    sync(run, a)
    sync(run, b)
    cache = b / "sync-merged.jsonl"
    before = cache.stat()
    out = sync(run, b)
    assert "read 0" in out
    after = cache.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert listing(run, b)[KEY]["starred"]


def test_compaction_keeps_the_latest_paper_line_of_each_key_and_a_new_device_lands_them(pair, run, monkeypatch,
                                                                                        tmp_path):
    monkeypatch.setenv("PAPERQUEUE_SYNC_COMPACT_AT", "600")
    a, _b, folder = pair
    before = (a / "sync.json").read_text()
    sync(run, a)  # A's three papers go out as paper lines
    (a / "sync.json").write_text(before)  # as after a crash before the mark was saved: they go out again
    sync(run, a)
    for on in (True, False) * 20 + (True,):
        toggle(a, "starred", on)
    sync(run, a)
    device = json.loads(before)["device"]
    files = own_files(folder, a)
    assert "000001.jsonl" not in files, files  # compacted
    lines = [json.loads(line) for name in files for line in (folder / device / name).read_text().splitlines()]
    papers = [line["k"] for line in lines if "p" in line]
    assert sorted(papers) == sorted(listing(run, a))  # each paper once, none lost
    # A device that joins now gets the papers and the star from the compacted file alone.
    c = tmp_path / "c"
    c.mkdir()
    code, _out, err = run(c, "sync", "init", "folder", str(folder))
    assert code == 0, err
    out = sync(run, c)
    assert "3 new papers added" in out
    assert listing(run, c)[KEY]["starred"]
