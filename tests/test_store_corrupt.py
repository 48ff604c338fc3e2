"""Damaged store files (issue 9 items 5-8): a first run is an empty folder,
a lost state shard comes back from the action log, a lost abstracts or index
shard says which papers and imports it took, a file of the wrong shape is
set aside like invalid JSON, and temp files of killed writes are removed."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store, layout


def _papers(count: int, start: int = 0, word: str = "paper") -> list[ParsedPaper]:
    return [ParsedPaper(f"A {word} number {i}", f"Abstract {i}.", None, ()) for i in range(start, start + count)]


def _two_imports(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 10)
    store = Store.open(home)
    store.add_papers(_papers(15), source="x", name="first.bib")
    store.add_papers(_papers(10, 15), source="x", name="second.txt")
    store.close()


def test_first_run_means_an_empty_folder(pq_home: Path, monkeypatch) -> None:
    with Store.open(pq_home) as empty:
        assert empty.fresh
    _two_imports(pq_home, monkeypatch)
    (pq_home / "meta.json").write_text("{broken")
    (pq_home / "index" / "00000.json").write_text("{broken")
    store = Store.open(pq_home)
    assert not store.fresh, "damaged files are not a first run"
    store.close()
    again = Store.open(pq_home)
    assert not again.fresh
    again.close()


def test_only_a_set_aside_meta_is_not_a_first_run(pq_home: Path) -> None:
    pq_home.mkdir(parents=True)
    (pq_home / "meta.json.20250101T000000.corrupt").write_text("{")
    with Store.open(pq_home) as store:
        assert not store.fresh


def _log(home: Path, records: list[dict], torn: bytes = b"") -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "history.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records) + torn)


STAR = {"starred": True, "read": False, "starred_at": "2025-01-01T00:00:00Z", "read_at": None}
READ = {"starred": False, "read": True, "starred_at": None, "read_at": "2025-01-02T00:00:00Z", "tags": ["t"]}
NONE = {"starred": False, "read": False, "starred_at": None, "read_at": None}


def test_log_states_replays_undo_and_redo_and_skips_odd_lines() -> None:
    from paperqueue.core.store.salvage import log_states

    lines = [orjson.dumps(r) for r in [
        {"seq": 1, "kind": "do", "changes": [["a", NONE, STAR], ["b", NONE, READ]]},
        {"seq": 2, "kind": "do", "changes": [["a", STAR, READ]]},
        {"seq": 3, "kind": "undo", "target": 2},
        {"kind": "sync", "seq": 3},
        {"seq": 4, "kind": "undo", "target": 99},  # names nothing: ignored
        {"seq": "abc"},
        {"seq": 5, "kind": "do", "changes": "nonsense"},
        {"seq": 6, "kind": "do", "changes": [["c", NONE, STAR], ["bad"], [1, {}, {}]]},
        {"seq": 7, "kind": "undo", "target": 6},
        {"seq": 8, "kind": "redo", "target": 6},
    ]] + [b"[1, 2]", b"not json", b'{"seq": 9, "kind": "do", "chan']
    assert log_states(lines) == {"a": STAR, "b": READ, "c": STAR}


def test_log_states_replays_what_a_sync_took_and_a_field_by_field_undo_set() -> None:
    """A ``took`` (changes read from another machine) sets its states and is
    never undone; an undo carrying its own ``changes`` sets those, not the
    action's old before-state (the star the other machine added stays)."""
    from paperqueue.core.store.salvage import log_states

    tagged = {**NONE, "tags": ["t"]}
    starred_tagged = {**STAR, "tags": ["t"]}
    lines = [orjson.dumps(r) for r in [
        {"seq": 1, "kind": "do", "changes": [["a", NONE, tagged]]},
        {"seq": 2, "kind": "took", "label": "Synced 1 paper from b", "changes": [["a", tagged, starred_tagged]]},
        {"seq": 3, "kind": "undo", "target": 1, "changes": [["a", starred_tagged, STAR]]},
    ]]
    assert log_states(lines) == {"a": STAR}
    lines.append(orjson.dumps({"seq": 4, "kind": "undo", "target": 2}))  # a took is not on the undo stack
    assert log_states(lines) == {"a": STAR}


def test_a_lost_state_shard_is_rebuilt_from_the_action_log(pq_home: Path, monkeypatch) -> None:
    _two_imports(pq_home, monkeypatch)
    store = Store.open(pq_home)
    keys = {p.id: p.key for p in store.papers.values()}
    store.close()
    # Papers 1-3 in the log (2 starred, then one of them undone), 4 in the
    # state file only (changed before the log was compacted, say).
    _log(pq_home, [
        {"seq": 1, "kind": "do", "changes": [[keys[1], NONE, STAR], [keys[2], NONE, STAR]]},
        {"seq": 2, "kind": "do", "changes": [[keys[3], NONE, READ]]},
        {"seq": 3, "kind": "do", "changes": [[keys[2], STAR, NONE]]},
        {"kind": "sync", "seq": 3},
    ], torn=b'{"seq": 4, "ki')
    states = {1: STAR, 3: READ, 4: STAR}
    (pq_home / "state").mkdir(exist_ok=True)
    (pq_home / "state" / "00000.json").write_text(json.dumps(
        {"state": {str(i): {"key": keys[i], **s} for i, s in states.items()}})[:-30])
    reopened = Store.open(pq_home)
    assert reopened.state(keys[1]) == PaperState.from_record(STAR)
    assert reopened.state(keys[2]) == PaperState()
    assert reopened.state(keys[3]) == PaperState.from_record(READ)
    assert reopened.state(keys[4]) == PaperState(), "not in the log: lost"
    [warning] = [w for w in reopened.warnings if w.startswith("state/00000.json")]
    assert "was not valid JSON; moved it to 00000.json." in warning
    assert "rebuilt the stars, read marks, tags and notes of 3 of its 10 papers from the action log" in warning
    assert "7 papers are not in the log" in warning
    reopened.close()
    again = Store.open(pq_home)
    assert again.warnings == [] and again.state(keys[3]) == PaperState.from_record(READ), "the rebuilt shard is on disk"
    again.close()


def test_a_lost_abstracts_shard_is_reported_with_its_imports(pq_home: Path, monkeypatch) -> None:
    _two_imports(pq_home, monkeypatch)
    (pq_home / "abstracts" / "00001.json").write_text("{broken")
    store = Store.open(pq_home)
    key = next(p.key for p in store.papers.values() if p.id == 12)
    assert store.details(key).abstract == ""
    [warning] = store.warnings
    assert warning.startswith("abstracts/00001.json was not valid JSON; moved it to 00001.json.")
    assert "the abstracts of 10 papers are gone; import again the files of 'first.bib', 'second.txt'" in warning
    store.close()


def test_after_a_lost_index_shard_the_count_is_what_is_listed(pq_home: Path, monkeypatch) -> None:
    _two_imports(pq_home, monkeypatch)
    (pq_home / "index" / "00002.json").write_text("{broken")
    for head in (None, 5):
        store = Store.open(pq_home, head=head)
        store.load_rest()
        assert store.count == len(store.papers) == 20
        if head is None:
            [warning] = store.warnings
            assert warning.startswith("index/00002.json was not valid JSON")
            assert "5 papers are no longer listed; import again the files of 'second.txt'" in warning
        store.flush()
        store.close()
    with Store.open(pq_home) as store:
        result = store.add_papers(_papers(10, 15), source="x", name="second.txt")
    assert (result.new, result.existing) == (5, 5), "importing the file again brings them back"


def _meta(home: Path) -> dict:
    return json.loads((home / "meta.json").read_text())["meta"]["1"]


def _edit(home: Path, name: str, change) -> None:
    path = home / name
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


WRONG_SHAPES = {
    "generation is text": ("meta.json", lambda d: d["meta"]["1"].update(generation="abc")),
    "batches is a list": ("meta.json", lambda d: d["meta"]["1"].update(batches=[1, 2])),
    "meta record is a list": ("meta.json", lambda d: d["meta"].update({"1": [1]})),
    "paper without key": ("index/00000.json", lambda d: d["papers"]["3"].pop("key")),
    "paper is text": ("index/00000.json", lambda d: d["papers"].update({"3": "x"})),
    "paper links are a number": ("index/00000.json", lambda d: d["papers"]["3"].update(links=5)),
    "document number is a word": ("index/00000.json", lambda d: d["papers"].update({"x": d["papers"]["3"]})),
    "state is text": ("state/00000.json", lambda d: d["state"].update({"1": "starred"})),
    "state time is a number": ("state/00000.json", lambda d: d["state"]["1"].update(starred_at=5)),
    "abstract authors are a number": ("abstracts/00000.json", lambda d: d["abstracts"]["2"].update(authors=3)),
    "settings are a list": ("settings.json", lambda d: d["settings"].update({"1": [1]})),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
def test_valid_json_of_the_wrong_shape_is_set_aside(pq_home: Path, monkeypatch, case: str) -> None:
    _two_imports(pq_home, monkeypatch)
    store = Store.open(pq_home)
    store.set_state(next(p.key for p in store.papers.values() if p.id == 1), PaperState(starred=True))
    store.set_settings(view="all")
    store.flush()
    store.close()
    name, change = WRONG_SHAPES[case]
    _edit(pq_home, name, change)
    store = Store.open(pq_home)
    for paper, details in store.iter_details():
        assert isinstance(details.abstract, str) and isinstance(paper.title, str)
    assert any(w.startswith(f"{name} did not hold what paperqueue expects") for w in store.warnings), store.warnings
    assert list(pq_home.glob(f"{name}.*.corrupt"))
    store.close()
    again = Store.open(pq_home)
    assert not [w for w in again.warnings if "expects" in w]
    again.close()


def test_temp_files_of_killed_writes_are_removed_by_the_writer_only(pq_home: Path, monkeypatch) -> None:
    _two_imports(pq_home, monkeypatch)
    leftovers = [pq_home / "index" / ".00001.json.abc_12x.tmp", pq_home / ".meta.json.k2j4.tmp",
                 pq_home / "state" / ".00000.json.q.tmp"]
    (pq_home / "state").mkdir(exist_ok=True)
    for path in leftovers:
        path.write_text("{")
    keep = pq_home / "index" / "notes.tmp"
    keep.write_text("mine")
    writer = Store.open(pq_home, lock=False)
    assert all(path.exists() for path in leftovers), "a read-only open removes nothing"
    writer.close()
    Store.open(pq_home).close()
    assert not any(path.exists() for path in leftovers) and keep.exists()


def test_a_missing_meta_without_journal_or_set_aside_copy_hides_the_index(pq_home: Path, monkeypatch) -> None:
    # What a first import killed before its commit left, before the journal existed.
    _two_imports(pq_home, monkeypatch)
    (pq_home / "meta.json").unlink()
    store = Store.open(pq_home)
    assert store.papers == {} and store.count == 0 and not store.fresh
    result = store.add_papers(_papers(3, 100), source="x", name="third")
    assert result.new == 3
    store.close()
    with Store.open(pq_home) as store:
        assert len(store.papers) == 3
