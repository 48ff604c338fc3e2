"""Two ``paperqueue import`` at once (issue 9, item 20): the second waits
for the first, saying so, instead of handing its files to an app that is
not there; ``--wait`` bounds the wait. The lock file says who holds it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from paperqueue.cli import main
from paperqueue.core import importing

from conftest import SAMPLE


class Holder:
    """Another process holding the writer lock as ``kind`` until released."""

    def __init__(self, home: Path, kind: str) -> None:
        script = textwrap.dedent(
            f"""
            import sys
            from pathlib import Path
            from paperqueue.core.lock import StoreLock
            held = StoreLock(Path(sys.argv[1]) / "queue.lock", kind={kind!r})
            held.acquire()
            print("ready", flush=True)
            sys.stdin.read()
            held.release()
            """
        )
        self.child = subprocess.Popen(
            [sys.executable, "-c", script, str(home)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.child.stdout.readline().strip() == "ready"
        self.pid = self.child.pid

    def release(self) -> None:
        if self.child.poll() is None:
            self.child.stdin.close()
            self.child.wait(timeout=60)


def test_an_import_says_in_the_lock_file_that_it_is_an_import(pq_home: Path, monkeypatch, capsys) -> None:
    seen = []
    real = importing.import_file

    def watching(store, *args, **kwargs):
        seen.append((pq_home / "queue.lock").read_text())
        return real(store, *args, **kwargs)

    monkeypatch.setattr(importing, "import_file", watching)
    assert main(["import", str(SAMPLE)]) == 0
    assert seen == [f"{os.getpid()} import"]


def test_a_second_import_does_not_wait_with_wait_0(pq_home: Path, capsys) -> None:
    holder = Holder(pq_home, "import")
    try:
        assert main(["import", str(SAMPLE), "--wait", "0"]) == 1
    finally:
        holder.release()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"another paperqueue import is running (pid {holder.pid})" in err
    assert "app" not in err and "close it" not in err
    assert not (pq_home / "requests").exists(), "nothing was handed to an app"
    assert main(["list", "--format", "json"]) == 0 and capsys.readouterr().out.strip() == "[]"


def test_a_second_import_waits_for_the_first_and_then_imports(pq_home: Path, tmp_path: Path) -> None:
    holder = Holder(pq_home, "import")
    env = {**os.environ, "PAPERQUEUE_HOME": str(pq_home)}
    second = subprocess.Popen(
        [sys.executable, "-m", "paperqueue", "import", str(SAMPLE)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        waiting = second.stderr.readline()
        assert f"waiting for another paperqueue import (pid {holder.pid}) to finish" in waiting
        assert second.poll() is None, "still waiting while the first holds the queue"
    finally:
        holder.release()
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "79 new" in out and err == ""


def test_a_bounded_wait_gives_up_with_a_line(pq_home: Path, capsys) -> None:
    holder = Holder(pq_home, "undo")
    try:
        assert main(["import", str(SAMPLE), "--wait", "0.3"]) == 1
    finally:
        holder.release()
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"paperqueue: waiting for another paperqueue undo (pid {holder.pid}) to finish, at most 0.3 s"
    assert err[1].startswith(f"paperqueue: another paperqueue undo is running (pid {holder.pid})") and len(err) == 2


def test_undo_while_an_import_runs_names_the_import(pq_home: Path, capsys) -> None:
    holder = Holder(pq_home, "import")
    try:
        assert main(["undo"]) == 1
    finally:
        holder.release()
    err = capsys.readouterr().err
    assert f"another paperqueue import is running" in err and f"pid {holder.pid}" in err and "in the app" not in err
