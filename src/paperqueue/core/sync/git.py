"""Sync through git (issue 13, git mode): the working tree is the sync folder.

``paperqueue sync init git URL`` clones URL (an empty remote clones to an
empty tree on branch ``main``) into ``<home>/sync-git/`` and sets the store
up for folder sync with that tree as its folder (:mod:`.own_files`,
:mod:`.reading`, :mod:`.run`): each device appends only to
``<device>/*.jsonl``, so a merge never touches a file two devices write. ``<home>/sync-git.json`` (device
local, beside ``sync.json``) holds the URL, the branch, ``--auto`` and
whether the last sync reached the remote.

A sync (:func:`sync_git`), with the store's writer lock held:

1. tidy what a killed sync left: stale ``*.lock`` files (see
   :func:`.git_process.clear_stale_locks` for the rule), an unfinished
   merge (aborted), other devices' files half checked out (put back as
   ``HEAD`` has them: only git writes them, and the merge brings them
   again);
2. write this device's own changes to its folder (as folder mode does),
   ``git add`` that folder only and commit as ``paperqueue``
   (``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` are set: no ``user.name`` needed);
3. fetch and merge (``--allow-unrelated-histories``: two devices may both
   have started on an empty remote); a conflict cannot happen (one writer
   per file, appended only): if it does, the merge is aborted and the sync
   stops, saying which files;
4. read every device's new lines and apply them (folder mode's reader);
5. push; a push refused because the remote moved on goes back to 3, at
   most :data:`ATTEMPTS` times. So does one refused because the remote's
   branch is locked: on a remote on this machine's disks with no git
   running in it, the lock was left by a killed push and is removed first
   (:func:`.git_process.clear_remote_lock`); over the network it may be a
   push in progress elsewhere, and the sync names it if every try meets it.

Offline (fetch or push cannot reach the remote) the sync stops after step
2 with :class:`Offline` (one line, exit 1): the commit waits in the tree
and the next sync pushes it. How git is run, and the commands of each
step (:class:`~.git_process.Repo`), are in :mod:`.git_process`; this module
holds ``sync-git.json``, the clone, the steps' order and ``sync status``'s
lines.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import orjson

from paperqueue.core.atomic import atomic_write_bytes, read_json
from paperqueue.core.sync.git_process import Offline, Repo, check, has_scheme, reason_of, run_git, shown_url
from paperqueue.core.sync.settings import SyncError, load_settings

TREE = "sync-git"
SETTINGS = "sync-git.json"
ATTEMPTS = 5


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


# -- setting up ----------------------------------------------------------------------------


def clone(home: Path, url: str) -> Remote:
    """Clone ``url`` into ``<home>/sync-git`` (a clone of an empty remote is
    an empty tree whose branch is ``main``) and keep ``sync-git.json``."""
    if not has_scheme(url) and (
            Path(url).expanduser().exists() or ":" not in url.split("/", 1)[0]):
        url = str(Path(url).expanduser().absolute())  # a path (git runs in the tree): made absolute
    tree, scratch = home / TREE, home / f".{TREE}.new"
    for leftover in (tree, scratch):
        if leftover.exists():
            shutil.rmtree(leftover)  # a set-up that did not finish (sync.json is written last)
    done = run_git(home, "clone", "--quiet", "--origin", "origin", "--", url, str(scratch))
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        raise Offline(f"could not reach {shown_url(url)} ({reason_of(done)}); nothing was set up")
    branch = run_git(scratch, "symbolic-ref", "--short", "HEAD").stdout.strip()
    if run_git(scratch, "rev-parse", "--quiet", "--verify", "HEAD").returncode != 0:
        branch = "main"  # an empty remote: every device starts the same branch
        check(run_git(scratch, "symbolic-ref", "HEAD", "refs/heads/main"))
    if not _branch_ok(branch):
        shutil.rmtree(scratch, ignore_errors=True)
        raise SyncError(f"the remote's branch {branch!r} is not one paperqueue can use")
    os.replace(scratch, tree)
    remote = Remote(url, branch)
    save_remote(home, remote)
    return remote


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
            if repo.locked:
                raise SyncError(f"the remote's branch stayed locked ({repo.locked} exists there), by a push in "
                                "progress or one that was cut off; if no one is pushing, remove that file on the "
                                "remote and run paperqueue sync again")
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


def init_git(store, history, remote: Remote):  # noqa: ANN001, ANN201 - Store, History -> settings.Settings
    """The store set up for sync with the cloned tree as its folder (``sync.json`` last)."""
    from paperqueue.core.sync.run import init_folder

    return init_folder(store, history, store.home / TREE)
