"""Kill a process that is writing stars, at random moments: the store always
opens, nothing is corrupt, and every star reported as saved is there."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.store import Store

WRITER = r"""
import random, sys
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store

store = Store.open()
keys = sorted(store.papers)
rng = random.Random(int(sys.argv[1]))
counter = int(sys.argv[1]) * 1_000_000
print("ready", flush=True)
while True:
    key = rng.choice(keys)
    counter += 1
    # A star stamped with an ever-growing counter: the disk may hold a newer
    # write that was killed before it was reported, never an older one.
    store.set_state(key, PaperState(starred=True, starred_at=str(counter)))
    store.flush()
    print(f"{key} {counter}", flush=True)
"""

KILLS = int(os.environ.get("PQ_KILLS", "100"))  # `make torture` runs more
PAPERS = 10_000


def test_sigkill_never_corrupts_and_never_loses_a_saved_star(pq_home: Path) -> None:
    store = Store.open(pq_home)
    store.add_papers(
        [ParsedPaper(f"Paper number {i} about things", "An abstract. " * 40, None, ()) for i in range(PAPERS)],
        source="synthetic",
    )
    store.close()
    rng = random.Random(7)
    saved: dict[str, int] = {}
    for attempt in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(attempt)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PAPERQUEUE_HOME": str(pq_home)},
        )
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0.0, 0.08))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        for line in out.splitlines():
            key, counter = line.split()
            saved[key] = int(counter)
        reopened = Store.open(pq_home)
        try:
            assert reopened.warnings == [], reopened.warnings
            assert len(reopened.papers) == PAPERS
            for key, counter in saved.items():
                state = reopened.state(key)
                assert state.starred and int(state.starred_at) >= counter, f"kill {attempt}: lost {key}"
        finally:
            reopened.close()
    assert len(saved) > KILLS, "the writer made progress between kills"
    assert not [p for p in pq_home.iterdir() if p.name.endswith(".corrupt")]
