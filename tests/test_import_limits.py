"""Odd files and memory: what is not a regular file is refused before it is
opened for reading (issue 9 item 16), a NUL anywhere refuses a file and a
line-less file is read in bounded blocks (item 17).

Imports that could hang or grow run in a child process: a hang fails the
test through a timeout (it never decides a pass), and the child's peak
memory comes from ``os.wait4``, for that child alone (see MEASURE).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from paperqueue.core.importing import UnusableFileError, check_file, import_file
from paperqueue.core.store import Store

from conftest import SAMPLE

HANG = 120  # seconds before a child that should answer at once counts as hung


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_mb: float


# Runs COMMAND and reports its exit code and peak RSS.  The measuring is done
# by this small go-between: a child started by a big process (pytest, after
# other tests, can hold 500 MB) inherits that process's high-water mark
# through fork/exec, so os.wait4 in pytest itself would report pytest's size.
MEASURE = r"""
import json, os, signal, subprocess, sys, threading
report, timeout, *command = sys.argv[1:]
child = subprocess.Popen(command)
hung = []
def stop():
    hung.append(True)
    os.kill(child.pid, signal.SIGKILL)
timer = threading.Timer(float(timeout), stop)
timer.start()
_pid, status, usage = os.wait4(child.pid, 0)
timer.cancel()
with open(report, "w") as handle:
    json.dump({"code": os.waitstatus_to_exitcode(status), "hung": bool(hung), "peak_kb": usage.ru_maxrss}, handle)
"""


def run_import(home: Path, *files: Path, timeout: float = HANG) -> Run:
    """``paperqueue import FILES`` in a child; fails the test if it hangs."""
    out, err, report = (home.parent / name for name in ("import.out", "import.err", "import.json"))
    env = {**os.environ, "PAPERQUEUE_HOME": str(home)}
    command = [sys.executable, "-m", "paperqueue", "import", *map(str, files)]
    with out.open("wb") as o, err.open("wb") as e:
        subprocess.run(
            [sys.executable, "-c", MEASURE, str(report), str(timeout), *command],
            stdin=subprocess.DEVNULL, stdout=o, stderr=e, env=env, check=True, timeout=timeout * 2,
        )
    measured = json.loads(report.read_text())
    if measured["hung"]:
        pytest.fail(f"paperqueue import {' '.join(map(str, files))} hung (killed after {timeout} s)")
    return Run(measured["code"], out.read_text(), err.read_text(), measured["peak_kb"] / 1024)


# -- item 16: not a regular file ------------------------------------------------


def test_a_named_pipe_is_refused_without_hanging(tmp_path, pq_home):
    fifo = tmp_path / "papers.txt"
    os.mkfifo(fifo)
    run = run_import(pq_home, fifo)
    assert run.code == 2
    assert f"{fifo}: is a named pipe, not a file" in run.err
    assert "Traceback" not in run.err


def test_a_named_pipe_among_good_files_does_not_stop_the_others(tmp_path, pq_home):
    fifo = tmp_path / "pipe.bib"
    os.mkfifo(fifo)
    run = run_import(pq_home, fifo, SAMPLE)
    assert run.code == 2
    assert "is a named pipe, not a file" in run.err
    assert "trending-papers.txt: trending-papers page:" in run.out


def test_the_import_worker_path_refuses_a_pipe_at_once(tmp_path, pq_home):
    """``i`` in the app and handed-over imports call import_file in a thread:
    it must answer instead of blocking in open()."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    store = Store.open()
    answer: list[BaseException] = []

    def work() -> None:
        try:
            import_file(store, fifo)
        except BaseException as error:  # noqa: BLE001
            answer.append(error)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(HANG)
    try:
        if worker.is_alive():  # unblock it: a writer end lets open() return
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
            worker.join(HANG)
            pytest.fail("import_file blocked on a named pipe")
    finally:
        store.close()
    assert len(answer) == 1 and isinstance(answer[0], UnusableFileError)
    assert answer[0].reason == "is a named pipe, not a file"


def test_devices_and_sockets_are_refused(tmp_path, pq_home):
    with pytest.raises(UnusableFileError) as refused:
        check_file(Path("/dev/zero"))
    assert refused.value.reason == "is a device, not a file"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock.bib"))
        with pytest.raises(UnusableFileError) as refused:
            check_file(tmp_path / "sock.bib")
        assert refused.value.reason == "is a socket, not a file"
    finally:
        server.close()
    run = run_import(pq_home, Path("/dev/zero"))
    assert run.code == 2 and "/dev/zero: is a device, not a file" in run.err


def test_a_symlink_to_a_regular_file_still_imports(tmp_path, pq_home):
    link = tmp_path / "link.txt"
    link.symlink_to(SAMPLE)
    run = run_import(pq_home, link)
    assert run.code == 0, run.err
    assert "link.txt: trending-papers page:" in run.out


def test_a_directory_is_still_named_as_one(tmp_path):
    with pytest.raises(UnusableFileError) as refused:
        check_file(tmp_path)
    assert refused.value.reason == "is a directory, not a file"


# -- item 17: NULs past the head, lines without end -----------------------------

HOLE = 1 << 30
CAP_MB = 300  # generous: the app's own import is ~60 MB; the old code needed 2.1 GB


def _text_then_hole(path: Path, text: str) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        size = handle.tell()
        handle.truncate(size + HOLE)  # sparse: costs no disk
    return path


def _page_text(size: int) -> str:
    sample = SAMPLE.read_text(encoding="utf-8")
    return (sample * (size // len(sample) + 1))[:size].rpartition("\n\n")[0] + "\n\n"


@pytest.mark.parametrize("name", ["page.txt", "refs.bib"])
def test_a_hole_of_nuls_after_the_head_is_refused_with_memory_bounded(tmp_path, pq_home, name):
    text = _page_text(70_000) if name == "page.txt" else "".join(
        f"@misc{{k{n}, title={{Paper number {n}}}, abstract={{{'words ' * 60}}}}}\n" for n in range(200)
    )
    path = _text_then_hole(tmp_path / name, text)
    run = run_import(pq_home, path)
    assert run.code == 2
    assert "binary file (not text): a NUL byte at" in run.err
    assert run.err.count("\n") == 1  # one line, no traceback
    assert run.peak_mb < CAP_MB, f"peak {run.peak_mb:.0f} MB"
    assert run.out == ""  # nothing imported


def test_a_nul_late_in_a_file_refuses_it_and_nothing_lands(tmp_path, pq_home):
    page = tmp_path / "page.txt"
    page.write_bytes(_page_text(200_000).encode() + b"Late title\n\nan abstract with a \x00 in it\n")
    store = Store.open()
    try:
        with pytest.raises(UnusableFileError) as refused:
            import_file(store, page)
        assert refused.value.reason.startswith("binary file (not text): a NUL byte at")
        assert not store.papers
    finally:
        store.close()


def test_a_line_without_end_is_read_in_bounded_blocks(tmp_path, pq_home):
    """300 MB with no newline and no NUL: refused as no text page, without
    ever holding the line (today it is read as one 300 MB line)."""
    path = tmp_path / "long.txt"
    block = b"word " * (1 << 18)
    with path.open("wb") as handle:
        handle.write(_page_text(70_000).encode())
        for _ in range(300 * (1 << 20) // len(block)):
            handle.write(block)
    run = run_import(pq_home, path)
    assert run.code == 2
    assert "Traceback" not in run.err and run.err.count("\n") == 1
    assert "longer than" in run.err
    assert run.peak_mb < 150, f"peak {run.peak_mb:.0f} MB"
