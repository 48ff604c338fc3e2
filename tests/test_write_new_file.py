"""write_new_file (W's export into the Downloads folder): a new file under
the first free name, never over a file that is there, not even one another
program makes between our look and our write; durable, and nothing of ours
left behind but the file."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from paperqueue.core import atomic
from paperqueue.core.atomic import write_new_file

NAMES = ["export.bib", "export-2.bib", "export-3.bib"]


def test_the_first_free_name_is_taken_and_nothing_else_is_left(tmp_path: Path) -> None:
    (tmp_path / "export.bib").write_text("earlier\n", encoding="utf-8")
    made = write_new_file(tmp_path, NAMES, b"@misc{k}\n")
    assert made == tmp_path / "export-2.bib"
    assert made.read_bytes() == b"@misc{k}\n"
    assert (tmp_path / "export.bib").read_text(encoding="utf-8") == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export-2.bib", "export.bib"]


def test_a_name_taken_by_a_link_is_not_written_through(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious\n", encoding="utf-8")
    (tmp_path / "export.bib").symlink_to(target)
    (tmp_path / "export-2.bib").symlink_to(tmp_path / "missing")  # a dangling link holds its name too
    made = write_new_file(tmp_path, NAMES, b"new\n")
    assert made.name == "export-3.bib"
    assert target.read_text(encoding="utf-8") == "precious\n"
    assert (tmp_path / "export-2.bib").is_symlink()


def test_a_file_made_meanwhile_by_another_program_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name was free when the export began; another program writes it
    just before ours lands. Theirs stays; ours takes the next name."""
    link = os.link

    def racing_link(source, destination, *args, **kwargs):
        if Path(destination).name == "export.bib" and not Path(destination).exists():
            Path(destination).write_text("theirs\n", encoding="utf-8")
        return link(source, destination, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "link", racing_link)
    made = write_new_file(tmp_path, NAMES, b"ours\n")
    assert (tmp_path / "export.bib").read_text(encoding="utf-8") == "theirs\n"
    assert made.name == "export-2.bib" and made.read_bytes() == b"ours\n"


@pytest.mark.parametrize("code", [errno.EPERM, errno.EOPNOTSUPP])
def test_a_filesystem_without_hard_links_claims_the_name_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """FAT on a USB stick refuses ``link`` (EPERM): the name is claimed with
    O_EXCL, so an existing file is still never replaced."""

    def no_links(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, "link", no_links)
    (tmp_path / "export.bib").write_text("earlier\n", encoding="utf-8")
    made = write_new_file(tmp_path, NAMES, b"ours\n")
    assert made.name == "export-2.bib" and made.read_bytes() == b"ours\n"
    assert (tmp_path / "export.bib").read_text(encoding="utf-8") == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export-2.bib", "export.bib"]


def test_every_name_taken_is_an_error_and_changes_nothing(tmp_path: Path) -> None:
    for name in NAMES:
        (tmp_path / name).write_text(name, encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_new_file(tmp_path, NAMES, b"ours\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)
    assert all((tmp_path / name).read_text(encoding="utf-8") == name for name in NAMES)


def test_the_mode_follows_the_umask_as_a_download_does(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        made = write_new_file(tmp_path, NAMES, b"x")
    finally:
        os.umask(old)
    assert made.stat().st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_new_file(tmp_path, NAMES, b"ours\n")
    assert list(tmp_path.iterdir()) == []


KILL_SCRIPT = """
import errno, os
from pathlib import Path
from paperqueue.core import atomic
if os.environ.get("NO_LINKS"):
    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")
    atomic.os.link = no_links
made = atomic.write_new_file(Path(os.environ["PAPERQUEUE_HOME"]), ["export.bib", "export-2.bib"], b"@misc{k}\\n" * 1000)
print(made.name, flush=True)
"""


@pytest.mark.parametrize("no_links", [False, True], ids=["hard links", "no hard links"])
def test_a_kill_at_every_boundary_leaves_the_earlier_export_and_nothing_half_written(tmp_path: Path, no_links: bool) -> None:
    """Killed before or after each write, fsync, link and rename: the earlier
    export is untouched, a new export is absent or whole (whole once it was
    reported), and what is left besides is at most one hidden temporary file."""
    from crash_harness import every_boundary

    def prepare(folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "export.bib").write_text("earlier\n", encoding="utf-8")

    whole = b"@misc{k}\n" * 1000
    stops = list(every_boundary(tmp_path / "downloads", KILL_SCRIPT, prepare, tmp_path, env={"NO_LINKS": "1" if no_links else ""}))
    assert len(stops) >= 5
    for stop in stops:
        assert (stop.home / "export.bib").read_text(encoding="utf-8") == "earlier\n", stop.label
        second = stop.home / "export-2.bib"
        if stop.out:
            assert stop.out.strip() == "export-2.bib" and second.read_bytes() == whole, stop.label
        assert not second.exists() or second.read_bytes() in (whole, b""), stop.label  # b"": the claim, no hard links
        if not no_links:
            assert not second.exists() or second.read_bytes() == whole, stop.label
        hidden = [p.name for p in stop.home.iterdir() if p.name.startswith(".")]
        assert len(hidden) <= (0 if not stop.killed else 1), (stop.label, hidden)
