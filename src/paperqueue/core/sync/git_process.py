"""Running git for git mode (issue 13; the steps of a sync are in :mod:`.git`).

git is always run as its command-line program, with a list of arguments
(no shell), ``GIT_TERMINAL_PROMPT=0`` and a timeout; hooks, signing and the
user's merge settings are switched off for paperqueue's own commands,
which commit as ``paperqueue`` (``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` are
set: no ``user.name`` needed). :class:`Repo` holds the commands a sync
runs in the tree, and puts right what a killed sync left there first:
stale ``*.lock`` files (:func:`clear_stale_locks`), a half-done merge,
other devices' files half checked out.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperqueue.core.sync.settings import SyncError

if TYPE_CHECKING:
    from paperqueue.core.sync.git import Remote

TIMEOUT = 300  # seconds for one git command (a first clone of a big remote takes a while)
LOCK_AGE = 60  # seconds: without /proc, a lock this old is taken as stale
LOCK_WAIT = 10.0  # seconds to wait for a git still running in the tree
NAME, EMAIL = "paperqueue", "paperqueue@localhost"
_SETTINGS_OFF = ("core.hooksPath=/dev/null", "commit.gpgSign=false", "core.autocrlf=false", "gc.autoDetach=false",
                 "core.fsync=committed", "core.fsyncMethod=fsync", "advice.detachedHead=false")


class Offline(SyncError):
    """The remote could not be reached; nothing is lost, the next sync sends it."""


class GitMissing(SyncError):
    """git is not installed."""


def shown_url(url: str) -> str:
    """The URL without a password or token (``https://user:token@host``)."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^/@:]*):[^/@]*@", r"\1@", url, flags=re.IGNORECASE)


# -- running git ---------------------------------------------------------------------------


def git_path() -> str | None:
    return shutil.which("git")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in ("GIT_SSH", "GIT_SSH_COMMAND",
                                                                                    "GIT_CONFIG_NOSYSTEM",
                                                                                    "GIT_ASKPASS")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C", "GIT_MERGE_AUTOEDIT": "no",
                "GIT_AUTHOR_NAME": NAME, "GIT_AUTHOR_EMAIL": EMAIL, "GIT_COMMITTER_NAME": NAME,
                "GIT_COMMITTER_EMAIL": EMAIL})
    return env


def run_git(cwd: Path, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """``git ARGS`` in ``cwd``: never through a shell, never asking for a password."""
    program = git_path()
    if program is None:
        raise GitMissing("git is not installed (or not on PATH); install it, or sync through a folder instead")
    command = [program]
    for setting in _SETTINGS_OFF:
        command += ["-c", setting]
    try:
        return subprocess.run([*command, *args], cwd=cwd, env=_env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Offline(f"git {args[0]} took more than {int(timeout)} seconds and was stopped; "
                      "your changes are kept and go out at the next sync") from None


def reason_of(done: subprocess.CompletedProcess) -> str:
    """git's own last message, one line, passwords taken out."""
    lines = [line.strip() for line in (done.stderr or done.stdout or "").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("hint:", "warning:"))] or lines
    # git's own verdict when it gave one; else its first line (the last may
    # be the tail of a paragraph: "The most similar command is" / "remote-fd").
    said = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines[:1]
    reason = re.sub(r"^(fatal|error): ", "", said[-1]) if said else f"exit status {done.returncode}"
    return re.sub(r"//([^/@\s:]+):[^/@\s]*@", r"//\1@", reason)[:300]


def check(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    if done.returncode != 0:
        raise SyncError(f"git failed in the sync tree: {reason_of(done)}")
    return done


# -- the repository ------------------------------------------------------------------------


def _git_processes_in(tree: Path) -> list[int] | None:
    """Pids of git processes whose working folder is in ``tree`` (None
    where there is no /proc to ask)."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    inside = str(tree.resolve())
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            name = (entry / "comm").read_text().strip()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if name.startswith("git") and (cwd == inside or cwd.startswith(inside + os.sep)):
            found.append(int(entry.name))
    return found


def _wait_for_git(folder: Path) -> list[int] | None:
    """Wait (up to :data:`LOCK_WAIT` seconds) until no git process runs in
    ``folder``; ``None`` where there is no /proc to ask."""
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        running = _git_processes_in(folder)
        if not running:
            return running
        if time.monotonic() >= deadline:
            raise SyncError(f"another git is running in {folder} (pid {running[0]}); "
                            "run paperqueue sync again when it is done")
        time.sleep(0.1)


def _remove_stale(locks: list[Path], asked: bool) -> list[Path]:
    """Remove ``locks``; without /proc (``asked`` False) only those older
    than :data:`LOCK_AGE` seconds, else the sync stops and says so."""
    removed = []
    for path in locks:
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if not asked and age < LOCK_AGE:
            raise SyncError(f"{path} was left {int(age)} s ago; if no git is running there, "
                            f"run paperqueue sync again in a minute")
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def clear_stale_locks(tree: Path) -> list[str]:
    """Remove the ``*.lock`` files a killed git left in ``tree/.git``.

    The rule: a lock is stale when no git process runs in the tree (on
    Linux, every process's name and working folder in /proc: git always
    runs in its repository, and paperqueue's own git commands run under the
    store's writer lock, so only a git left over by a killed sync or one the
    person started could hold it). A git still running there is waited for
    (up to :data:`LOCK_WAIT` seconds, locks or not: a git a killed sync left
    behind may still be pushing), then the sync stops. Without /proc, a
    lock is stale when it is older than :data:`LOCK_AGE` seconds."""
    dot = tree / ".git"
    asked = _wait_for_git(tree) is not None
    locks = [p for p in dot.rglob("*.lock") if "objects" not in p.relative_to(dot).parts[:1]]
    return [str(path.relative_to(dot)) for path in _remove_stale(locks, asked)]


def local_folder(url: str) -> Path | None:
    """The folder a remote on this machine's disks is in (an absolute path,
    as :func:`.git.clone` keeps it, or ``file://``); None for a remote
    reached over the network."""
    if url.lower().startswith("file://"):
        return Path(url[len("file://"):])
    if has_scheme(url) or not url.startswith("/"):
        return None
    return Path(url)


def has_scheme(url: str) -> bool:
    """Whether ``url`` names its transport (``https://``, ``ssh://``,
    ``file://``...), as git reads it; else it is a path or ``host:path``."""
    return _SCHEME.match(url) is not None


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


_LEFT_LOCK = re.compile(r"Unable to create '([^'\n]+\.lock)': File exists")


def clear_remote_lock(url: str, stderr: str) -> str | None:
    """After a push git refused because a ref of the remote is locked: when
    the remote is on this machine's disks and no git runs in it (the lock
    was left by a push that was killed: its receive-pack died with it),
    remove that one lock. A lock on a remote reached over the network
    cannot be told from a push in progress from elsewhere, nor removed from
    here: its path is returned (the push is tried again, and if every try
    meets it the sync names it)."""
    found = _LEFT_LOCK.search(stderr)
    if found is None:
        return None  # another push got there first: fetch, merge and push again
    folder = local_folder(url)
    lock = Path(found.group(1))
    if folder is None or not lock.is_absolute():
        return found.group(1)
    folder, lock = folder.resolve(), lock.resolve()
    if not lock.is_relative_to(folder):
        return found.group(1)  # not in the remote's folder as this machine sees it: named, never removed
    _remove_stale([lock], _wait_for_git(folder) is not None)
    return None


@dataclass
class Repo:
    tree: Path
    remote: Remote
    device: str
    locked: str | None = None  # a lock on the remote the last push met, that is not this device's to remove

    def git(self, *args: str) -> subprocess.CompletedProcess:
        return run_git(self.tree, *args)

    def has(self, ref: str) -> bool:
        return self.git("rev-parse", "--quiet", "--verify", f"{ref}^{{commit}}").returncode == 0

    @property
    def upstream(self) -> str:
        return f"refs/remotes/origin/{self.remote.branch}"

    def tidy(self) -> None:
        """Put right what a killed sync left (step 1 of a sync, :mod:`.git`)."""
        if not (self.tree / ".git").is_dir():
            raise SyncError(f"the sync tree {self.tree} is missing; set sync up again with paperqueue sync init git URL")
        clear_stale_locks(self.tree)
        if (self.tree / ".git" / "MERGE_HEAD").exists():
            check(self.git("merge", "--abort"))
        status = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
        check(status)
        others = [entry[3:] for entry in status.stdout.split("\0") if len(entry) > 3
                  and not entry[3:].startswith(self.device + "/")]
        if not others:
            return
        born = self.has("HEAD")
        for path in others:
            tracked = born and self.git("cat-file", "-e", f"HEAD:{path}").returncode == 0
            if tracked:
                check(self.git("checkout", "HEAD", "--", path))
            else:
                self.git("rm", "--cached", "--quiet", "--ignore-unmatch", "--", path)
                (self.tree / path).unlink(missing_ok=True)

    def commit_own(self) -> bool:
        """Commit this device's folder (only it); False when nothing changed."""
        if not (self.tree / self.device).is_dir():
            return False
        check(self.git("add", "--all", "--", self.device))
        if self.git("diff", "--cached", "--quiet").returncode == 0:
            return False
        check(self.git("commit", "--quiet", "--no-verify", "-m", f"paperqueue: changes from {self.device}"))
        return True

    def fetch(self) -> None:
        done = self.git("fetch", "--quiet", "--no-tags", "origin",
                        f"+refs/heads/{self.remote.branch}:{self.upstream}")
        if done.returncode != 0:
            if "couldn't find remote ref" in done.stderr:
                return  # an empty remote: nothing to merge yet
            raise Offline(self._offline(done))

    def merge(self) -> None:
        if not self.has(self.upstream):
            return
        done = self.git("merge", "--quiet", "--no-edit", "--ff", "--no-verify", "--allow-unrelated-histories",
                        "-m", f"paperqueue: merge into {self.device}", self.upstream)
        if done.returncode == 0:
            return
        conflicted = self.git("diff", "--name-only", "--diff-filter=U").stdout.split()
        self.git("merge", "--abort")
        if conflicted:
            raise SyncError(f"git could not merge {', '.join(conflicted[:3])}, a file only one device should "
                            "write (was one store copied to another machine?); nothing was changed")
        raise SyncError(f"git could not merge the remote's changes: {reason_of(done)}")

    def push(self) -> bool:
        """True when pushed (or nothing to push); False when the remote moved on first."""
        self.locked = None
        if not self.has("HEAD"):
            return True
        done = self.git("push", "--porcelain", "--no-verify", "origin", f"HEAD:refs/heads/{self.remote.branch}")
        if done.returncode == 0:
            return True
        refused = [line for line in done.stdout.splitlines() if line.startswith("!")]
        if refused:
            if any(word in refused[0] for word in ("failed to update ref", "cannot lock ref", "failed to lock")):
                self.locked = clear_remote_lock(self.remote.url, done.stderr)
                return False
            if any(word in refused[0] for word in ("fetch first", "non-fast-forward", "stale info")):
                return False
            raise SyncError(f"the remote refused the push: {refused[0].split(chr(9))[-1]}")
        raise Offline(self._offline(done))

    def _offline(self, done: subprocess.CompletedProcess) -> str:
        return (f"could not reach {shown_url(self.remote.url)} ({reason_of(done)}); "
                "your changes are saved here and go out at the next sync")

    def unpushed_lines(self) -> int:
        """Lines in this device's files that the remote does not have yet."""
        own = self.tree / self.device
        if not own.is_dir():
            return 0
        if not self.has(self.upstream):
            return sum(p.read_bytes().count(b"\n") for p in own.iterdir() if p.is_file())
        done = self.git("diff", "--numstat", self.upstream, "--", self.device)
        untracked = self.git("ls-files", "--others", "-z", "--", self.device).stdout.split("\0")
        total = sum(int(line.split("\t")[0]) for line in done.stdout.splitlines() if line.split("\t")[0].isdigit())
        return total + sum((self.tree / p).read_bytes().count(b"\n") for p in untracked if p)


__all__ = ["GitMissing", "Offline", "Repo", "check", "clear_remote_lock", "clear_stale_locks", "has_scheme", "local_folder",
           "reason_of", "run_git", "shown_url"]
