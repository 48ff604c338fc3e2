"""The fold cache (``sync-merged.jsonl``) after a sync appends what the sync
read instead of writing the whole fold again (issue 13, "Performance"):
what a load folds from the file is always the fold the sync held, through
torn appends and lines read twice, and the file never grows past twice what
the fold keeps (plus a floor)."""

from __future__ import annotations

import os
from pathlib import Path

from paperqueue.core.models import PaperState
from paperqueue.core.sync.changes import Change, changes_of
from paperqueue.core.sync.positions import Positions
from paperqueue.core.sync.reading import MERGED, REWRITE_MERGED_AT, load_merged, read_new, write_merged
from paperqueue.core.sync.hlc import HLC

OTHER = "desktop-b2"


def _kept(merged) -> set[Change]:  # noqa: ANN001
    return set(merged.kept())


def _other_device_writes(folder: Path, clock: HLC, keys: range, state: PaperState, name: str = "000001.jsonl") -> None:
    from paperqueue.core.sync.changes import encode

    own = folder / OTHER
    own.mkdir(parents=True, exist_ok=True)
    lines = [encode(c) for n in keys for c in changes_of(PaperState(), state, f"arxiv:{n}", clock)]
    with (own / name).open("ab") as handle:
        handle.write(b"".join(lines))


def _sync(home: Path, folder: Path, positions: Positions) -> Positions:
    """What a sync does with the fold cache: load it, fold what is new, keep it."""
    found = read_new(folder, positions, "laptop-a1")
    merged = load_merged(home)
    merged.apply(found.changes)
    write_merged(home, merged, found.lines)
    assert _kept(load_merged(home)) == _kept(merged)  # the file folds to what the sync holds
    return Positions(found.positions, set())


def test_each_sync_appends_what_it_read_and_the_file_folds_to_the_sync_s_fold(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "shared"
    home.mkdir()
    clock = HLC(OTHER)
    positions = Positions()
    _other_device_writes(folder, clock, range(50), PaperState(starred=True, starred_at="2024-06-01T10:00:00Z"))
    positions = _sync(home, folder, positions)
    size = (home / MERGED).stat().st_size
    inode = (home / MERGED).stat().st_ino
    _other_device_writes(folder, clock, range(40, 60), PaperState(read=True, read_at="2024-06-02T10:00:00Z", tags=("ml",)))
    positions = _sync(home, folder, positions)
    assert (home / MERGED).stat().st_ino == inode and (home / MERGED).stat().st_size > size  # appended, not replaced
    merged = load_merged(home)
    assert merged.state("arxiv:45") == PaperState(starred=True, starred_at="2024-06-01T10:00:00Z", read=True,
                                                  read_at="2024-06-02T10:00:00Z", tags=("ml",))
    assert merged.state("arxiv:0").starred and not merged.state("arxiv:0").read


def test_a_torn_append_is_one_skipped_line_and_the_changes_come_back_with_the_next_read(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "shared"
    home.mkdir()
    clock = HLC(OTHER)
    _other_device_writes(folder, clock, range(10), PaperState(removed=True))
    before = Positions()
    after = _sync(home, folder, before)
    _other_device_writes(folder, clock, range(10, 20), PaperState(note="read §3"))
    found = read_new(folder, after, "laptop-a1")
    with (home / MERGED).open("ab") as handle:  # killed mid-append: half of the first new line
        handle.write(found.lines[0][:30])
    merged = load_merged(home)
    assert _kept(merged) == _kept(load_merged(home)) and merged.state("arxiv:10") == PaperState()
    _sync(home, folder, after)  # the positions were not saved: the same lines are read and appended again
    merged = load_merged(home)
    assert all(merged.state(f"arxiv:{n}").note == "read §3" for n in range(10, 20))
    assert all(merged.state(f"arxiv:{n}").removed for n in range(10))


def test_lines_read_again_and_again_never_grow_the_file_past_twice_the_fold(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "shared"
    home.mkdir()
    clock = HLC(OTHER)
    _other_device_writes(folder, clock, range(REWRITE_MERGED_AT // 2), PaperState(starred=True, starred_at="t"))
    kept = None
    for _ in range(6):  # every sync reads the whole file again (a syncer replaced it, say)
        _sync(home, folder, Positions())
        lines = (home / MERGED).read_bytes().count(b"\n")
        kept = len(_kept(load_merged(home)))
        assert lines <= max(2 * kept, REWRITE_MERGED_AT) + REWRITE_MERGED_AT // 2
    assert kept == REWRITE_MERGED_AT // 2


def test_without_the_lines_read_the_file_is_written_anew(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "shared"
    home.mkdir()
    clock = HLC(OTHER)
    _other_device_writes(folder, clock, range(5), PaperState(read=True, read_at="t"))
    _sync(home, folder, Positions())
    _sync(home, folder, Positions())  # the same lines twice
    merged = load_merged(home)
    write_merged(home, merged)
    assert (home / MERGED).read_bytes().count(b"\n") == len(_kept(merged)) == 5
    assert oct(os.stat(home / MERGED).st_mode & 0o777) == "0o600"
