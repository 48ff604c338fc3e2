"""Sync through git (issue 13, git mode): the working tree is the sync folder.

``paperqueue sync init git URL`` clones URL (an empty remote clones to an
empty tree on branch ``main``) into ``<home>/sync-git/`` and sets the store
up for folder sync with that tree as its folder (:mod:`.folder`,
:mod:`.run`): each device appends only to ``<device>/*.jsonl``, so a merge
never touches a file two devices write. ``<home>/sync-git.json`` (device
local, beside ``sync.json``) holds the URL, the branch, ``--auto`` and
whether the last sync reached the remote.

A sync (:func:`sync_git`), with the store's writer lock held:

1. tidy what a killed sync left: stale ``*.lock`` files (see
   :func:`clear_stale_locks` for the rule), an unfinished merge (aborted),
   other devices' files half checked out (put back as ``HEAD`` has them:
   only git writes them, and the merge brings them again);
2. write this device's own changes to its folder (as folder mode does),
   ``git add`` that folder only and commit as ``paperqueue``
   (``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` are set: no ``user.name`` needed);
3. fetch and merge (``--allow-unrelated-histories``: two devices may both
   have started on an empty remote); a conflict cannot happen (one writer
   per file, appended only): if it does, the merge is aborted and the sync
   stops, saying which files;
4. read every device's new lines and apply them (folder mode's reader);
5. push; a push refused because the remote moved on goes back to 3, at
   most :data:`ATTEMPTS` times.

Offline (fetch or push cannot reach the remote) the sync stops after step
2 with :class:`Offline` (one line, exit 1): the commit waits in the tree
and the next sync pushes it. git is always run as its command-line
program, with a list of arguments (no shell), ``GIT_TERMINAL_PROMPT=0`` and
a timeout; hooks, signing and the user's merge settings are switched off
for paperqueue's own commands.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path

import orjson

from paperqueue.core.atomic import atomic_write_bytes, read_json
from paperqueue.core.sync.folder import SyncError, load_settings

TREE = "sync-git"
SETTINGS = "sync-git.json"
ATTEMPTS = 5
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


# -- settings ------------------------------------------------------------------------------


@dataclass
class Remote:
    url: str
    branch: str = "main"
    auto: bool = False
    reached_at: str | None = None  # the last sync that reached the remote
    failed: str | None = None  # why the last sync could not reach it (None: it did, or none tried)

    def record(self) -> dict:
        return {"url": self.url, "branch": self.branch, "auto": self.auto, "reached_at": self.reached_at,
                "failed": self.failed}


def is_git(home: Path) -> bool:
    """Whether this home syncs through git (one stat)."""
    return (home / SETTINGS).exists()


def load_remote(home: Path) -> Remote | None:
    path = home / SETTINGS
    if not path.exists():
        return None
    try:
        record = read_json(path)
    except (OSError, ValueError):
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("url"), str) or not _branch_ok(record.get("branch")):
        raise SyncError(f"{path} is damaged; set sync up again with paperqueue sync init git URL")
    text = lambda name: record.get(name) if isinstance(record.get(name), str) else None  # noqa: E731
    return Remote(record["url"], record["branch"], record.get("auto") is True, text("reached_at"), text("failed"))


def save_remote(home: Path, remote: Remote) -> None:
    atomic_write_bytes(home / SETTINGS, orjson.dumps(remote.record(), option=orjson.OPT_INDENT_2) + b"\n",
                       new_mode=0o600)


def _branch_ok(name: object) -> bool:
    return isinstance(name, str) and bool(re.fullmatch(r"[A-Za-z0-9._/-]{1,100}", name)) and not name.startswith("-")


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


def _why(done: subprocess.CompletedProcess) -> str:
    """git's own last message, one line, passwords taken out."""
    lines = [line.strip() for line in (done.stderr or done.stdout or "").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("hint:", "warning:"))] or lines
    reason = re.sub(r"^(fatal|error): ", "", lines[-1]) if lines else f"exit status {done.returncode}"
    return re.sub(r"//([^/@\s:]+):[^/@\s]*@", r"//\1@", reason)[:300]


# -- setting up ----------------------------------------------------------------------------


def clone(home: Path, url: str) -> Remote:
    """Clone ``url`` into ``<home>/sync-git`` (a clone of an empty remote is
    an empty tree whose branch is ``main``) and keep ``sync-git.json``."""
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, flags=re.IGNORECASE) and (
            Path(url).expanduser().exists() or ":" not in url.split("/", 1)[0]):
        url = str(Path(url).expanduser().absolute())  # a path (git runs in the tree): made absolute
    tree, scratch = home / TREE, home / f".{TREE}.new"
    for leftover in (tree, scratch):
        if leftover.exists():
            shutil.rmtree(leftover)  # a set-up that did not finish (sync.json is written last)
    done = run_git(home, "clone", "--quiet", "--origin", "origin", "--", url, str(scratch))
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        raise Offline(f"could not reach {shown_url(url)} ({_why(done)}); nothing was set up")
    branch = run_git(scratch, "symbolic-ref", "--short", "HEAD").stdout.strip()
    if run_git(scratch, "rev-parse", "--quiet", "--verify", "HEAD").returncode != 0:
        branch = "main"  # an empty remote: every device starts the same branch
        _check(run_git(scratch, "symbolic-ref", "HEAD", "refs/heads/main"))
    if not _branch_ok(branch):
        shutil.rmtree(scratch, ignore_errors=True)
        raise SyncError(f"the remote's branch {branch!r} is not one paperqueue can use")
    os.replace(scratch, tree)
    remote = Remote(url, branch)
    save_remote(home, remote)
    return remote


def _check(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    if done.returncode != 0:
        raise SyncError(f"git failed in the sync tree: {_why(done)}")
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
    deadline = time.monotonic() + LOCK_WAIT
    while True:  # a git a killed sync left running finishes first (it may be pushing)
        running = _git_processes_in(tree)
        if not running:
            break
        if time.monotonic() >= deadline:
            raise SyncError(f"another git is running in {tree} (pid {running[0]}); "
                            "run paperqueue sync again when it is done")
        time.sleep(0.1)
    locks = [p for p in dot.rglob("*.lock") if "objects" not in p.relative_to(dot).parts[:1]]
    removed = []
    for path in locks:
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if running is None and age < LOCK_AGE:
            raise SyncError(f"{path} was left {int(age)} s ago; if no git is running there, "
                            f"run paperqueue sync again in a minute")
        path.unlink(missing_ok=True)
        removed.append(str(path.relative_to(dot)))
    return removed


@dataclass
class Repo:
    tree: Path
    remote: Remote
    device: str

    def git(self, *args: str) -> subprocess.CompletedProcess:
        return run_git(self.tree, *args)

    def has(self, ref: str) -> bool:
        return self.git("rev-parse", "--quiet", "--verify", f"{ref}^{{commit}}").returncode == 0

    @property
    def upstream(self) -> str:
        return f"refs/remotes/origin/{self.remote.branch}"

    def tidy(self) -> None:
        """Put right what a killed sync left (see the module's step 1)."""
        if not (self.tree / ".git").is_dir():
            raise SyncError(f"the sync tree {self.tree} is missing; set sync up again with paperqueue sync init git URL")
        clear_stale_locks(self.tree)
        if (self.tree / ".git" / "MERGE_HEAD").exists():
            _check(self.git("merge", "--abort"))
        status = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
        _check(status)
        others = [entry[3:] for entry in status.stdout.split("\0") if len(entry) > 3
                  and not entry[3:].startswith(self.device + "/")]
        if not others:
            return
        born = self.has("HEAD")
        for path in others:
            tracked = born and self.git("cat-file", "-e", f"HEAD:{path}").returncode == 0
            if tracked:
                _check(self.git("checkout", "HEAD", "--", path))
            else:
                self.git("rm", "--cached", "--quiet", "--ignore-unmatch", "--", path)
                (self.tree / path).unlink(missing_ok=True)

    def commit_own(self) -> bool:
        """Commit this device's folder (only it); False when nothing changed."""
        if not (self.tree / self.device).is_dir():
            return False
        _check(self.git("add", "--all", "--", self.device))
        if self.git("diff", "--cached", "--quiet").returncode == 0:
            return False
        _check(self.git("commit", "--quiet", "--no-verify", "-m", f"paperqueue: changes from {self.device}"))
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
        raise SyncError(f"git could not merge the remote's changes: {_why(done)}")

    def push(self) -> bool:
        """True when pushed (or nothing to push); False when the remote moved on first."""
        if not self.has("HEAD"):
            return True
        done = self.git("push", "--porcelain", "--no-verify", "origin", f"HEAD:refs/heads/{self.remote.branch}")
        if done.returncode == 0:
            return True
        refused = [line for line in done.stdout.splitlines() if line.startswith("!")]
        if refused:
            if any(word in refused[0] for word in ("fetch first", "non-fast-forward", "stale info",
                                                     "failed to update ref", "cannot lock ref", "failed to lock")):
                return False
            raise SyncError(f"the remote refused the push: {refused[0].split(chr(9))[-1]}")
        raise Offline(self._offline(done))

    def _offline(self, done: subprocess.CompletedProcess) -> str:
        return (f"could not reach {shown_url(self.remote.url)} ({_why(done)}); "
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


def open_repo(home: Path) -> Repo | None:
    remote = load_remote(home)
    settings = load_settings(home)
    if remote is None or settings is None:
        return None
    return Repo(home / TREE, remote, settings.device)


# -- a sync --------------------------------------------------------------------------------


@dataclass
class GitSummary:
    summary: object  # run.Summary
    url: str
    tries: int

    def line(self) -> str:
        tries = f", after {self.tries} tries" if self.tries > 1 else ""
        return f"{self.summary.line()} (through {shown_url(self.url)}{tries})"


def sync_git(store, history, writer, now: str, apply=None) -> GitSummary:  # noqa: ANN001 - Store, History, Writer
    """A whole git sync (see the module's steps); ``apply`` is passed to
    :func:`.run.sync_folder` (the app shows the states it set in place)."""
    from paperqueue.core.sync.run import sync_folder

    repo = open_repo(store.home)
    emitter = writer.sync
    if repo is None or emitter is None:
        raise SyncError("this queue is not set up for sync through git; run paperqueue sync init git URL first")
    settings = emitter.settings
    repo.tidy()
    history.ensure_loaded()
    writer.save()
    if settings.exported < history.seq and not emitter.export(history.path, history.seq, history.seq, []):
        raise SyncError(f"cannot write in {settings.own}")
    repo.commit_own()
    sent = repo.unpushed_lines()  # field changes the remote lacks, as far as this tree knows
    total = None
    try:
        for tries in range(1, ATTEMPTS + 1):
            repo.fetch()
            repo.merge()
            summary = sync_folder(store, history, writer, now, apply=apply)
            total = summary if total is None else _add(total, summary)
            repo.commit_own()
            if repo.push():
                break
        else:
            raise SyncError(f"the remote kept moving on while this device pushed ({ATTEMPTS} tries); "
                            "run paperqueue sync again")
    except Offline as offline:
        _contact(store.home, repo.remote, None, str(offline))
        raise
    _contact(store.home, repo.remote, now, None)
    return GitSummary(replace(total, sent=sent), repo.remote.url, tries)


def quick_sync_git(home: Path, now: str) -> GitSummary | None:
    """A git sync that brings nothing, without opening the store (hold the
    writer lock): git's own steps as :func:`sync_git` takes them, and
    between them :func:`.run.quick_read` instead of the full folder sync.
    ``None`` when the store must be opened (something to send or repair,
    or the fetch brought changes: the full sync fetches again, harmlessly)."""
    from paperqueue.core.sync.run import quick_checks, quick_read

    repo = open_repo(home)
    if repo is None:
        return None
    checked = quick_checks(home)
    if checked is None:
        return None
    repo.tidy()
    repo.commit_own()
    sent = repo.unpushed_lines()
    try:
        repo.fetch()
        repo.merge()
        summary = quick_read(home, *checked, now)
        if summary is None:
            return None
        repo.commit_own()
        if not repo.push():
            return None  # the remote moved on meanwhile: the full sync merges and tries again
    except Offline as offline:
        _contact(home, repo.remote, None, str(offline))
        raise
    _contact(home, repo.remote, now, None)
    return GitSummary(replace(summary, sent=sent), repo.remote.url, 1)


def _add(a, b):  # noqa: ANN001, ANN202 - run.Summary
    return replace(a, read=a.read + b.read, devices=max(a.devices, b.devices), papers=a.papers + b.papers,
                   pending=b.pending, skipped=a.skipped + b.skipped, landed=a.landed + b.landed,
                   merged=a.merged + b.merged, batches=a.batches + b.batches, papers_sent=a.papers_sent + b.papers_sent,
                   rekeyed=a.rekeyed + b.rekeyed)


def _contact(home: Path, remote: Remote, reached_at: str | None, failed: str | None) -> None:
    remote.failed = failed
    if reached_at is not None:
        remote.reached_at = reached_at
    try:
        save_remote(home, remote)
    except OSError:
        pass  # only what status shows


def status_lines(home: Path) -> list[str]:
    """What ``sync status`` adds in git mode (the remote is not contacted)."""
    repo = open_repo(home)
    if repo is None:
        return []
    remote = repo.remote
    if remote.failed:
        contact = f"the last sync could not reach it: {remote.failed}"
    elif remote.reached_at:
        contact = f"last reached by a sync at {remote.reached_at}"
    else:
        contact = "never reached by a sync yet"
    lines = [f"remote: {shown_url(remote.url)} (branch {remote.branch}; not contacted by sync status; {contact})"]
    return lines


def unpushed(home: Path) -> int:
    repo = open_repo(home)
    if repo is None or not (repo.tree / ".git").is_dir():
        return 0
    try:
        return repo.unpushed_lines()
    except (OSError, SyncError):
        return 0


def prepare(home: Path, url: str, *, auto: bool) -> Remote:
    """``sync init git``'s first step, before the store changes: refuse a
    store already set up, then clone (nothing is set up when that fails)."""
    if load_settings(home) is not None:
        raise SyncError("this queue is already set up for sync (see paperqueue sync status)")
    remote = clone(home, url)
    if auto:
        remote.auto = True
        save_remote(home, remote)
    return remote


def init_git(store, history, remote: Remote):  # noqa: ANN001, ANN201 - Store, History -> folder.Settings
    """The store set up for sync with the cloned tree as its folder (``sync.json`` last)."""
    from paperqueue.core.sync.run import init_folder

    return init_folder(store, history, store.home / TREE)
