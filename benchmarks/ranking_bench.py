"""Benchmark of the For-you ranking (paperqueue.core.ranking) at scale.

    .venv/bin/python benchmarks/ranking_bench.py [--papers 100000] [--labels 1000]

Builds the "more like this" index of ``--papers`` synthetic papers (synth.py;
that is ``similar.bin``, already kept per import, so it is timed apart), gives
``--labels`` of them a label (30% starred, 70% read without a star), then times
train() (labels, CSR view of the index, the linear SVMs) and Model.rank()
over every unread paper (and its first 50 only), three times each (median and worst), and the peak RSS
of the process.  Targets (issue 12): train < 5 s, rank < 300 ms, RSS < 600 MB.
Timings are wall-clock: other processes sharing the CPU inflate them.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import synth  # noqa: E402

from paperqueue.core.models import Paper, PaperState  # noqa: E402
from paperqueue.core.similar import SimilarityIndex  # noqa: E402

clock = time.perf_counter


@dataclass
class FakeStore:
    papers: dict[str, Paper]
    states: dict[str, PaperState]
    generation: int = 1
    order: list[Paper] = field(default_factory=list)

    def ordered_papers(self) -> list[Paper]:
        return self.order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--labels", type=int, default=1000)
    args = parser.parse_args()
    texts = [(i + 1, title, abstract) for i, (title, abstract) in enumerate(synth.papers(args.papers))]
    start = clock()
    index = SimilarityIndex.build(texts, generation=1)
    build = clock() - start
    papers = [Paper(key=f"p{pid}", title=title, id=pid, batch=1, seq=pid) for pid, title, _ in texts]
    del texts
    rng = random.Random(5)
    labelled = rng.sample(papers, args.labels)
    cut = int(len(labelled) * 0.3)
    states = {p.key: PaperState(starred=True) for p in labelled[:cut]}
    states |= {p.key: PaperState(read=True) for p in labelled[cut:]}
    store = FakeStore({p.key: p for p in papers}, states, order=papers)

    t0 = clock()
    from paperqueue.core.ranking import train  # noqa: F401 - its import is part of the first training
    import sklearn.linear_model  # noqa: F401

    first_import = clock() - t0
    train_times, rank_times, top_times = [], [], []
    for attempt in range(3):
        if attempt:
            index.__dict__.pop("_pq_matrix", None)  # each training pays for the CSR view again
        t = clock()
        model = train(store, index=index)
        train_times.append(clock() - t)
        t = clock()
        ranked = model.rank(store)
        rank_times.append(clock() - t)
        t = clock()
        model.rank(store, limit=50)
        top_times.append(clock() - t)
    assert model.kind == "learned" and len(ranked) == args.papers - args.labels
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"For-you ranking: {args.papers:,} papers, {args.labels:,} labels ({cut} starred)\n")
    print("| step | median | worst | target |")
    print("|---|---|---|---|")
    print(f"| similar.bin build (per import, not per training) | {build:.2f} s | | |")
    print(f"| importing scikit-learn (first training only) | {first_import:.2f} s | | |")
    print(f"| train | {statistics.median(train_times):.3f} s | {max(train_times):.3f} s | < 5 s: "
          f"{'met' if max(train_times) < 5 else 'MISSED'} |")
    print(f"| rank all {len(ranked):,} unread | {statistics.median(rank_times) * 1000:.0f} ms | "
          f"{max(rank_times) * 1000:.0f} ms | < 300 ms: {'met' if max(rank_times) < 0.3 else 'MISSED'} |")
    print(f"| rank, the first 50 only | {statistics.median(top_times) * 1000:.0f} ms | "
          f"{max(top_times) * 1000:.0f} ms | |")
    print(f"| peak RSS (corpus text, index and model) | {rss:.0f} MB | | < 600 MB: {'met' if rss < 600 else 'MISSED'} |")


if __name__ == "__main__":
    main()
