"""An import's new papers are written shard by shard while the file is read
(issue 9 item 18, :mod:`paperqueue.core.store.chunks`): the queue it leaves
is the one a whole-in-memory import left, whatever the chunking; a failure
while reading leaves nothing of it; a dry run writes nothing."""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperqueue.core.importers.record import ParsedPaper
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store, chunks, layout

NOW = "2025-06-07T08:09:10Z"


def entries(seed: int, count: int) -> list[ParsedPaper]:
    """A file that names papers again and again: by title alone, by arXiv id
    alone, by both (which folds a title-only paper into an id-only one), with
    and without DOI, abstract, year and authors."""
    rng = random.Random(seed)
    titles = [f"Shared title number {n}" for n in range(count // 3)]
    out = []
    for _ in range(count):
        n = rng.randrange(len(titles))
        kind = rng.random()
        arxiv = f"2401.{n:05d}" if kind > 0.35 else None
        title = titles[n] if kind < 0.8 else ""
        out.append(ParsedPaper(
            title=title,
            abstract=rng.choice(["", f"Abstract {rng.randrange(3)} of {n}."]),
            arxiv_id=arxiv,
            links=(f"https://github.com/x/r{rng.randrange(2)}",) if rng.random() < 0.2 else (),
            authors=(rng.choice(["Smith, A.", "Wang, W."]),) if rng.random() < 0.5 else (),
            published=rng.choice([None, "2020", "2021"]),
            doi=f"10.1234/p.{n}" if rng.random() < 0.2 else None,
            authoritative=rng.random() < 0.3,
        ))
    return out


def everything(home: Path) -> dict:
    """The queue as a person sees it, and the records on disk that count."""
    with Store.open(home) as store:
        return {
            "count": store.count,
            "max_id": store.max_id,
            "aliases": store.aliases,
            "batches": {b: (i.get("name"), i.get("start")) for b, i in store.batch_info.items()},
            "papers": {p.key: (p.to_record(), p.id, d.to_record(p.key), store.state(p.key).to_record())
                       for p, d in store.iter_details()},
        }


def run(home: Path, batches: list[list[ParsedPaper]], refresh: bool = True, reopen: bool = False) -> list[str]:
    """Import ``batches`` one after the other into one open store (or, with
    ``reopen``, each into the store opened afresh)."""
    summaries = []
    store = Store.open(home, clock=lambda: NOW)
    try:
        for number, batch in enumerate(batches):
            if reopen and number:
                store.close()
                store = Store.open(home, clock=lambda: NOW)
            dry = store.add_papers(batch, source=f"file{number}", dry_run=True)
            result = store.add_papers(batch, source=f"file{number}", refresh=refresh)
            assert dry.summary() == result.summary(), "a dry run says what the import does"
            summaries.append(result.summary())
            if number == 0:  # a person's marks, carried into the merges and folds
                store.load_rest()  # (without refresh the index is read again when needed)
                for key in sorted(store.papers)[::4]:
                    store.set_state(key, PaperState(starred=True, starred_at=NOW, tags=("t",)))
                store.flush()
    finally:
        store.close()
    return summaries


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chunked_imports_leave_the_queue_a_whole_import_left(tmp_path: Path, monkeypatch, seed: int) -> None:
    files = [entries(seed, 120), entries(seed + 10, 300), entries(seed + 20, 300)]
    monkeypatch.setattr(layout, "SHARD_SIZE", 1 << 20)  # one shard: nothing written before the commit
    wholes = {reopen: run(tmp_path / f"whole-{reopen}", files, reopen=reopen) for reopen in (False, True)}
    assert any("folded" in line for line in wholes[False]) and any("repeated" in line for line in wholes[False])
    expected = {reopen: everything(tmp_path / f"whole-{reopen}") for reopen in (False, True)}
    monkeypatch.setattr(layout, "SHARD_SIZE", 4)
    monkeypatch.setattr(chunks, "LATE_LIMIT", 3)  # written papers named again, changes written in between
    # With refresh, as the app imports; without, as `paperqueue import`,
    # which reads the index again for a next file, as a new open does.
    for refresh in (True, False):
        home = tmp_path / f"chunked-{refresh}"
        assert run(home, files, refresh) == wholes[not refresh]
        assert everything(home) == expected[not refresh]
        assert not (home / "import.journal").exists()


def test_late_changes_to_written_papers_land(tmp_path: Path, monkeypatch) -> None:
    """A paper whose shard was written gains an abstract, a DOI and a link
    from an entry further down the file; one is folded away."""
    monkeypatch.setattr(layout, "SHARD_SIZE", 2)
    first = [ParsedPaper(f"Paper {n} on otters", "") for n in range(8)]
    first.append(ParsedPaper("", "", "2402.00001"))  # known by id alone (id 9)
    first.append(ParsedPaper("Paper 9 on otters", ""))  # its shard is full: written
    later = [
        ParsedPaper("Paper 1 on otters", "Now with an abstract.", doi="10.5555/otter.1", links=("https://github.com/o/t",)),
        ParsedPaper("Paper 0 on otters", "", "2402.00001"),  # folds paper 9 into paper 0
    ]
    with Store.open(tmp_path / "home") as store:
        result = store.add_papers([*first, *later], source="otters")
    assert (result.new, result.repeated, result.folded) == (9, 3, 1)
    seen = everything(tmp_path / "home")
    assert seen["count"] == 9 and len(seen["papers"]) == 9
    record, _id, details, _state = seen["papers"]["title:paper-1-on-otters"]
    assert details["abstract"] == "Now with an abstract." and record["doi"] == "10.5555/otter.1"
    assert record["links"] == ["https://github.com/o/t"]
    assert seen["papers"]["title:paper-0-on-otters"][0]["arxiv_id"] == "2402.00001"
    # The folded paper's records are gone from its (written) shard.
    index = json.loads((tmp_path / "home" / "index" / "00004.json").read_text())["papers"]
    abstracts = json.loads((tmp_path / "home" / "abstracts" / "00004.json").read_text())["abstracts"]
    assert "9" not in index and "9" not in abstracts


def records_above(home: Path, max_id: int) -> list[str]:
    """Records on disk of papers above the committed ``max_id``."""
    found = []
    for folder, table in (("index", "papers"), ("abstracts", "abstracts"), ("state", "state")):
        for path in (home / folder).glob("*.json"):
            found += [f"{folder}/{path.name}:{i}" for i in json.loads(path.read_text()).get(table, {}) if int(i) > max_id]
    return found


def _stream(papers: list[ParsedPaper], error: BaseException) -> Iterator[ParsedPaper]:
    yield from papers
    raise error


@pytest.mark.parametrize("error", [ValueError("the file went bad"), KeyboardInterrupt()])
def test_a_failure_while_reading_leaves_nothing_of_the_import(tmp_path: Path, monkeypatch, error) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 4)
    home = tmp_path / "home"
    with Store.open(home) as store:
        store.add_papers([ParsedPaper(f"Old paper {n}", "Old.") for n in range(6)], source="old")
    before = everything(home)
    with Store.open(home) as store:
        written = []
        real = store.write_shard
        monkeypatch.setattr(store, "write_shard", lambda path, *a: (written.append(path.name), real(path, *a)))
        with pytest.raises(type(error)):
            store.add_papers(_stream([ParsedPaper(f"New paper {n}", "New.") for n in range(30)], error), source="new")
        assert len(written) > 10  # shards were written while reading, and taken back:
        assert records_above(home, store.max_id) == []
        assert not (home / "import.journal").exists()
        # The same session imports again, into the same ids.
        result = store.add_papers([ParsedPaper(f"Other paper {n}", "Other.") for n in range(3)], source="again")
        assert result.new == 3
    after = everything(home)
    assert after["count"] == 9 and {k for k in after["papers"] if k.startswith("title:new-")} == set()
    assert {k: v for k, v in after["papers"].items() if k in before["papers"]} == before["papers"]


def test_a_dry_run_writes_nothing_however_big(tmp_path: Path, monkeypatch) -> None:
    """Its shards go to a private temporary folder, removed after."""
    monkeypatch.setattr(layout, "SHARD_SIZE", 4)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    made = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda *a, **k: made.append(real_mkdtemp(*a, **k)) or made[-1])
    home = tmp_path / "home"
    with Store.open(home) as store:
        store.add_papers([ParsedPaper(f"Old paper {n}", "Old.") for n in range(3)], source="old")
    files = {p.relative_to(home): p.read_bytes() for p in home.rglob("*") if p.is_file() and p.name != "queue.lock"}
    with Store.open(home) as store:
        result = store.add_papers([ParsedPaper(f"New paper {n}", "") for n in range(40)]
                                  + [ParsedPaper("New paper 3", "Late abstract.")], source="new", dry_run=True)
    assert (result.new, result.repeated) == (40, 1)
    assert len(made) == 1 and list(temp.iterdir()) == []  # used, and removed
    assert {p.relative_to(home): p.read_bytes() for p in home.rglob("*") if p.is_file() and p.name != "queue.lock"} == files


def test_without_refresh_the_next_import_still_knows_the_new_papers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 4)
    with Store.open(tmp_path / "home") as store:
        store.add_papers([ParsedPaper(f"Paper {n}", "") for n in range(10)], source="a", refresh=False)
        assert store.count == 10
        again = store.add_papers([ParsedPaper(f"Paper {n}", "Text.") for n in range(5, 12)], source="b", refresh=False)
        assert (again.new, again.existing, again.merged) == (2, 5, 5)
        store.load_rest()
        assert len(store.papers) == store.count == 12
        assert store.find(None, "Paper 11") == "title:paper-11"


def test_a_reader_during_an_import_sees_the_old_queue_and_is_told_it_is_under_way(tmp_path: Path, monkeypatch) -> None:
    """`paperqueue list` while an import is writing its shards: the queue as
    it was, and a warning that says an import is under way (not that one was
    undone: nothing was)."""
    import threading

    monkeypatch.setattr(layout, "SHARD_SIZE", 4)
    home = tmp_path / "home"
    store = Store.open(home)
    store.add_papers([ParsedPaper(f"Old paper {n}", "Old.", None, ()) for n in range(3)], source="old")
    reached, release = threading.Event(), threading.Event()

    def slow() -> Iterator[ParsedPaper]:
        for n in range(20):
            yield ParsedPaper(f"New paper {n}", "New.", None, ())
            if n == 12:  # several shards are written by now
                reached.set()
                release.wait(60)

    worker = threading.Thread(target=lambda: store.add_papers(slow(), source="new"))
    worker.start()
    try:
        assert reached.wait(60)
        reader = Store.open(home, lock=False)
        try:
            assert sorted(p.title for p in reader.papers.values()) == [f"Old paper {n}" for n in range(3)]
            assert reader.warnings == ["an import is under way or did not finish; showing the queue as it was before it"]
        finally:
            reader.close()
    finally:
        release.set()
        worker.join(60)
    store.close()
    assert len(Store.open(home, lock=False).papers) == 23


def _marked_file() -> list[ParsedPaper]:
    """New papers with stars, read marks, tags and notes (as a paperqueue
    JSON export carries them); two are folded together after their shards
    were written, one is named again."""
    papers = [ParsedPaper(f"Paper {n} on stoats", "", state={"starred": n % 2 == 0, "read": n % 3 == 0, "tags": [f"t{n}"],
                                                          "note": f"note {n}" if n == 4 else ""})
              for n in range(8)]
    papers.append(ParsedPaper("", "", "2403.00001", state={"starred": True, "tags": ["by-id"], "note": "id note"}))
    papers.append(ParsedPaper("Paper 9 on stoats", "", state={}))
    papers.append(ParsedPaper("Paper 3 on stoats", "More words.", state={"starred": True, "tags": ["again"]}))
    papers.append(ParsedPaper("Paper 1 on stoats", "", "2403.00001"))  # folds paper 8 (by id) into paper 1
    return papers


@pytest.mark.parametrize("refresh", [True, False])
def test_new_papers_states_are_written_as_shards_fill_and_folds_still_join_them(tmp_path: Path, monkeypatch, refresh: bool) -> None:
    monkeypatch.setattr(layout, "SHARD_SIZE", 1 << 20)
    # One clock for both imports: on a busy machine they can fall on two sides of a second.
    with Store.open(tmp_path / "whole", clock=lambda: NOW) as store:
        whole = store.add_papers(_marked_file(), source="stoats").summary()
    expected = everything(tmp_path / "whole")
    monkeypatch.setattr(layout, "SHARD_SIZE", 2)
    monkeypatch.setattr(chunks, "LATE_LIMIT", 2)
    home = tmp_path / "chunked"
    on_disk: list[dict] = []

    def stream() -> Iterator[ParsedPaper]:
        for number, paper in enumerate(_marked_file()):
            if number == 8:  # ids 1-8 given out: their shards are written, states too
                path = home / "state" / "00000.json"
                on_disk.append(json.loads(path.read_text())["state"] if path.exists() else {})
            yield paper

    with Store.open(home, clock=lambda: NOW) as store:
        result = store.add_papers(stream(), source="stoats", refresh=refresh)
        store.load_rest()
        in_session = {key: store.state(key).to_record() for key in store.papers}
    assert on_disk[0]["1"]["key"] == "title:paper-0-on-stoats" and on_disk[0]["1"]["starred"] is True
    assert result.summary() == whole and result.folded == 1
    seen = everything(home)
    assert seen == expected
    assert in_session == {key: value[3] for key, value in seen["papers"].items()}
    kept = seen["papers"]["title:paper-1-on-stoats"][3]
    assert kept["starred"] and sorted(kept["tags"]) == ["by-id", "t1"] and kept["note"] == "id note"
    assert seen["papers"]["title:paper-4-on-stoats"][3]["note"] == "note 4"
    assert "9" not in json.loads((home / "state" / "00004.json").read_text())["state"]  # folded away
