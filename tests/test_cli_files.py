"""The command line and the data folder's files (issue 9, items 12, 13 and
the stale request files of item 8): what an import creates is private, a
planted link is refused or dropped (never written through), ``export -o``
never replaces a link or a FIFO, and requests left by crashes are cleaned."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from paperqueue.cli import main
from paperqueue.core import handoff

from conftest import SAMPLE, mode



def modes(home: Path) -> dict[str, int]:
    found = {".": mode(home)}
    for path in home.rglob("*"):
        found[str(path.relative_to(home))] = mode(path)
    return found


def test_an_import_creates_only_private_files_and_folders(pq_home: Path, umask, capsys) -> None:
    assert main(["import", str(SAMPLE)]) == 0
    found = {name: m for name, m in modes(pq_home).items() if name != "history.jsonl"}
    assert {"queue.lock", "search.sqlite", "meta.json", "index", "abstracts"} <= set(found)
    wrong = {name: oct(m) for name, m in found.items() if m != (0o700 if (pq_home / name).is_dir() else 0o600)}
    assert wrong == {}


def test_the_action_log_is_private(pq_home: Path, umask) -> None:
    assert main(["import", str(SAMPLE)]) == 0
    assert mode(pq_home / "history.jsonl") == 0o600


def test_a_handed_over_request_is_private(pq_home: Path, umask) -> None:
    request = handoff.submit(pq_home, [SAMPLE], name=None, restore=False)
    assert mode(request) == 0o600 and mode(request.parent) == 0o700 and mode(pq_home) == 0o700


def _outside(tmp_path: Path) -> Path:
    target = tmp_path / "elsewhere" / "target.txt"
    target.parent.mkdir()
    target.write_bytes(b"precious\n")
    return target


def test_an_import_refuses_a_planted_lock_link_and_leaves_its_target(pq_home: Path, tmp_path: Path, capsys) -> None:
    target = _outside(tmp_path)
    pq_home.mkdir()
    (pq_home / "queue.lock").symlink_to(target)
    assert main(["import", str(SAMPLE)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "queue.lock" in err and "symbolic link" in err
    assert target.read_bytes() == b"precious\n"
    assert sorted(p.name for p in pq_home.iterdir()) == ["queue.lock"], "nothing imported"


def test_an_import_never_adds_tables_to_a_planted_search_index_link(pq_home: Path, tmp_path: Path, capsys) -> None:
    assert main(["import", str(SAMPLE)]) == 0
    target = tmp_path / "other.sqlite"
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE mine (x)")
    con.commit()
    con.close()
    before = target.read_bytes()
    (pq_home / "search.sqlite").unlink()
    (pq_home / "search.sqlite").symlink_to(target)
    assert main(["import", str(SAMPLE), "--restore"]) == 0
    assert target.read_bytes() == before
    assert not (pq_home / "search.sqlite").is_symlink(), "the cache's link is dropped, to be rebuilt in place"


# -- export -o ---------------------------------------------------------------------


@pytest.fixture
def queue(capsys) -> None:
    assert main(["import", str(SAMPLE)]) == 0
    capsys.readouterr()


def test_export_onto_a_link_writes_the_file_it_points_to(queue, tmp_path: Path) -> None:
    real = tmp_path / "synced" / "refs.bib"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    assert main(["export", "-o", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("@") and mode(real) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".bib")) == ["refs.bib"]


def test_export_refuses_a_fifo_and_a_link_to_nothing_or_to_a_fifo(queue, tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert main(["export", "-o", str(fifo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pipe.json" in err and "not a regular file" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    to_fifo = tmp_path / "to-pipe.json"
    to_fifo.symlink_to(fifo)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere" / "x.json")
    for link in (to_fifo, dangling):
        assert main(["export", "-o", str(link)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and link.name in err
        assert link.is_symlink()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and not (tmp_path / "nowhere").exists()


# -- stale requests (item 8) -------------------------------------------------------


def test_requests_left_by_crashes_are_cleaned_when_a_command_opens_the_queue(pq_home: Path, capsys) -> None:
    folder = pq_home / handoff.FOLDER
    folder.mkdir(parents=True)
    old = time.time() - 3600
    stale = {
        "a.working": b'{"files": []}',  # claimed by an app that died: nothing holds the lock now
        "b.result": b'{"lines": []}',  # answered, but the command that waited was killed
        "c.json": b'{"files": []}',  # a request whose command was killed before withdrawing it
        ".d.json.x1y2.tmp": b"",  # a request's temporary file
    }
    for name, body in stale.items():
        (folder / name).write_bytes(body)
        os.utime(folder / name, (old, old))
    (folder / "e.result").write_bytes(b'{"lines": []}')  # just answered: its command reads it now
    assert main(["import", str(SAMPLE)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["e.result"]
