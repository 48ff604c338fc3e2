"""``paperqueue sync`` through git killed at random moments (SIGKILL; 25
times here, ``PQ_KILLS`` times when set): both stores stay openable and no
change is lost: every change the killed run reported saved (and so every
one it reported synced) is on both devices after the next syncs.

Half the kills take the whole process group (paperqueue and the git it was
running: stale locks, a half-done merge or checkout), half only paperqueue
(its git runs on, orphaned, while the next sync starts)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from test_sync_folder import KEY, listing, run  # noqa: F401 - fixtures
from test_sync_git import bare_repo, no_git_identity, served, setup_pair, sync  # noqa: F401 - fixtures

KILLS = int(os.environ.get("PQ_KILLS", "25"))  # per remote: 50 in all, as the issue asks
CHILD = """
import sys
from dataclasses import replace
from paperqueue.core.history import History, repair
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer
from paperqueue.cli import main
tag = sys.argv[1]
store = Store.open()
history = History(store.home)
repair(store, history)
store.load_rest()
writer = Writer(store, history)
before = store.state(%r)
after = replace(before, tags=(*before.tags, tag))
writer.record("Tagged", [[%r, before.to_record(), after.to_record()]])
store.set_state(%r, after)
writer.save()
store.close()
print("saved", flush=True)
code = main(["sync"])
print("reported synced" if code == 0 else f"exit {code}", flush=True)
""" % (KEY, KEY, KEY)


@pytest.mark.parametrize("where", ["daemon", "disk"])
def test_syncs_killed_at_random_moments_lose_no_change(run, tmp_path, where, request):
    url = request.getfixturevalue("served") if where == "daemon" else str(bare_repo(tmp_path / "remote.git"))
    a, b = setup_pair(run, tmp_path, url)
    sync(run, a)
    sync(run, b)
    rng = random.Random(13)
    saved: set[str] = set()
    # How long a sync takes here (not asserted): kills are spread over it.
    child = subprocess.Popen([sys.executable, "-c", CHILD, "t-uncut"], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PAPERQUEUE_HOME": str(a)})
    assert child.stdout.readline().strip() == "saved"
    started = time.monotonic()
    assert child.stdout.readline().startswith("synced: sent 1 change,")
    span = time.monotonic() - started
    child.wait(timeout=60)
    saved.add("t-uncut")
    finished = 0
    left = {"locks": 0, "merge": 0}  # what the kills left behind (printed, for the record)
    for attempt in range(KILLS):
        home, other = (a, b) if attempt % 2 == 0 else (b, a)
        tag = f"t{attempt}"
        child = subprocess.Popen([sys.executable, "-c", CHILD, tag], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, start_new_session=True, env={**os.environ, "PAPERQUEUE_HOME": str(home)})
        if rng.random() < 0.9:  # most kills land in the sync itself (spread over its span)
            assert child.stdout.readline().strip() == "saved", child.stderr.read()
            saved.add(tag)
            time.sleep(rng.uniform(0.0, span))
        else:
            time.sleep(rng.uniform(0.0, 0.6))
        if attempt % 4 < 2:
            os.killpg(child.pid, signal.SIGKILL)  # paperqueue and its git
        else:
            child.send_signal(signal.SIGKILL)  # paperqueue only: its git runs on
        out, err = child.communicate(timeout=120)
        assert "Traceback" not in err, err
        if "saved" in out:
            saved.add(tag)
        finished += "reported synced" in out
        if "exit" in out:
            raise AssertionError(f"kill {attempt}: the sync failed before it was killed: {out} {err}")
        dot = home / "sync-git" / ".git"
        left["locks"] += any(p for p in dot.rglob("*.lock") if p.relative_to(dot).parts[0] != "objects")
        left["merge"] += (dot / "MERGE_HEAD").exists()
        # Both open, and the next syncs (killed side, other, killed side) carry everything over.
        for side in (home, other, home):
            code, sync_out, sync_err = run(side, "sync")
            assert code == 0, f"kill {attempt}: {sync_err}"
        tags_here, tags_there = (set(listing(run, side)[KEY]["tags"]) for side in (home, other))
        assert tags_here == tags_there, f"kill {attempt}"
        assert saved <= tags_here, f"kill {attempt}: lost {saved - tags_here}"
    assert saved, "no run got as far as saving between kills"
    print(f"sync span {span:.2f} s; {KILLS} kills, {len(saved)} saved, {finished} finished their sync; left: {left}")
