"""Sync at 100k papers (issue 13, "Performance"): prints one Markdown table.

    .venv/bin/python benchmarks/sync_bench.py [--papers 100000] [--store DIR] [--keep] [--runs 3]

1. Applying 100,000 state changes from another device: a folder sync that
   reads one file of 100k changes another device wrote (target < 2 s).
   Run ``--runs`` times (default 3), each on a fresh copy of the store and
   folder as they were before it: the median is what the table shows (this
   shared machine's timings differ by half between hours), with every run
   and the CPU time beside it.
2. A sync with nothing new, right after (target < 200 ms; folder mode, so
   no git time): what it loads is printed (index shards, the fold cache).
3. The synced files after a simulated year of daily triage on a 100k queue
   (stars, reads, tags, notes, removals, undo), before and after
   compaction, against the store's own files (index, abstracts, state):
   target at most 2x.

Each step also shows where its time went (phases timed by wrapping the
functions :func:`paperqueue.core.sync.run.sync_folder` calls). ``--store``
reuses a store already imported from ``synth.write_page`` (it is copied,
never changed).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

clock = time.perf_counter
DAY_MS = 86_400_000
OTHER = "desktop-0b1e55"


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def build_store(work: Path, papers: int) -> Path:
    page = synth.write_page(work / "page.txt", papers, 1)
    home = work / "base"
    env = {**os.environ, "PAPERQUEUE_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "paperqueue", "import", str(page)], env=env, check=True,
                   capture_output=True)
    return home


def init_sync(home: Path, folder: Path) -> None:
    env = {**os.environ, "PAPERQUEUE_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "paperqueue", "sync", "init", "folder", str(folder)], env=env, check=True,
                   capture_output=True)


class Phases:
    """Times the calls sync_folder makes, by wrapping them where it finds
    them (nested ones are in their callers' times too), and the cyclic
    garbage collector's passes meanwhile ("collector", with how many full
    passes)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list = []
        self._full = 0
        self._started = 0.0

        def collecting(phase: str, info: dict) -> None:
            if phase == "start":
                self._started = clock()
                return
            self.seconds["collector"] += clock() - self._started
            self._full += info["generation"] == 2

        self._collecting = collecting
        gc.callbacks.append(collecting)

    def wrap(self, owner, name: str, label: str | None = None) -> None:  # noqa: ANN001
        original = getattr(owner, name)
        seconds = self.seconds

        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label or name] += clock() - start

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()
        if self._collecting in gc.callbacks:
            gc.callbacks.remove(self._collecting)

    def text(self) -> str:
        def name_of(name: str) -> str:
            return f"{name} ({self._full} full)" if name == "collector" else name

        return ", ".join(f"{name_of(name)} {seconds * 1000:.0f} ms" for name, seconds in
                         sorted(self.seconds.items(), key=lambda item: -item[1]) if seconds >= 0.0005)


def timed_sync(home: Path) -> tuple[float, str, object, dict]:
    """One folder sync in this process, as ``paperqueue sync`` runs it
    (minus interpreter start): open, sync, close. Returns seconds, phases,
    the summary, and what was loaded."""
    from paperqueue.core.history import History, repair
    from paperqueue.core.store import Store
    from paperqueue.core.sync import own_files, reading, run
    from paperqueue.core.writer import Writer

    phases = Phases()
    for name in ("read_new", "load_merged", "write_merged", "unexported"):
        phases.wrap(run, name)
    from paperqueue.core.store.store import Store as StoreClass
    phases.wrap(StoreClass, "load_rest", "store.load_rest")
    phases.wrap(Writer, "took", "writer.took")
    phases.wrap(Writer, "save", "writer.save")
    phases.wrap(StoreClass, "write_states", "store.write_states")
    from paperqueue.core.sync.merge import Merged

    phases.wrap(Merged, "apply", "merged.apply")
    phases.wrap(reading, "decode_chunk", "decode")  # read_new and load_merged
    phases.wrap(own_files, "decode_chunk", "decode")  # compact_own
    phases.wrap(run.Positions, "save", "positions.save")
    start = clock()
    store = Store.open(home)
    try:
        history = History(home)
        repair(store, history)
        phases.seconds["open"] += clock() - start
        writer = Writer(store, history)
        summary = run.sync_folder(store, history, writer, store.clock())
        loaded = {"papers in memory": len(store.papers), "index complete": store.complete}
    finally:
        store.close()
        phases.restore()
    return clock() - start, phases.text(), summary, loaded


def timed_nothing_new(home: Path) -> tuple[float, str, object, dict]:
    """A sync as ``paperqueue sync`` runs it when nothing is new: the
    writer lock, then :func:`quick_sync` (no store opened); the full
    :func:`timed_sync` when that says it cannot."""
    from paperqueue.core import lock
    from paperqueue.core.clock import utc_now
    from paperqueue.core.store import layout
    from paperqueue.core.sync.run import quick_sync

    start = clock()
    held = lock.StoreLock(home / layout.LOCK)
    held.acquire()
    try:
        summary = quick_sync(home, utc_now())
    finally:
        held.release()
    if summary is None:
        return timed_sync(home)
    return clock() - start, "quick: store not opened", summary, {"papers in memory": 0}


def other_device_file(home: Path, folder: Path, count: int) -> None:
    """``count`` changes from another device, one per paper (stars, reads,
    tags in turn), stamped a little after now."""
    from paperqueue.core.store import Store
    from paperqueue.core.sync.changes import changes_of, encode
    from paperqueue.core.models import PaperState
    from paperqueue.core.sync.hlc import HLC

    store = Store.open(home)
    try:
        store.load_rest()
        keys = sorted(store.papers)[:count]
    finally:
        store.close()
    wall = [int(time.time() * 1000) + 1000]
    hlc = HLC(OTHER, wall=lambda: wall[0])
    lines = []
    at = "2026-01-02T03:04:05Z"
    for number, key in enumerate(keys):
        kind = number % 3
        after = (PaperState(starred=True, starred_at=at) if kind == 0 else PaperState(read=True, read_at=at)
                 if kind == 1 else PaperState(tags=("later",)))
        lines += [encode(change) for change in changes_of(PaperState(), after, key, hlc)]
        wall[0] += 1
    own = folder / OTHER
    own.mkdir(parents=True, exist_ok=True)
    (own / "000001.jsonl").write_bytes(b"".join(lines))


def year_of_triage(home: Path, folder: Path, device: str, days: int = 365, seed: int = 7) -> int:
    """A year of daily triage as this device's changes, appended day by day
    through the exporter (so compaction runs as it would). Returns how many
    changes were made."""
    from paperqueue.core.models import PaperState
    from paperqueue.core.store import Store
    from paperqueue.core.sync.changes import changes_of, encode, undo_changes
    from paperqueue.core.sync.own_files import append_lines
    from paperqueue.core.sync.settings import load_settings
    from paperqueue.core.sync.hlc import HLC

    compact = getattr(__import__("paperqueue.core.sync.own_files", fromlist=["x"]), "compact_own", None)
    store = Store.open(home)
    try:
        store.load_rest()
        keys = sorted(store.papers)
    finally:
        store.close()
    settings = load_settings(home)
    rng = random.Random(seed)
    wall = [1_700_000_000_000]
    hlc = HLC(device, wall=lambda: wall[0])
    states: dict[str, PaperState] = {}
    tags = [f"topic-{n}" for n in range(30)]
    made = 0
    for day in range(days):
        wall[0] = 1_700_000_000_000 + day * DAY_MS
        at = f"2025-{1 + day // 31 % 12:02d}-{1 + day % 28:02d}T09:00:00Z"
        day_lines: list[bytes] = []
        last_action = None
        for _ in range(rng.randint(40, 120)):  # actions a day
            key = rng.choice(keys)
            before = states.get(key, PaperState())
            roll = rng.random()
            if roll < 0.35:
                after = replace(before, read=not before.read, read_at=at)
            elif roll < 0.55:
                after = replace(before, starred=not before.starred, starred_at=at)
            elif roll < 0.75:
                tag = rng.choice(tags)
                after = replace(before, tags=tuple(t for t in before.tags if t != tag) if tag in before.tags
                                else (*before.tags, tag))
            elif roll < 0.85:
                words = " ".join(rng.choice(("see", "method", "§3", "compare", "baseline", "why", "later", "good"))
                                 for _ in range(rng.randint(5, 30)))
                after = replace(before, note=(before.note + " " + words).strip()[:600])
            elif roll < 0.92:
                after = replace(before, removed=not before.removed)
            elif last_action is not None:  # undo the last action
                key, old, new = last_action
                changes = undo_changes([(key, old, new)], hlc)
                day_lines += [encode(c) for c in changes]
                made += len(changes)
                states[key] = old
                last_action = None
                continue
            else:
                continue
            changes = changes_of(before, after, key, hlc)
            day_lines += [encode(c) for c in changes]
            made += len(changes)
            states[key] = after
            last_action = (key, before, after)
        append_lines(settings.own, day_lines)
        if compact is not None:
            compact(settings, home)
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--store", type=Path, help="a store imported from synth.write_page (copied, never changed)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--runs", type=int, default=3, help="runs of step 1, each on a fresh copy (the median counts)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pq-sync-bench-"))
    os.environ["PAPERQUEUE_HOME"] = str(work / "unused")
    rows = []
    try:
        base = args.store or build_store(work, args.papers)
        home, shared = work / "a", work / "shared"
        shutil.copytree(base, home, ignore=shutil.ignore_patterns("queue.lock", "*.lock"))
        init_sync(home, shared)
        from paperqueue.core.sync.settings import load_settings

        device = load_settings(home).device

        # 0. the first sync sends this device's own papers (context, not the apply target)
        seconds, phases, summary, _loaded = timed_sync(home)
        print(f"first sync: {seconds:.2f} s ({phases}); {summary.line()}")
        rows.append((f"  first sync after init: sends {args.papers:,} own papers", f"{seconds:.2f} s", "(context)",
                     None))

        # 1. 100k changes from another device, on fresh copies of the same start
        other_device_file(home, shared, args.papers)
        before = work / "before-apply"
        for name in ("a", "shared"):  # sync.json names the folder by its path: each run puts both back there
            shutil.copytree(work / name, before / name, ignore=shutil.ignore_patterns("queue.lock"))
        runs = []
        for number in range(max(1, args.runs)):
            if number:
                for name in ("a", "shared"):
                    shutil.rmtree(work / name)
                    shutil.copytree(before / name, work / name)
            os.sync()  # the copy's writes are not this run's
            cpu = time.process_time()
            seconds, phases, summary, _loaded = timed_sync(home)
            cpu = time.process_time() - cpu
            print(f"apply {args.papers} changes, run {number + 1}: {seconds:.2f} s, CPU {cpu:.2f} s ({phases}); "
                  f"{summary.line()}")
            runs.append((seconds, cpu))
        shutil.rmtree(before)
        seconds = statistics.median(run[0] for run in runs)
        each = ", ".join(f"{wall:.2f}" for wall, _cpu in runs)
        cpus = ", ".join(f"{cpu:.2f}" for _wall, cpu in runs)
        rows.append((f"apply {args.papers:,} changes from another device (median of {len(runs)})", f"{seconds:.2f} s",
                     "< 2 s", seconds < 2.0))
        rows.append((f"  ↳ each run (CPU time: {cpus} s)", f"{each} s", "(context)", None))

        # 2. nothing new
        runs = []
        for _ in range(3):
            runs.append(timed_nothing_new(home))
        seconds, phases, summary, loaded = min(runs, key=lambda run: run[0])
        print(f"nothing new: {seconds * 1000:.0f} ms ({phases}); loaded: {loaded}; {summary.line()}")
        rows.append((f"sync with nothing new, {args.papers:,} papers (in process, folder)", f"{seconds * 1000:.0f} ms",
                     "< 200 ms", seconds < 0.2))
        env = {**os.environ, "PAPERQUEUE_HOME": str(home)}
        start = clock()
        subprocess.run([sys.executable, "-m", "paperqueue", "sync"], env=env, check=True, capture_output=True)
        cli = clock() - start
        rows.append(("  ↳ `paperqueue sync`, whole command (interpreter start included)", f"{cli * 1000:.0f} ms",
                     "(context)", None))

        # 3. a year of triage
        home2, shared2 = work / "b", work / "shared2"
        shutil.copytree(base, home2, ignore=shutil.ignore_patterns("queue.lock", "*.lock"))
        init_sync(home2, shared2)
        device2 = load_settings(home2).device
        made = year_of_triage(home2, shared2, device2)
        own = shared2 / device2
        synced = du(own)
        store_files = sum(du(home2 / name) for name in ("index", "abstracts", "state"))
        from paperqueue.core.sync.changes import encode
        from paperqueue.core.sync.decoding import decode_chunk
        from paperqueue.core.sync.merge import Merged

        merged = Merged()
        for path in sorted(own.iterdir()):
            merged.apply(decode_chunk(path.read_bytes())[0])
        kept = sum(len(encode(change)) for change in merged.kept())
        print(f"year: {made} changes; own files {synced} bytes ({len(list(own.iterdir()))} files); "
              f"fully compacted {kept} bytes; store files {store_files} bytes")
        ratio = synced / store_files
        rows.append((f"synced files after a year ({made:,} changes), as compaction left them", f"{synced / 1e6:.1f} MB",
                     "", None))
        rows.append(("  ↳ against the store's own files (index, abstracts, state)",
                     f"{ratio:.2f}x of {store_files / 1e6:.1f} MB", "≤ 2x", ratio <= 2.0))
        rows.append(("  ↳ the year's changes fully compacted", f"{kept / 1e6:.2f} MB", "(context)", None))
        del device
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("| sync at scale | measured | target | met |")
    print("|---|---|---|---|")
    for name, value, target, met in rows:
        print(f"| {name} | {value} | {target} | {'' if met is None else 'met' if met else '**missed**'} |")
    return 0 if all(met is not False for _n, _v, _t, met in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
