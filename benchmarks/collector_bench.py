"""A pause of the garbage collector (``collector.paused``) with a loaded
queue frozen: it must not grow with the queue. Prints one Markdown table.

    .venv/bin/python benchmarks/collector_bench.py [--papers 100000]

The app freezes its loaded queue (``collector.freeze``) and then pauses
the collector around every sync chunk and ranking. A pause once asked
``gc.get_freeze_count()`` at its end, which walks every frozen object:
the last row shows what that costs at this size, for comparison.
Target: a pause with the whole queue frozen within 1.3x of one with a
tenth of it frozen (measured in the same process, one after the other).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from paperqueue.core import collector  # noqa: E402

REPEATS = 2_000


def pause_us() -> float:
    """Median microseconds of one ``with collector.paused(): pass``."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        with collector.paused():
            pass
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


class _Paper:
    def __init__(self, i: int) -> None:
        self.key = f"arxiv:{i:07d}"
        self.title = f"Title {i}"
        self.authors = [f"A {i}", f"B {i}"]
        self.links = [f"https://arxiv.org/abs/{i}"]
        self.state = {"starred": False, "tags": [f"t{i % 50}"]}


def queue_like(papers: int, start: int = 0) -> list[_Paper]:
    """Objects the collector tracks, a few a paper, as a loaded store holds."""
    return [_Paper(i) for i in range(start, start + papers)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    args = parser.parse_args()
    tenth = args.papers // 10
    empty = pause_us()
    kept = queue_like(tenth)
    collector.freeze()
    small_frozen, small = gc.get_freeze_count(), pause_us()
    kept += queue_like(args.papers - tenth, start=tenth)
    collector.freeze()
    frozen, whole = gc.get_freeze_count(), pause_us()
    start = time.perf_counter()
    for _ in range(20):
        gc.get_freeze_count()
    walk = (time.perf_counter() - start) / 20 * 1e6
    ratio = whole / small
    print(f"| Collector pause (`collector.paused`) | µs, median of {REPEATS:,} | Target | Result |")
    print("|---|---:|---|---|")
    print(f"| Nothing frozen | {empty:.2f} |  |  |")
    print(f"| {tenth:,} papers frozen ({small_frozen:,} objects) | {small:.2f} |  |  |")
    print(f"| {args.papers:,} papers frozen ({frozen:,} objects) | {whole:.2f} | ≤ 1.3× the tenth | "
          f"{'met' if ratio <= 1.3 else '**missed**'} ({ratio:.2f}×) |")
    print(f"| For comparison: one `gc.get_freeze_count()` at {args.papers:,} papers (the old check) | {walk:,.0f} |  |  |")
    del kept
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
