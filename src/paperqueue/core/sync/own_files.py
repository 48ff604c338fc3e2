"""This device's own files in the shared folder (folder mode, issue 13).

``<folder>/<device>/000001.jsonl``: one change a line, appended only (a
torn last line left by a crash is closed with a newline before the next
append, never cut or rewritten). Once they grow, compaction writes the
next generation (``000002.jsonl``, ...) with what they fold to and then
deletes the older ones.
"""

from __future__ import annotations

import os
from pathlib import Path

from paperqueue.core.atomic import atomic_write_bytes, make_private_dirs
from paperqueue.core.crashpoints import boundary
from paperqueue.core.sync.changes import PaperLine, encode, encode_paper
from paperqueue.core.sync.decoding import decode_chunk
from paperqueue.core.sync.merge import Merged
from paperqueue.core.sync.settings import Settings, save_settings

FIRST_FILE = "000001.jsonl"


def append_lines(own: Path, lines: list[bytes]) -> None:
    """Append whole lines to this device's newest file and fsync them; a
    torn tail (a crash mid-append) is closed with a newline first, so it
    stays one bad line that readers skip."""
    if not lines:
        return
    if not own.parent.is_dir():  # an unmounted disk: never make the folder in its place
        raise FileNotFoundError(2, "the sync folder is not there", str(own.parent))
    make_private_dirs(own)
    files = generations(own)
    append_bytes(files[-1] if files else own / FIRST_FILE, b"".join(lines), "sync")


def append_bytes(path: Path, data: bytes, label: str) -> None:
    """Append ``data`` (whole lines) to ``path`` (made private if new, never
    through a link) and fsync it; a torn tail is closed with a newline
    first. ``label`` names the crash test boundaries."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as handle:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":
                    data = b"\n" + data
        view = memoryview(data)
        boundary(f"append {label}")
        while view:
            view = view[os.write(fd, view):]
        boundary(f"fsync {label}")
        os.fsync(fd)
        boundary(f"fsynced {label}")
    finally:
        os.close(fd)


def generations(own: Path) -> list[Path]:
    """This device's numbered files, oldest first (conflict copies are not generations)."""
    return sorted(p for p in own.iterdir() if p.name[:6].isdigit() and p.name[6:] == ".jsonl")


COMPACT_AT = 4 << 20  # bytes of own files before the first compaction


def compact_threshold() -> int:
    try:
        return max(1, int(os.environ.get("PAPERQUEUE_SYNC_COMPACT_AT", COMPACT_AT)))
    except ValueError:
        return COMPACT_AT


def compact_own(settings: Settings, home: Path, threshold: int | None = None) -> bool:
    """When this device's files have grown past ``threshold`` bytes (and to
    twice what the last compaction wrote), or a killed compaction left more
    than one generation, write the next generation with
    what they fold to (:meth:`Merged.kept`: each field's last value and the
    note versions nobody continued), then save the size in ``sync.json``,
    then delete the older generations. The new file is written under a
    temporary ``.``-name and renamed (readers skip such names); no file is
    rewritten in place. A crash before the deletes leaves both generations:
    readers fold both (folding again is harmless) and the next compaction
    takes them all. A reader whose file was deleted reads the new one from
    its start. Call under the writer's io lock (nothing may append meanwhile).
    True when it compacted."""
    own = settings.own
    if threshold is None:
        threshold = compact_threshold()
    entries = list(own.iterdir())
    for leftover in entries:  # a temporary file a killed compaction left
        if leftover.name.startswith(".") and leftover.name.endswith(".tmp"):
            boundary("compact clean")
            leftover.unlink(missing_ok=True)
    files = sorted(p for p in entries if p.name[:6].isdigit() and p.name[6:] == ".jsonl")
    if not files or (len(files) == 1 and files[0].stat().st_size <= max(threshold, 2 * settings.compacted)):
        return False  # (more than one generation: a killed compaction left the old one; finish it)
    merged = Merged()
    papers: dict[str, PaperLine] = {}  # the latest paper line of each key
    for path in files:
        found: list[PaperLine] = []
        merged.apply(decode_chunk(path.read_bytes(), found)[0])
        for line in found:
            kept = papers.get(line.key)
            if kept is None or line.stamp > kept.stamp:
                papers[line.key] = line
        del found
    data = b"".join([*(encode_paper(line) for line in sorted(papers.values(), key=lambda line: line.stamp)),
                     *(encode(change) for change in sorted(merged.kept(), key=lambda change: (change.stamp, change.key,
                                                                                             change.field)))])
    target = own / f"{int(files[-1].name[:6]) + 1:06d}.jsonl"
    atomic_write_bytes(target, data, new_mode=0o600)  # temporary name, fsync, rename, fsync the folder
    settings.compacted = len(data)
    save_settings(home, settings)
    for path in files:
        boundary("compact delete")
        path.unlink(missing_ok=True)
    boundary("compacted")
    return True


__all__ = ["COMPACT_AT", "FIRST_FILE", "append_bytes", "append_lines", "compact_own", "compact_threshold",
           "generations"]
