"""The data folder is private and never written through a link (issue 9,
items 12 and 13): files 0600 and folders 0700 when paperqueue creates them,
whatever the umask; a symbolic link, FIFO or device planted where a store
file belongs is refused with a one-line message naming it, and what it
points to is left as it was."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import mode
from paperqueue.core.atomic import UnsafePathError, atomic_write_bytes, open_append
from paperqueue.core.lock import StoreLock
from paperqueue.core.search import SearchIndex



def outside(tmp_path: Path, content: bytes = b"precious\n", file_mode: int = 0o644) -> Path:
    target = tmp_path / "elsewhere" / "target.txt"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(content)
    target.chmod(file_mode)
    return target


# -- atomic_write_bytes ------------------------------------------------------------


def test_new_files_are_0600_and_new_folders_0700_whatever_the_umask(tmp_path: Path, umask) -> None:
    path = tmp_path / "home" / "state" / "00000.json"
    atomic_write_bytes(path, b"{}")
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    os.umask(0o277)  # would leave a new file unreadable to its owner, a folder unusable
    other = tmp_path / "home2" / "x.json"
    atomic_write_bytes(other, b"{}")
    assert mode(other) == 0o600 and mode(other.parent) == 0o700


def test_new_mode_is_taken_and_an_existing_mode_kept(tmp_path: Path, umask) -> None:
    asked = tmp_path / "export.json"
    atomic_write_bytes(asked, b"1", new_mode=0o644)
    assert mode(asked) == 0o644
    existing = tmp_path / "kept.json"
    existing.write_bytes(b"0")
    existing.chmod(0o640)
    atomic_write_bytes(existing, b"1")
    assert mode(existing) == 0o640 and existing.read_bytes() == b"1"


def test_an_existing_folder_keeps_its_mode(tmp_path: Path, umask) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    atomic_write_bytes(folder / "a.json", b"{}")
    assert mode(folder) == 0o755


def test_a_symlinked_store_file_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    """A state shard linked to a world-writable file was rewritten 0666."""
    target = outside(tmp_path, b'{"state": {}}', 0o666)
    link = tmp_path / "home" / "state" / "00000.json"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    with pytest.raises(UnsafePathError) as error:
        atomic_write_bytes(link, b'{"state": {"1": {}}}')
    message = str(error.value)
    assert "00000.json" in message and "symbolic link" in message and "\n" not in message
    assert error.value.strerror == message, "callers print strerror: it must name the file too"
    assert link.is_symlink() and target.read_bytes() == b'{"state": {}}' and mode(target) == 0o666
    assert [p.name for p in link.parent.iterdir()] == ["00000.json"], "no temporary file left"


def test_a_fifo_in_place_of_a_store_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "settings.json"
    os.mkfifo(fifo)
    with pytest.raises(UnsafePathError, match="settings.json.*not a regular file"):
        atomic_write_bytes(fifo, b"{}")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_atomic_write_can_write_through_a_link_to_a_regular_file_when_asked(tmp_path: Path) -> None:
    """``export -o`` onto a link writes the file the link points to (and keeps the link)."""
    target = outside(tmp_path, b"old", 0o640)
    link = tmp_path / "refs.bib"
    link.symlink_to(target)
    atomic_write_bytes(link, b"new", follow=True)
    assert link.is_symlink() and target.read_bytes() == b"new" and mode(target) == 0o640
    dangling = tmp_path / "dangling.bib"
    dangling.symlink_to(tmp_path / "nowhere" / "x.bib")
    with pytest.raises(UnsafePathError, match="dangling.bib"):
        atomic_write_bytes(dangling, b"new", follow=True)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    to_fifo = tmp_path / "to-pipe.bib"
    to_fifo.symlink_to(fifo)
    with pytest.raises(UnsafePathError, match="not a regular file"):
        atomic_write_bytes(to_fifo, b"new", follow=True)
    assert to_fifo.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


# -- open_append (for history.jsonl) ------------------------------------------------


def test_open_append_creates_a_private_file_and_appends(tmp_path: Path, umask) -> None:
    path = tmp_path / "home" / "history.jsonl"
    for line in (b"one\n", b"two\n"):
        fd = open_append(path)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    assert path.read_bytes() == b"one\ntwo\n"
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    path.chmod(0o640)
    os.close(open_append(path))
    assert mode(path) == 0o640, "an existing file keeps its mode"


def test_open_append_refuses_a_link_a_fifo_and_a_folder(tmp_path: Path) -> None:
    target = outside(tmp_path)
    link = tmp_path / "history.jsonl"
    link.symlink_to(target)
    with pytest.raises(UnsafePathError, match="history.jsonl.*symbolic link"):
        open_append(link)
    assert target.read_bytes() == b"precious\n"
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to(tmp_path / "elsewhere" / "new.txt")
    with pytest.raises(UnsafePathError):
        open_append(dangling)
    assert not (tmp_path / "elsewhere" / "new.txt").exists(), "a dangling link must not create its target"
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)  # nobody reads it: opening it for writing would hang
    with pytest.raises(UnsafePathError, match="not a regular file"):
        open_append(fifo)
    with pytest.raises(UnsafePathError, match="not a regular file"):
        open_append(tmp_path / "elsewhere")


# -- the writer lock ----------------------------------------------------------------


def test_the_lock_is_private_and_names_its_holder(tmp_path: Path, umask) -> None:
    lock = StoreLock(tmp_path / "home" / "queue.lock", kind="import")
    lock.acquire()
    try:
        assert mode(lock.path) == 0o600 and mode(lock.path.parent) == 0o700
        assert lock.path.read_text() == f"{os.getpid()} import"
    finally:
        lock.release()


def test_a_symlinked_lock_is_refused_and_its_target_not_truncated(tmp_path: Path) -> None:
    target = outside(tmp_path)
    path = tmp_path / "home" / "queue.lock"
    path.parent.mkdir()
    path.symlink_to(target)
    with pytest.raises(UnsafePathError, match="queue.lock.*symbolic link"):
        StoreLock(path).acquire()
    assert target.read_bytes() == b"precious\n"
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(UnsafePathError, match="queue.lock.*not a regular file"):
        StoreLock(path).acquire()


# -- the search index ---------------------------------------------------------------


def test_the_search_index_and_its_wal_are_private(tmp_path: Path, umask) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    index = SearchIndex(home / "search.sqlite")
    index.rebuild(iter([(1, "A title", "An abstract")]), 1)
    try:
        assert index.search(["title"]) == {1}
        made = sorted(p.name for p in home.iterdir())
        assert "search.sqlite" in made
        for name in made:
            assert mode(home / name) == 0o600, name
    finally:
        index.close()


def _planted_db(tmp_path: Path) -> Path:
    target = tmp_path / "elsewhere" / "other.sqlite"
    target.parent.mkdir(exist_ok=True)
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE mine (x)")
    con.commit()
    con.close()
    return target


def test_a_symlinked_search_index_is_refused_and_its_target_gets_no_tables(tmp_path: Path) -> None:
    target = _planted_db(tmp_path)
    before = target.read_bytes()
    home = tmp_path / "home"
    home.mkdir()
    (home / "search.sqlite").symlink_to(target)
    index = SearchIndex(home / "search.sqlite")
    with pytest.raises(UnsafePathError, match="search.sqlite.*symbolic link"):
        index.generation()
    index.close()
    assert target.read_bytes() == before
    index.discard()  # what every caller does with a broken cache: drop the link, not the target
    assert not (home / "search.sqlite").is_symlink() and target.read_bytes() == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_symlinked_search_journal_is_refused(tmp_path: Path, suffix: str) -> None:
    target = outside(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    (home / f"search.sqlite{suffix}").symlink_to(target)
    index = SearchIndex(home / "search.sqlite")
    with pytest.raises(UnsafePathError, match=f"search.sqlite{suffix}"):
        index.generation()
    index.close()
    assert target.read_bytes() == b"precious\n"


# -- the similarity cache ------------------------------------------------------------


def _store_like(home: Path):
    from types import SimpleNamespace

    from paperqueue.core.models import PaperDetails

    docs = [(1, "Graph neural networks", "Message passing on graphs."), (2, "Graph attention", "Attention on graphs.")]

    def iter_details():
        for doc_id, title, abstract in docs:
            yield SimpleNamespace(id=doc_id, title=title), PaperDetails(abstract=abstract)

    return SimpleNamespace(home=home, generation=1, read_only=False, iter_details=iter_details)


def test_the_similarity_cache_is_private_and_a_planted_link_is_dropped_not_followed(tmp_path: Path, umask) -> None:
    from paperqueue.core.similar import CACHE_NAME, open_index

    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    assert len(open_index(_store_like(home))) == 2
    assert mode(home / CACHE_NAME) == 0o600
    (home / CACHE_NAME).unlink()
    target = outside(tmp_path, b"precious\n", 0o666)
    (home / CACHE_NAME).symlink_to(target)
    assert len(open_index(_store_like(home))) == 2
    assert target.read_bytes() == b"precious\n" and mode(target) == 0o666
    assert not (home / CACHE_NAME).is_symlink() and mode(home / CACHE_NAME) == 0o600


def test_a_fifo_in_place_of_the_similarity_cache_does_not_hang(tmp_path: Path) -> None:
    from paperqueue.core.similar import CACHE_NAME, open_index

    home = tmp_path / "home"
    home.mkdir()
    os.mkfifo(home / CACHE_NAME)
    assert len(open_index(_store_like(home))) == 2
    assert stat.S_ISREG(os.lstat(home / CACHE_NAME).st_mode), "replaced by the rebuilt cache"


def test_a_fifo_in_place_of_a_store_file_reads_as_corrupt_instead_of_hanging(tmp_path: Path) -> None:
    """Read in a child process, so that a hang fails the test instead of stopping the run."""
    import subprocess
    import sys

    os.mkfifo(tmp_path / "settings.json")
    script = (
        "import sys\nfrom pathlib import Path\nfrom paperqueue.core.atomic import CorruptFileError, read_json\n"
        "try:\n    read_json(Path(sys.argv[1]))\nexcept CorruptFileError as error:\n    print(error.reason)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "settings.json")], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "not a regular file (a FIFO)"
