"""One paper, one key, everywhere (issue 13, "Rules"): two devices that know
one paper under two keys (``arxiv:...`` from a BibTeX file on A, ``title:...``
from a pasted page on B) end with the key whose first paper line has the
lowest stamp on both, whichever synced first; the other key stays an alias
that still resolves (the other device's changes, an export naming it, an
undo of an action made under it). Seen through ``paperqueue list`` and the
store's files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crash_harness import every_boundary, run_child
from test_sync_papers import BIB, MOVED, PAGE, SPEEDUP, _cli, act, listing, run  # noqa: F401 - run: a fixture
from paperqueue.core.sync.aliases import FIRSTS, KEYS, KeyMap, load, save
from paperqueue.core.sync.hlc import Stamp

SPEEDUP_TITLE = "title:defining-and-detecting-quantum-speedup"


@pytest.fixture
def pair(tmp_path, run):
    """A with three papers from BibTeX (arXiv keys), B with a pasted page naming two of them by title."""
    folder = tmp_path / "shared"
    a, b = tmp_path / "a", tmp_path / "b"
    run(a, "import", str(BIB), "--name", "quantum")
    page = tmp_path / "pasted.txt"
    page.write_text(PAGE, encoding="utf-8")
    run(b, "import", str(page), "--name", "pasted")
    for home in (a, b):
        run(home, "sync", "init", "folder", str(folder))
    return a, b


def aliases(home: Path) -> dict[str, str]:
    """The aliases ``meta.json`` commits (a TinyDB table of one document)."""
    return json.loads((home / "meta.json").read_text())["meta"]["1"].get("aliases", {})


def test_the_key_sent_first_wins_on_both_and_the_other_still_resolves(pair, run):
    a, b = pair
    order_b = [row["title"] for row in listing(run, b).values()]
    act(b, SPEEDUP_TITLE, tags=("quantum",))  # made under B's own key, before any sync
    run(a, "sync")  # A's papers go out first: their first stamps are the lowest
    out = run(b, "sync")
    assert "2 filled in, 2 now under the key another device gave them first" in out
    run(a, "sync")
    on_a, on_b = listing(run, a), listing(run, b)
    assert set(on_a) == set(on_b) and SPEEDUP in on_b and SPEEDUP_TITLE not in on_b
    assert len(on_b) == 4  # A's three and B's own third: nothing twice
    # B's paper kept everything it had: its tag (made under the old key), its place, its batch first.
    assert on_b[SPEEDUP]["tags"] == ["quantum"] and on_a[SPEEDUP]["tags"] == ["quantum"]
    # (the paper new to B first: newest import first; B's three where they were, in page order)
    assert [row["title"].casefold() for row in on_b.values()][1:] == [title.casefold() for title in order_b]
    assert on_b[SPEEDUP]["batches"][0] == "pasted"
    assert aliases(b)[SPEEDUP_TITLE] == SPEEDUP  # in meta.json: it still resolves
    # The undo of B's tag, made under the old key, reaches the paper and travels.
    assert "undid" in run(b, "undo")
    assert listing(run, b)[SPEEDUP]["tags"] == []
    run(b, "sync")
    run(a, "sync")
    assert listing(run, a)[SPEEDUP]["tags"] == []
    # An export made on B before the sync names the old key: importing it finds the paper.
    exported = b / "old.json"
    exported.write_text(json.dumps([{"key": SPEEDUP_TITLE, "title": "Defining and Detecting Quantum Speedup"}]))
    assert "1 already in the queue" in run(b, "import", str(exported))
    assert len(listing(run, b)) == 4


def test_the_other_order_gives_the_other_key_on_both(pair, run):
    a, b = pair
    run(b, "sync")  # B's pasted papers go out first: its title keys win
    run(a, "sync")
    run(b, "sync")
    on_a, on_b = listing(run, a), listing(run, b)
    assert set(on_a) == set(on_b)
    assert SPEEDUP_TITLE in on_a and SPEEDUP not in on_a
    assert on_a[SPEEDUP_TITLE]["arxiv_id"] == "1401.2910"  # A's record kept, under B's key
    assert on_a[SPEEDUP_TITLE]["batches"][0] == "quantum"
    assert aliases(a)[SPEEDUP] == SPEEDUP_TITLE
    # Nothing more goes back and forth, and the keys stay.
    for home in (a, b, a, b):
        assert "new paper" not in run(home, "sync")
    assert set(listing(run, a)) == set(on_a)


def test_first_stamps_are_rebuilt_from_the_folder_when_their_file_is_missing_or_damaged(tmp_path):
    """First stamps lost (or from before they were kept): every paper line in
    the folder gives them again, this device's too; a damaged file is set
    aside, its bytes kept. The older key map (a plain map) is still read."""
    (tmp_path / KEYS).write_text(json.dumps({"arxiv:1": "title:one"}))
    (tmp_path / FIRSTS).write_bytes(b'{"half written')
    keymap = load(tmp_path)
    assert keymap == KeyMap({"arxiv:1": "title:one"})
    folder = tmp_path / "shared"
    early, late = Stamp(1000, 0, "aaaaaaaaaaaa"), Stamp(2000, 0, "bbbbbbbbbbbb")
    from paperqueue.core.sync.changes import PaperLine, encode_paper

    for device, stamp in (("aaaaaaaaaaaa", late), ("bbbbbbbbbbbb", early)):
        (folder / device).mkdir(parents=True)
        (folder / device / "000001.jsonl").write_bytes(
            encode_paper(PaperLine("arxiv:1", {"key": "arxiv:1", "title": "One", "batches": []}, stamp)))
    keymap.ensure_firsts(tmp_path, folder)
    assert keymap.firsts == {"arxiv:1": early.text()}
    [aside] = tmp_path.glob(f"{FIRSTS}.*.corrupt")
    assert aside.read_bytes() == b'{"half written'
    save(tmp_path, keymap)
    again = load(tmp_path)
    again.ensure_firsts(tmp_path, tmp_path / "nowhere")  # read from the file now, not the folder
    assert again.firsts == {"arxiv:1": early.text()} and again.keys == {"arxiv:1": "title:one"}
    assert keymap.winner("arxiv:1", "title:unknown") == "arxiv:1"  # a known first beats none
    keymap.saw("title:x", Stamp(1000, 0, "aaaaaaaaaaab"))
    assert keymap.winner("title:x", "arxiv:1") == "arxiv:1"  # same time: the lower device's stamp
    keymap.saw("title:y", early)
    assert keymap.winner("title:y", "arxiv:1") == "arxiv:1"  # same stamp: the smaller key


def test_a_rekeying_sync_killed_at_every_boundary_ends_with_one_key_and_nothing_lost(tmp_path):
    home = tmp_path / "home"  # B (title keys, a tag), with A (arXiv keys) and the shared folder inside

    def prepare(start: Path) -> None:
        start.mkdir(parents=True)
        page = start / "pasted.txt"
        page.write_text(PAGE, encoding="utf-8")
        _cli(start, "import", str(page), "--name", "pasted")
        _cli(start / "a", "import", str(BIB), "--name", "quantum")
        for store in (start / "a", start):
            _cli(store, "sync", "init", "folder", str(start / "shared"))
        assert run_child(start, TAG).returncode == 0
        _cli(start / "a", "sync")

    stops = 0
    for stop in every_boundary(home, MOVED + SYNC_B, prepare, tmp_path / "work", every=2):
        stops += 1
        done = run_child(home, MOVED + CHECK)
        assert done.returncode == 0, (stop.label, done.stderr)
        rows = json.loads(done.stdout.splitlines()[-1])
        keys = [row["key"] for row in rows]
        assert sorted(keys) == sorted(set(keys)) and len(keys) == 4, (stop.label, keys)
        assert SPEEDUP_TITLE not in keys, stop.label
        assert next(row for row in rows if row["key"] == SPEEDUP)["tags"] == ["quantum"], stop.label
    assert stops > 10


SYNC_B = """
from paperqueue.cli import main
raise SystemExit(main(["sync"]))
"""
TAG = f"""
from dataclasses import replace
from paperqueue.core.history import History, repair
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer
store = Store.open()
history = History(store.home)
repair(store, history)
store.load_rest()
writer = Writer(store, history)
before = store.state({SPEEDUP_TITLE!r})
after = replace(before, tags=("quantum",))
writer.record("tag", [[{SPEEDUP_TITLE!r}, before.to_record(), after.to_record()]])
store.set_state({SPEEDUP_TITLE!r}, after)
writer.save()
store.close()
"""
CHECK = """
import contextlib, io, json
from paperqueue.cli import main

def cli(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0, argv
    return out.getvalue()

cli("sync")
cli("sync")
print(json.dumps(json.loads(cli("list", "--format", "json"))))
"""
