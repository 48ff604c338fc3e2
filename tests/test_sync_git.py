"""Sync through git, end to end: two homes on this machine, one bare
repository (on disk, or served by ``git daemon`` on the loopback address);
what one device does shows on the other after ``paperqueue sync`` on both.

Every test runs git without any identity or user configuration (HOME is an
empty folder, GIT_CONFIG_NOSYSTEM=1): paperqueue commits as itself."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_sync_folder import BIB, KEY, act, listing, run, star  # noqa: F401 - fixtures

from paperqueue.core.sync import git_process


@pytest.fixture(autouse=True)
def no_git_identity(tmp_path, monkeypatch):
    empty = tmp_path / "empty-home"
    empty.mkdir()
    monkeypatch.setenv("HOME", str(empty))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(empty / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL",
                 "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    return empty


def git(*argv: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", *argv], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def bare_repo(path: Path) -> Path:
    git("init", "--quiet", "--bare", str(path))
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """A bare repository served read-write by ``git daemon`` on 127.0.0.1."""
    base = tmp_path / "served"
    base.mkdir()
    bare_repo(base / "queue.git")
    port = free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", f"--base-path={base}", "--export-all", "--enable=receive-pack", "--reuseaddr",
         "--listen=127.0.0.1", f"--port={port}", str(base)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("git daemon did not start")
        yield f"git://127.0.0.1:{port}/queue.git"
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


@pytest.fixture(params=["disk", "daemon"])
def url(request, tmp_path):
    if request.param == "disk":
        return str(bare_repo(tmp_path / "remote.git"))
    return request.getfixturevalue("served")


def setup_pair(run, tmp_path: Path, url: str) -> tuple[Path, Path]:
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    homes = tmp_path / "a", tmp_path / "b"
    for home in homes:
        code, _out, err = run(home, "import", str(bib))
        assert code == 0, err
        code, out, err = run(home, "sync", "init", "git", url)
        assert code == 0, err
        assert "sync set up" in out
    return homes


@pytest.fixture
def pair(run, tmp_path, url):
    return setup_pair(run, tmp_path, url)


def sync(run, home: Path) -> str:
    code, out, err = run(home, "sync")
    assert code == 0, err
    assert out.startswith("synced:"), out
    return out


STATE = ("starred", "starred_at", "read", "read_at", "removed", "tags", "note")


def state(row: dict) -> dict:
    return {name: row.get(name) for name in STATE}


def device(home: Path) -> str:
    return json.loads((home / "sync.json").read_text())["device"]


def test_a_star_on_a_shows_on_b_after_both_sync(pair, run):
    a, b = pair
    star(a)
    sync(run, a)
    assert not listing(run, b)[KEY]["starred"]
    out = sync(run, b)
    assert "1 paper changed here" in out
    assert listing(run, b)[KEY]["starred"]
    assert listing(run, b)[KEY]["starred_at"] == "2026-01-01T00:00:00Z"


def test_commits_are_paperqueues_own_and_hold_only_the_devices_folder(pair, run, tmp_path):
    a, b = pair
    star(a)
    sync(run, a)
    sync(run, b)
    remote = tmp_path / "look"
    git("clone", "--quiet", str(a / "sync-git" / ".git"), str(remote))
    authors = set(git("log", "--format=%an <%ae>|%cn <%ce>", cwd=remote).split())
    assert authors <= {"paperqueue", "<paperqueue@localhost>|paperqueue", "<paperqueue@localhost>"}
    top = set(git("ls-tree", "--name-only", "HEAD", cwd=remote).split())
    assert top <= {device(a), device(b)} and device(a) in top


def test_concurrent_changes_on_both_including_one_field_end_the_same(pair, run):
    a, b = pair
    act(a, "Note", lambda s: {"note": "from a"})
    act(b, "Note", lambda s: {"note": "from b"})
    act(a, "Read", lambda s: {"read": True, "read_at": "2026-01-01T00:00:00Z"})
    act(b, "Tagged", lambda s: {"tags": ("ml",)})
    sync(run, a)
    sync(run, b)  # merges A's commit with its own: no conflict
    sync(run, a)
    row_a, row_b = listing(run, a)[KEY], listing(run, b)[KEY]
    assert state(row_a) == state(row_b)
    assert row_a["note"] in ("from a", "from b") and row_a["read"] and row_a["tags"] == ["ml"]


def test_a_push_refused_because_the_other_pushed_first_is_retried_after_pulling(pair, run, monkeypatch):
    a, b = pair
    star(a)
    act(b, "Tagged", lambda s: {"tags": ("ml",)})
    pushes = []
    real_push = git_process.Repo.push

    def push_after_a(self):  # noqa: ANN001
        if not pushes:  # B has fetched and merged; A pushes now, in between
            done = subprocess.run([sys.executable, "-m", "paperqueue", "sync"], capture_output=True, text=True,
                                  env={**os.environ, "PAPERQUEUE_HOME": str(a)}, timeout=120)
            assert done.returncode == 0, done.stderr
        pushes.append(1)
        return real_push(self)

    monkeypatch.setattr(git_process.Repo, "push", push_after_a)
    out = sync(run, b)
    assert len(pushes) == 2
    assert "after 2 tries" in out
    monkeypatch.undo()
    sync(run, a)
    assert listing(run, a)[KEY]["tags"] == ["ml"] and listing(run, b)[KEY]["starred"]


def test_two_syncs_at_once_both_end_up_pushed(pair, run):
    a, b = pair
    star(a)
    act(b, "Tagged", lambda s: {"tags": ("ml",)})
    children = [subprocess.Popen([sys.executable, "-m", "paperqueue", "sync"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env={**os.environ, "PAPERQUEUE_HOME": str(home)})
                for home in (a, b)]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert out.startswith("synced:")
    sync(run, a)
    sync(run, b)
    row_a, row_b = listing(run, a)[KEY], listing(run, b)[KEY]
    assert state(row_a) == state(row_b) and row_a["starred"] and row_a["tags"] == ["ml"]


def test_offline_says_so_in_one_line_and_the_next_sync_sends_it(run, tmp_path):
    remote = bare_repo(tmp_path / "remote.git")
    a, b = setup_pair(run, tmp_path, str(remote))
    remote.rename(tmp_path / "unplugged.git")
    star(a)
    code, out, err = run(a, "sync")
    assert code == 1 and out == ""
    assert "could not reach" in err and err.count("\n") == 1 and "Traceback" not in err
    assert listing(run, a)[KEY]["starred"]
    code, out, _err = run(a, "sync", "status")
    assert "could not reach it" in out and "field changes waiting to go out: 1" in out
    (tmp_path / "unplugged.git").rename(remote)
    sync(run, a)
    code, out, _err = run(a, "sync", "status")
    assert "field changes waiting to go out: 0" in out
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]


def test_status_says_whether_it_contacted_the_remote(pair, run):
    a, _b = pair
    code, out, _err = run(a, "sync", "status")
    assert code == 0
    assert "remote:" in out and "not contacted by sync status" in out and "never reached by a sync" in out
    sync(run, a)
    code, out, _err = run(a, "sync", "status")
    assert "last reached by a sync at" in out


def test_a_password_in_the_url_is_never_shown(run, tmp_path):
    bib = tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    assert run(tmp_path / "a", "import", str(bib))[0] == 0
    code, out, err = run(tmp_path / "a", "sync", "init", "git", "http://me:s3cret@127.0.0.1:9/q.git")
    assert code == 1 and "s3cret" not in out + err and "could not reach" in err
    assert not (tmp_path / "a" / "sync.json").exists()


def test_a_stale_index_lock_left_by_a_killed_git_is_removed(pair, run):
    a, b = pair
    star(a)
    lock = a / "sync-git" / ".git" / "index.lock"
    lock.write_bytes(b"")
    old = time.time() - 120
    os.utime(lock, (old, old))
    sync(run, a)
    assert not lock.exists()
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]


def sync_refused_beside_a_running_git(run, home: Path, folder: Path) -> None:
    """A sync of ``home`` while a git runs in ``folder`` (waiting on its
    input) stops, in one line, and says why."""
    busy = subprocess.Popen(["git", "cat-file", "--batch"], cwd=folder, stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL)
    try:
        code, _out, err = run(home, "sync")
    finally:
        busy.stdin.close()
        busy.wait(timeout=10)
    assert code == 2 and "another git is running in" in err and err.count("\n") == 1


def test_an_index_lock_of_a_git_still_running_in_the_tree_is_left_alone(pair, run, monkeypatch):
    a, _b = pair
    star(a)
    monkeypatch.setattr(git_process, "LOCK_WAIT", 0.3)
    tree = a / "sync-git"
    lock = tree / ".git" / "index.lock"
    lock.write_bytes(b"")
    old = time.time() - 120
    os.utime(lock, (old, old))
    sync_refused_beside_a_running_git(run, a, tree)
    assert lock.exists()
    assert listing(run, a)[KEY]["starred"]
    lock.unlink()
    sync(run, a)


def left_ref_lock(remote: Path) -> Path:
    """The lock a push killed in the middle of updating the remote's branch
    leaves there (its receive-pack died with it)."""
    lock = remote / "refs" / "heads" / "main.lock"
    lock.write_text(git("rev-parse", "main", cwd=remote))
    return lock


def test_a_branch_lock_a_killed_push_left_on_a_remote_on_disk_is_removed(run, tmp_path):
    a, b = setup_pair(run, tmp_path, str(bare_repo(tmp_path / "remote.git")))
    sync(run, a)
    sync(run, b)
    star(a)
    lock = left_ref_lock(tmp_path / "remote.git")
    sync(run, a)
    assert not lock.exists()
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]


def test_a_branch_lock_on_a_remote_on_disk_with_a_git_running_there_is_left_alone(run, tmp_path, monkeypatch):
    remote = bare_repo(tmp_path / "remote.git")
    a, _b = setup_pair(run, tmp_path, str(remote))
    sync(run, a)
    star(a)
    monkeypatch.setattr(git_process, "LOCK_WAIT", 0.3)
    lock = left_ref_lock(remote)
    sync_refused_beside_a_running_git(run, a, remote)
    assert lock.exists()
    lock.unlink()
    sync(run, a)


def test_a_branch_lock_on_a_remote_over_the_network_stops_the_sync_and_says_where(run, tmp_path, served):
    a, b = setup_pair(run, tmp_path, served)
    sync(run, a)
    sync(run, b)
    star(a)
    lock = left_ref_lock(tmp_path / "served" / "queue.git")
    code, _out, err = run(a, "sync")
    assert code == 2 and err.count("\n") == 1
    assert "the remote's branch stayed locked" in err and "refs/heads/main.lock" in err
    assert lock.exists()  # not this device's to remove
    lock.unlink()
    sync(run, a)
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]


def test_a_branch_lock_on_a_remote_over_the_network_that_goes_away_is_pushed_past(run, tmp_path, served,
                                                                                   monkeypatch):
    a, b = setup_pair(run, tmp_path, served)
    sync(run, a)
    sync(run, b)
    star(a)
    lock = left_ref_lock(tmp_path / "served" / "queue.git")
    met = git_process.clear_remote_lock

    def push_elsewhere_ends(url, stderr):  # noqa: ANN001, ANN202
        left = met(url, stderr)
        lock.unlink()  # the other device's push finishes before this one tries again
        return left

    monkeypatch.setattr(git_process, "clear_remote_lock", push_elsewhere_ends)
    assert "after 2 tries" in sync(run, a)
    sync(run, b)
    assert listing(run, b)[KEY]["starred"]


def test_init_twice_is_refused_and_a_bad_url_sets_nothing_up(pair, run, tmp_path):
    a, _b = pair
    code, _out, err = run(a, "sync", "init", "git", str(tmp_path / "remote.git"))
    assert code == 2 and "already set up" in err
    c = tmp_path / "c"
    assert run(c, "import", str(tmp_path / "papers.bib"))[0] == 0
    code, _out, err = run(c, "sync", "init", "git", str(tmp_path / "nothing-here.git"))
    assert code == 1 and "could not reach" in err and err.count("\n") == 1
    assert not (c / "sync.json").exists() and not (c / "sync-git").exists()


def test_doctor_says_whether_git_is_installed(tmp_path):
    from paperqueue.core.doctor import diagnose

    found = dict(diagnose(tmp_path, {}, system="Linux", which=lambda name: None))
    assert found["git"].startswith("no: git is not installed")
    found = dict(diagnose(tmp_path, {}, system="Linux"))
    assert found["git"].startswith("yes: git version ")


def test_another_devices_file_left_half_checked_out_is_put_back_and_read(pair, run):
    a, b = pair
    star(a)
    sync(run, a)
    sync(run, b)
    act(a, "Tagged", lambda s: {"tags": ("ml",)})
    sync(run, a)
    # A killed checkout on B: A's file half written, a file git had not yet recorded.
    theirs = b / "sync-git" / device(a) / "000001.jsonl"
    theirs.write_bytes(theirs.read_bytes() + b'{"half a line')
    (b / "sync-git" / device(a) / "000002.jsonl").write_bytes(b"")
    sync(run, b)
    assert not (b / "sync-git" / device(a) / "000002.jsonl").exists()
    assert b'{"half a line' not in theirs.read_bytes()
    row = listing(run, b)[KEY]
    assert row["starred"] and row["tags"] == ["ml"]


def test_a_merge_that_would_conflict_is_aborted_and_changes_nothing(pair, run):
    a, b = pair
    star(a)
    sync(run, a)
    sync(run, b)
    # Something other than A wrote A's file on B's side (a store copied to a second machine would).
    theirs = b / "sync-git" / device(a) / "000001.jsonl"
    theirs.write_bytes(theirs.read_bytes() + b"not paperqueue's\n")
    git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "foreign", cwd=b / "sync-git")
    act(a, "Tagged", lambda s: {"tags": ("ml",)})
    sync(run, a)
    before = listing(run, b)
    code, out, err = run(b, "sync")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "could not merge" in err and device(a) in err and "copied" in err
    assert listing(run, b) == before
    assert not (b / "sync-git" / ".git" / "MERGE_HEAD").exists()


@pytest.mark.parametrize("stderr, reason", [
    # git's suggestion paragraph after a bad URL: its first line, not "remote-fd"
    ("git: 'remote-' is not a git command. See 'git --help'.\n\nThe most similar command is\n\tremote-fd\n",
     "git: 'remote-' is not a git command. See 'git --help'."),
    ("To /tmp/r.git\n ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs to '/tmp/r.git'\n"
     "hint: Updates were rejected because the remote contains work\n", "failed to push some refs to '/tmp/r.git'"),
    ("Cloning into 'x'...\nfatal: unable to access 'https://me:secret@example.org/r.git/': Could not resolve host\n",
     "unable to access 'https://me@example.org/r.git/': Could not resolve host"),
    ("", "exit status 128"),
])
def test_the_reason_given_is_gits_own_verdict_in_one_line(stderr: str, reason: str) -> None:
    done = subprocess.CompletedProcess(["git"], 128, stdout="", stderr=stderr)
    assert git_process.reason_of(done) == reason
