"""Sync through a shared folder, end to end: two homes on this machine
share one folder; what one device does shows on the other after
``paperqueue sync`` on both (seen through ``paperqueue list --format json``)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from paperqueue.cli import main

BIB = """@article{a1, title={Attention Is All You Need}, author={Vaswani, Ashish}, year={2017}, eprint={1706.03762}, archivePrefix={arXiv}}
@article{a2, title={Deep Residual Learning}, author={He, Kaiming}, year={2015}, eprint={1512.03385}, archivePrefix={arXiv}}
@article{a3, title={Adam: A Method for Stochastic Optimization}, author={Kingma, Diederik}, year={2014}, eprint={1412.6980}, archivePrefix={arXiv}}
"""
KEY = "arxiv:1706.03762"


@pytest.fixture
def run(pq_home, capsys, monkeypatch):
    def run(home: Path, *argv: str) -> tuple[int, str, str]:
        monkeypatch.setenv("PAPERQUEUE_HOME", str(home))
        try:
            code = main(list(argv))
        finally:
            monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def listing(run, home: Path) -> dict[str, dict]:
    code, out, err = run(home, "list", "--format", "json")
    assert code == 0, err
    return {row["key"]: row for row in json.loads(out)}


def act(home: Path, label: str, change) -> None:  # noqa: ANN001
    """Change one paper's state as the app does: log it, set it, save."""
    from dataclasses import replace

    from paperqueue.core.history import History, repair
    from paperqueue.core.store import Store
    from paperqueue.core.writer import Writer

    store = Store.open(home)
    try:
        history = History(home)
        repair(store, history)
        store.load_rest()
        writer = Writer(store, history)
        before = store.state(KEY)
        after = replace(before, **change(before))
        writer.record(label, [[KEY, before.to_record(), after.to_record()]])
        store.set_state(KEY, after)
        writer.save()
    finally:
        store.close()


def undo(run, home: Path) -> None:
    code, _out, err = run(home, "undo")
    assert code == 0, err


@pytest.fixture
def pair(tmp_path, run):
    """Two homes with the same three papers, both set up on one folder."""
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    folder = tmp_path / "shared"
    homes = tmp_path / "a", tmp_path / "b"
    for home in homes:
        code, _out, err = run(home, "import", str(bib))
        assert code == 0, err
        code, out, err = run(home, "sync", "init", "folder", str(folder))
        assert code == 0, err
        assert "sync set up" in out
    return homes[0], homes[1], folder


def star(home: Path) -> None:
    act(home, "Starred 1 paper", lambda s: {"starred": True, "starred_at": "2026-01-01T00:00:00Z"})


def sync(run, home: Path) -> str:
    code, out, err = run(home, "sync")
    assert code == 0, err
    assert out.startswith("synced:")
    return out


def test_a_star_on_a_shows_on_b_after_both_sync(pair, run):
    a, b, _folder = pair
    star(a)
    sync(run, a)
    assert not listing(run, b)[KEY]["starred"]
    out = sync(run, b)
    assert "1 paper changed here" in out and "skipped" not in out
    assert listing(run, b)[KEY]["starred"]
    assert listing(run, b)[KEY]["starred_at"] == "2026-01-01T00:00:00Z"


def test_a_change_made_while_the_folder_was_missing_goes_out_at_the_next_sync(pair, run, tmp_path):
    a, b, folder = pair
    shutil.move(folder, tmp_path / "away")
    star(a)  # the star is saved; the folder cannot be written
    assert listing(run, a)[KEY]["starred"]
    code, _out, err = run(a, "sync")
    assert code == 2 and "is not there" in err and "\n" not in err.strip()
    shutil.move(tmp_path / "away", folder)
    code, out, _err = run(a, "sync", "status")
    assert "field changes waiting to go out: 1" in out  # starred (with its time) is one field
    sync(run, a)
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]


def test_tags_notes_and_undo_travel(pair, run):
    a, b, _folder = pair
    act(a, "Tagged", lambda s: {"tags": ("ml",), "note": "read §3"})
    star(a)
    undo(run, a)  # the star goes, the tag stays
    sync(run, a)
    sync(run, b)
    row = listing(run, b)[KEY]
    assert row["tags"] == ["ml"] and row["note"] == "read §3" and not row["starred"]


def test_concurrent_changes_to_one_field_resolve_the_same_on_both(pair, run):
    a, b, _folder = pair
    act(a, "Note", lambda s: {"note": "from a"})
    act(b, "Note", lambda s: {"note": "from b"})
    act(a, "Read", lambda s: {"read": True, "read_at": "2026-01-01T00:00:00Z"})
    act(b, "Unread", lambda s: {"read": False, "read_at": None})
    for home in (a, b, a, b):
        sync(run, home)
    row_a, row_b = listing(run, a)[KEY], listing(run, b)[KEY]
    assert (row_a["note"], row_a["read"]) == (row_b["note"], row_b["read"])
    assert row_a["note"] in ("from a", "from b")


def test_a_half_copied_last_line_is_read_once_whole(pair, run):
    a, b, folder = pair
    star(a)
    own = next(p for p in folder.iterdir() if (p / "000001.jsonl").exists() and p.name.startswith(_device(a)))
    path = own / "000001.jsonl"
    whole = path.read_bytes()
    cut = whole[: whole.rfind(b"\n", 0, len(whole) - 1) + 1]  # the star's line, half of it
    half = cut + whole[len(cut): len(cut) + (len(whole) - len(cut)) // 2]
    path.write_bytes(half)  # as a syncer mid-copy leaves it on B's side
    sync(run, b)
    assert not listing(run, b)[KEY]["starred"]
    path.write_bytes(whole)
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]


def test_a_missing_file_is_fine_and_read_when_it_arrives(pair, run, tmp_path):
    a, b, folder = pair
    star(a)
    sync(run, a)
    own = folder / _device(a)
    shutil.move(own, tmp_path / "later")
    sync(run, b)
    assert not listing(run, b)[KEY]["starred"]
    shutil.move(tmp_path / "later", own)
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]


def test_positions_of_files_compacted_away_are_dropped(pair, run, tmp_path):
    from paperqueue.core.sync.positions import POSITIONS

    a, b, folder = pair
    star(a)
    sync(run, a)
    sync(run, b)
    own = folder / _device(a)
    read = json.loads((b / POSITIONS).read_text(encoding="utf-8"))["files"]
    assert f"{own.name}/000001.jsonl" in read
    # A's device compacts: a new generation holding the same lines, the old one deleted.
    (own / "000002.jsonl").write_bytes((own / "000001.jsonl").read_bytes())
    (own / "000001.jsonl").unlink()
    sync(run, b)
    read = json.loads((b / POSITIONS).read_text(encoding="utf-8"))["files"]
    assert f"{own.name}/000001.jsonl" not in read and f"{own.name}/000002.jsonl" in read
    assert listing(run, b)[KEY]["starred"]
    # A device folder missing altogether (a syncer halfway) keeps its positions.
    shutil.move(own, tmp_path / "away")
    sync(run, b)
    assert f"{own.name}/000002.jsonl" in json.loads((b / POSITIONS).read_text(encoding="utf-8"))["files"]


@pytest.mark.parametrize("copy_name", [
    "000001.sync-conflict-20260101-101010-ABCDEFG.jsonl",
    "000001 (laptop's conflicted copy 2026-01-01).jsonl",
    "000001 2.jsonl",
])
def test_conflict_copies_are_read_as_extra_files_and_duplicates_count_once(pair, run, copy_name):
    a, b, folder = pair
    star(a)
    own = folder / _device(a)
    original = (own / "000001.jsonl").read_bytes()
    (own / copy_name).write_bytes(original)  # a syncer's copy of the same lines
    act(a, "Tagged", lambda s: {"tags": ("ml",)})
    # The copy alone holds the tag: the syncer wrote it aside, the original lost it.
    tagged = (own / "000001.jsonl").read_bytes()
    (own / copy_name).write_bytes(tagged)
    (own / "000001.jsonl").write_bytes(original)
    sync(run, b)
    row = listing(run, b)[KEY]
    assert row["starred"] and row["tags"] == ["ml"]
    sync(run, b)
    assert listing(run, b)[KEY]["tags"] == ["ml"]


def test_a_paper_the_other_queue_lacks_lands_with_its_star_in_one_sync(pair, run, tmp_path):
    a, b, folder = pair
    extra = tmp_path / "extra.bib"
    extra.write_text("@article{x, title={Batch Normalization}, author={Ioffe, Sergey}, year={2015}, "
                     "eprint={1502.03167}, archivePrefix={arXiv}}\n", encoding="utf-8")
    assert run(a, "import", str(extra))[0] == 0
    global KEY
    key, KEY = KEY, "arxiv:1502.03167"
    try:
        star(a)
        sync(run, a)
        # Without its paper line (a device that sent only the star), the star waits for the paper.
        own = folder / _device(a)
        whole = (own / "000001.jsonl").read_bytes()
        (own / "000001.jsonl").write_bytes(b"".join(line for line in whole.splitlines(keepends=True)
                                                    if b'"p":' not in line))
        out = sync(run, b)
        assert "1 waiting for papers this queue does not have yet" in out
        assert "arxiv:1502.03167" not in listing(run, b)
        (own / "000001.jsonl").write_bytes(whole)  # the syncer brings the whole file
        out = sync(run, b)
        assert "1 new paper added" in out and "waiting" not in out
        assert listing(run, b)["arxiv:1502.03167"]["starred"]
    finally:
        KEY = key


def test_a_store_without_sync_init_makes_no_sync_file(run, tmp_path, pq_home):
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    assert run(pq_home, "import", str(bib))[0] == 0
    star(pq_home)
    undo(run, pq_home)
    names = sorted(p.name for p in pq_home.iterdir())
    assert not [n for n in names if "sync" in n]
    assert all('"sync":[' not in line for line in (pq_home / "history.jsonl").read_text().splitlines())
    code, out, _err = run(pq_home, "sync")
    assert code == 2
    code, out, _err = run(pq_home, "sync", "status")
    assert "not set up" in out


def test_init_drops_an_untouched_bundled_sample_and_skips_it_later(run, tmp_path, pq_home):
    from paperqueue.core.history import History, repair
    from paperqueue.core.importing import import_file
    from paperqueue.core.store import Store
    from paperqueue.core.writer import Writer
    from paperqueue.resources import sample_path

    store = Store.open(pq_home)  # what the app's first run does
    history = History(pq_home)
    repair(store, history)
    writer = Writer(store, history)
    result = import_file(store, sample_path(), source="bundled sample")
    writer.note(f"Imported the bundled sample: {result.summary()}")
    writer.save()
    store.close()
    code, out, err = run(pq_home, "sync", "init", "folder", str(tmp_path / "shared"))
    assert code == 0, err
    assert "dropped the untouched bundled sample (79 papers)" in out
    assert listing(run, pq_home) == {}
    store = Store.open(pq_home)
    try:
        assert not store.fresh  # the app's first run would import the sample again: it does not
    finally:
        store.close()


def test_init_twice_is_refused(pair, run):
    a, _b, folder = pair
    code, _out, err = run(a, "sync", "init", "folder", str(folder))
    assert code == 2 and "already set up" in err


def _device(home: Path) -> str:
    return json.loads((home / "sync.json").read_text())["device"]



def test_a_note_edited_on_both_machines_keeps_the_other_text_for_the_reader(pair, run):
    """Both machines edit one note between syncs: after both sync twice,
    both show the same note, and each keeps the other text in its
    device-local note history (what the reader shows as "also edited on")."""
    from paperqueue.core.sync.notes import load_note_history

    one, two, _folder = pair
    act(one, "Note", lambda state: {"note": "first thoughts from the laptop"})
    act(two, "Note", lambda state: {"note": "desk reading notes"})
    for _round in range(2):
        for home in (one, two):
            code, _out, err = run(home, "sync")
            assert code == 0, err
    notes = {listing(run, home)[KEY]["note"] for home in (one, two)}
    assert len(notes) == 1  # the same winner on both
    [shown] = notes
    lost = ({"first thoughts from the laptop", "desk reading notes"} - {shown}).pop()
    for home in (one, two):
        assert [version.text for version in load_note_history(home, KEY)] == [lost]
