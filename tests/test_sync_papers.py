"""Papers and batches travel with sync (issue 13, "What is synced"): two
homes on this machine share one folder; papers imported on one show on the
other after ``paperqueue sync`` on both, with their keys, states and
batches, merged with what the other already had, never duplicated, never
sent back (seen through ``paperqueue list --format json`` and ``batch list``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crash_harness import every_boundary, run_child
from test_sync_git import no_git_identity  # noqa: F401 - a fixture: git runs with no identity
from paperqueue.cli import main

ROOT = Path(__file__).resolve().parent
BIB = ROOT / "data" / "real" / "bibtex" / "zotero_bbt_arxiv_ids_460.bib"  # three papers with arXiv ids and DOIs
SPEEDUP, ANNEALING = "arxiv:1401.2910", "arxiv:1305.4904"
# What a person pastes on B: two of A's papers by title alone, and one of its own.
PAGE = """Defining and Detecting Quantum Speedup

The development of small-scale digital and analog quantum devices raises the question of how to fairly assess quantum speedup.

Classical Signature of Quantum Annealing

A pressing question is whether quantum annealing devices behave classically or quantum mechanically in practice.

Sparse Coding of Sensory Inputs Revisited

This abstract describes a paper that only the second device knows about at first, pasted from a page.
"""


@pytest.fixture
def run(pq_home, capsys, monkeypatch):
    def run(home: Path, *argv: str) -> str:
        monkeypatch.setenv("PAPERQUEUE_HOME", str(home))
        try:
            code = main(list(argv))
        finally:
            monkeypatch.setenv("PAPERQUEUE_HOME", str(pq_home))
        out = capsys.readouterr()
        assert code == 0, out.err
        return out.out
    return run


def listing(run, home: Path) -> dict[str, dict]:
    return {row["key"]: row for row in json.loads(run(home, "list", "--format", "json"))}


def batches(run, home: Path) -> dict[str, int]:
    """The batches ``paperqueue batch list`` shows (deleted ones are not), with their paper counts."""
    rows = json.loads(run(home, "batch", "list", "--format", "json"))
    assert len(rows) == len({row["name"] for row in rows})
    return {row["name"]: row["papers"] for row in rows}


def act(home: Path, key: str, **change) -> None:
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
        before = store.state(key)
        after = replace(before, **change)
        writer.record("change", [[key, before.to_record(), after.to_record()]])
        store.set_state(key, after)
        writer.save()
    finally:
        store.close()


def folder_sizes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*.jsonl")}


@pytest.fixture
def homes(tmp_path, run):
    """A with the bundled sample and the BibTeX file (two batches), B empty; both on one folder."""
    from paperqueue.resources import sample_path

    folder = tmp_path / "shared"
    a, b = tmp_path / "a", tmp_path / "b"
    run(a, "import", str(sample_path()), "--name", "trending")
    run(a, "import", str(BIB), "--name", "quantum")
    for home in (a, b):
        home.mkdir(exist_ok=True)
        assert "sync set up" in run(home, "sync", "init", "folder", str(folder))
    return a, b, folder


def test_papers_their_states_and_batches_travel_and_batch_changes_come_back(homes, run):
    a, b, folder = homes
    on_a = listing(run, a)
    assert len(on_a) > 70 and SPEEDUP in on_a
    sample_key = next(key for key in on_a if key.startswith("title:"))
    act(a, SPEEDUP, starred=True, starred_at="2026-01-01T00:00:00Z")
    act(a, sample_key, starred=True, starred_at="2026-01-02T00:00:00Z", tags=("ml",))
    out = run(a, "sync")
    assert f"{len(on_a)} papers" in out  # its own papers' records went out
    out = run(b, "sync")
    assert f"{len(on_a)} new papers added" in out and "waiting" not in out and "skipped" not in out
    on_b = listing(run, b)
    assert set(on_b) == set(on_a)  # the same keys
    assert on_b[SPEEDUP]["starred"] and on_b[SPEEDUP]["starred_at"] == "2026-01-01T00:00:00Z"
    assert on_b[sample_key]["starred"] and on_b[sample_key]["tags"] == ["ml"]
    assert on_b[SPEEDUP]["title"] == on_a[SPEEDUP]["title"] and on_b[SPEEDUP]["doi"] == on_a[SPEEDUP]["doi"]
    assert on_b[SPEEDUP]["abstract"] == on_a[SPEEDUP]["abstract"] and on_b[SPEEDUP]["abstract"]
    assert on_b[SPEEDUP]["batches"] == ["quantum"] and on_b[sample_key]["batches"] == ["trending"]
    assert batches(run, b) == {"quantum": 3, "trending": len(on_a) - 3}  # no "sync from" batch of its own
    # Landing is not an undo step: u on B has nothing of its own to undo.
    assert run(b, "undo").strip() == "nothing to undo"

    # B renames one batch and deletes the other; A takes both.
    run(b, "batch", "rename", "quantum", "quantum annealing")
    run(b, "batch", "delete", "trending")
    run(b, "sync")
    out = run(a, "sync")
    assert "2 batches changed here" in out
    assert batches(run, a) == {"quantum annealing": 3}  # the other one deleted
    on_a = listing(run, a)
    assert set(on_a) == {SPEEDUP, ANNEALING, "arxiv:1508.05387"}  # the deleted batch's papers are hidden
    assert on_a[SPEEDUP]["batches"] == ["quantum annealing"]

    # Nothing new: a sync on each side writes nothing more into the folder, and lands nothing.
    run(b, "sync")
    sizes = folder_sizes(folder)
    for home in (a, b, a, b):
        out = run(home, "sync")
        assert "new paper" not in out and "changed here" in out and "0 paper" in out
    assert folder_sizes(folder) == sizes


def test_an_overlapping_import_in_another_format_makes_no_duplicates(homes, run, tmp_path):
    a, b, folder = homes
    page = tmp_path / "pasted.txt"
    page.write_text(PAGE, encoding="utf-8")
    run(b, "import", str(page), "--name", "pasted")  # B knows two of A's papers by title only
    title_keys = sorted(key for key in listing(run, b) if key.startswith("title:"))
    assert len(title_keys) == 3
    speedup_b = next(key for key in title_keys if "speedup" in key)
    only_b = next(key for key in title_keys if "sparse" in key)
    act(a, SPEEDUP, starred=True, starred_at="2026-01-01T00:00:00Z")
    act(b, speedup_b, tags=("quantum",))
    act(b, only_b, read=True, read_at="2026-01-03T00:00:00Z")
    for home in (a, b, a, b):
        run(home, "sync")
    on_a, on_b = listing(run, a), listing(run, b)
    titles_a = [row["title"] for row in on_a.values()]
    titles_b = [row["title"] for row in on_b.values()]
    assert len(titles_a) == len(set(titles_a)) and len(titles_b) == len(set(titles_b))  # no duplicates
    assert len(on_a) == len(on_b) == len(json.loads(run(a, "list", "--format", "json")))
    # One key everywhere: A sent its paper first, so B's paper takes A's key (its
    # own becomes an alias), and shows both sides' states.
    assert set(on_a) == set(on_b)
    assert speedup_b not in on_b
    assert on_a[SPEEDUP]["starred"] and on_a[SPEEDUP]["tags"] == ["quantum"]
    assert on_b[SPEEDUP]["starred"] and on_b[SPEEDUP]["tags"] == ["quantum"]
    assert on_b[SPEEDUP]["arxiv_id"] == "1401.2910"  # filled in from A's record
    assert on_b[SPEEDUP]["batches"] == ["pasted", "quantum"]  # where it was, and A's batch
    assert on_a[only_b]["read"] and on_a[only_b]["batches"] == ["pasted"]
    # Nothing more goes back and forth.
    sizes = folder_sizes(folder)
    for home in (a, b):
        assert "new paper" not in run(home, "sync")
    assert folder_sizes(folder) == sizes


def test_landed_papers_are_never_sent_back(homes, run):
    a, b, folder = homes
    run(a, "sync")
    run(b, "sync")
    run(b, "sync")
    device_b = json.loads((b / "sync.json").read_text())["device"]
    own_b = b"".join(p.read_bytes() for p in (folder / device_b).glob("*.jsonl"))
    assert b'"p":' not in own_b and b'"batch:' not in own_b
    assert json.loads((b / "sync.json").read_text())["papers"] >= 1


def test_a_damaged_paper_line_is_skipped_and_counted(homes, run):
    a, b, folder = homes
    run(a, "sync")
    device_a = json.loads((a / "sync.json").read_text())["device"]
    path = folder / device_a / "000001.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if b'"p":' in line)
    row = json.loads(lines[first])
    row["p"]["starred"] = True  # a person's field in a paper line: refused
    lines[first] = json.dumps(row).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    out = run(b, "sync")
    assert "1 damaged line skipped" in out
    assert row["k"] not in listing(run, b) and len(listing(run, b)) == len(listing(run, a)) - 1


def test_through_git_a_paper_imported_on_a_appears_on_b(run, tmp_path, no_git_identity):
    from test_sync_git import bare_repo

    remote = bare_repo(tmp_path / "remote.git")
    a, b = tmp_path / "a", tmp_path / "b"
    run(a, "import", str(BIB), "--name", "quantum")
    b.mkdir()
    for home in (a, b):
        assert "sync set up" in run(home, "sync", "init", "git", str(remote))
    act(a, ANNEALING, read=True, read_at="2026-01-04T00:00:00Z", note="compare with §2")
    assert "3 papers" in run(a, "sync")
    out = run(b, "sync")
    assert "3 new papers added" in out
    on_b = listing(run, b)
    assert set(on_b) == set(listing(run, a))
    assert on_b[ANNEALING]["read"] and on_b[ANNEALING]["note"] == "compare with §2"
    assert batches(run, b) == {"quantum": 3}
    # The next syncs bring nothing more: B pushed no paper of A's back.
    assert "new paper" not in run(a, "sync")
    device_b = json.loads((b / "sync.json").read_text())["device"]
    assert not any(b'"p":' in p.read_bytes() for p in (b / "sync-git" / device_b).glob("*.jsonl"))


# A's store and the shared folder live inside B's home (the harness copies one folder).
MOVED = """
import json, os
from pathlib import Path
here = Path(os.environ["PAPERQUEUE_HOME"])
for store in (here, here / "a"):
    settings = json.loads((store / "sync.json").read_text())
    settings["folder"] = str(here / "shared")
    (store / "sync.json").write_text(json.dumps(settings))
"""
SYNC = MOVED + """
from paperqueue.cli import main
raise SystemExit(main(["sync"]))
"""


def _cli(home: Path, *argv: str) -> str:
    done = run_child(home, f"from paperqueue.cli import main; raise SystemExit(main({list(argv)!r}))")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_landing_killed_at_every_boundary_leaves_b_openable_and_the_next_sync_completes(tmp_path):
    home = tmp_path / "home"  # B, with A and the shared folder inside

    def prepare(start: Path) -> None:
        start.mkdir(parents=True)
        _cli(start / "a", "import", str(BIB), "--name", "quantum")
        for store in (start, start / "a"):
            _cli(store, "sync", "init", "folder", str(start / "shared"))
        run_child(start / "a", "import sys; sys.argv = ['x']\n" + STAR)
        _cli(start / "a", "sync")

    stops = 0
    # Every other boundary (84 in all, from the import's journal to the positions): the landing's
    # commit, its note, the keys, the states taken, the fold and the positions are all hit.
    for stop in every_boundary(home, SYNC, prepare, tmp_path / "work", every=2):
        stops += 1
        done = run_child(home, MOVED + CHECK)  # the next two syncs, then what B shows, in one process
        assert done.returncode == 0, (stop.label, done.stderr)
        rows, names, undone = json.loads(done.stdout.splitlines()[-1])
        keys = [row["key"] for row in rows]
        assert sorted(keys) == sorted(set(keys)) and len(keys) == 3, stop.label
        assert next(row for row in rows if row["key"] == SPEEDUP)["starred"], stop.label
        assert [row["name"] for row in names] == ["quantum"] and names[0]["papers"] == 3, (stop.label, names)
        assert not undone.startswith("undid: Synced"), stop.label
    assert stops > 10


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
rows = json.loads(cli("list", "--format", "json"))
names = json.loads(cli("batch", "list", "--format", "json"))
print(json.dumps([rows, names, cli("undo")]))
"""


STAR = f"""
from dataclasses import replace
from paperqueue.core.history import History, repair
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer
store = Store.open()
history = History(store.home)
repair(store, history)
store.load_rest()
writer = Writer(store, history)
before = store.state({SPEEDUP!r})
after = replace(before, starred=True, starred_at="2026-01-01T00:00:00Z")
writer.record("star", [[{SPEEDUP!r}, before.to_record(), after.to_record()]])
store.set_state({SPEEDUP!r}, after)
writer.save()
store.close()
"""


def test_what_a_later_import_fills_in_or_joins_travels_once(tmp_path, run):
    """A paper already synced, filled in later by another import on A (an
    arXiv id, a DOI) and so joining that import's batch: B gets the richer
    record and the batch; nothing goes back and forth after."""
    folder = tmp_path / "shared"
    a, b = tmp_path / "a", tmp_path / "b"
    page = tmp_path / "pasted.txt"
    page.write_text(PAGE, encoding="utf-8")
    run(a, "import", str(page), "--name", "pasted")
    for home in (a, b):
        run(home, "sync", "init", "folder", str(folder))
    run(a, "sync")
    run(b, "sync")
    key = next(key for key in listing(run, b) if "speedup" in key)
    assert listing(run, b)[key]["arxiv_id"] is None
    richer = tmp_path / "richer.json"
    richer.write_text(json.dumps([{"key": key, "title": "Defining and Detecting Quantum Speedup",
                                   "arxiv_id": "1401.2910", "doi": "10.1126/science.1252319"}]))
    run(a, "import", str(richer), "--name", "with ids")
    assert "sent 0 changes and 1 paper" in run(a, "sync")
    assert "1 filled in" in run(b, "sync")
    row = listing(run, b)[key]
    assert (row["arxiv_id"], row["doi"]) == ("1401.2910", "10.1126/science.1252319")
    assert row["batches"] == ["pasted"]  # an import that brings nothing new makes no batch (here as there)
    sizes = folder_sizes(folder)
    for home in (a, b, a):
        out = run(home, "sync")
        assert "paper" not in out.split("read")[0] and "filled in" not in out, out
    assert folder_sizes(folder) == sizes
    # A later import with a new paper makes a batch on A that the known paper joins: so on B.
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("Defining and Detecting Quantum Speedup\n\nThe development of small-scale digital and analog "
                     "quantum devices raises the question.\n\nA Paper Only The Second Import Has\n\nFresh text "
                     "that no other page carries.\n", encoding="utf-8")
    run(a, "import", str(mixed), "--name", "mixed")
    run(a, "sync")
    run(b, "sync")
    assert batches(run, b) == batches(run, a) == {"pasted": 3, "mixed": 2}
    assert listing(run, b)[key]["batches"] == ["pasted", "mixed"]
