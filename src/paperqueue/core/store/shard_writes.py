"""Writing many shard files of one folder at once (a sync that changed
100,000 states touches all 98 state shards).

Each file is replaced atomically and durably, as
:func:`paperqueue.core.atomic.atomic_write_bytes` does one: a temporary
file beside it, written and fsynced, then renamed over it. Here the
temporary files are all written first, fsynced together (on a few
threads: the disk takes them as one stream, not 98 waits in turn), then
renamed in order, and the folder is fsynced once at the end instead of
after every rename. A crash part way leaves each file whole, old or new
(as writing them one after the other would), and the temporary files a
killed write leaves are removed by the next writer's open.
"""

from __future__ import annotations

import os
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from paperqueue.core.atomic import PRIVATE_FILE, check_regular, fsync_dir, make_private_dirs
from paperqueue.core.crashpoints import boundary

_THREADS = 8  # fsyncs in flight at once; the disk merges them into fewer flushes
_MIN_PARALLEL = 4  # fewer files than this are fsynced one after the other (no threads started)


def replace_many(files: list[tuple[Path, bytes]]) -> None:
    """Replace each ``(path, data)`` (all in one folder) atomically, with one
    folder fsync at the end. An existing file keeps its mode; a new one is
    0600. On an error every temporary file not yet renamed is removed and
    the error propagates (files renamed before it hold their new data)."""
    if not files:
        return
    folder = files[0][0].parent
    make_private_dirs(folder)
    made: list[tuple[int, str, Path]] = []  # (fd, temporary name, path)
    renamed = 0
    closed = False
    try:
        for path, data in files:
            info = check_regular(path)
            mode = stat.S_IMODE(info.st_mode) if info is not None else PRIVATE_FILE
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
            made.append((fd, tmp_name, path))
            if stat.S_IMODE(os.fstat(fd).st_mode) != mode:
                os.fchmod(fd, mode)  # mkstemp made it 0600 less the umask
            boundary(f"write {path.name}")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        for _fd, _tmp, path in made:
            boundary(f"fsync {path.name}")
        fds = [fd for fd, _tmp, _path in made]
        if len(fds) >= _MIN_PARALLEL:
            with ThreadPoolExecutor(min(_THREADS, len(fds)), thread_name_prefix="paperqueue-fsync") as pool:
                list(pool.map(os.fsync, fds))  # re-raises the first error
        else:
            for fd in fds:
                os.fsync(fd)
        closed = True
        for fd, _tmp, _path in made:
            os.close(fd)
        for _fd, tmp_name, path in made:
            boundary(f"rename {path.name}")
            os.replace(tmp_name, path)
            renamed += 1
            boundary(f"renamed {path.name}")
    except BaseException:
        for fd, tmp_name, _path in made[renamed:]:
            if not closed:
                try:
                    os.close(fd)
                except OSError:
                    pass
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
        raise
    fsync_dir(folder)


__all__ = ["replace_many"]
