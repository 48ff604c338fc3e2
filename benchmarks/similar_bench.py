"""Benchmark of the "more like this" index (paperqueue.core.similar).

    .venv/bin/python benchmarks/similar_bench.py [--sizes 1000,10000,100000]

For each size, two fresh child processes (so each peak RSS is its own):
``build`` streams synth.papers(count) into SimilarityIndex.build (time spent
generating the synthetic text is subtracted) and saves it; ``query`` loads
the saved file and times similar_to on 20 random papers (median / worst),
on the paper whose terms have the longest postings (the corpus' worst
case), and similar_to_many with 50 random seeds (5 seed sets, median /
worst). Prints one Markdown table. ``run(sizes)`` returns the rows as dicts
for the main benchmark. Timings are wall-clock: other processes sharing the
CPU inflate them.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import synth  # noqa: E402

from paperqueue.core.similar import SimilarityIndex  # noqa: E402

SEED = 1
clock = time.perf_counter


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_build(count: int, path: Path) -> dict:
    spent = {"gen": 0.0, "text": 0}

    def docs() -> Iterator[tuple[int, str, str]]:
        source = iter(synth.papers(count, SEED))
        number = 0
        while True:
            start = clock()
            try:
                title, abstract = next(source)
            except StopIteration:
                spent["gen"] += clock() - start
                return
            spent["gen"] += clock() - start
            spent["text"] += len(title.encode()) + len(abstract.encode())
            number += 1
            yield number, title, abstract

    calls = []
    start = clock()
    index = SimilarityIndex.build(docs(), generation=1, progress=calls.append)
    build = clock() - start - spent["gen"]
    start = clock()
    index.save(path)
    save = clock() - start
    return {"papers": count, "build_s": build, "save_s": save, "file_bytes": path.stat().st_size,
            "text_bytes": spent["text"], "terms": len(index.vocab), "build_rss_mb": _peak_rss_mb(),
            "progress_calls": len(calls)}


def _child_query(count: int, path: Path) -> dict:
    start = clock()
    index = SimilarityIndex.load(path)
    load = clock() - start
    assert index is not None, "the saved index did not load"
    rss = _peak_rss_mb()
    rng = random.Random(SEED)
    ids = list(index.ids)
    single = []
    for paper_id in rng.sample(ids, min(20, len(ids))):
        start = clock()
        found = index.similar_to(paper_id)
        single.append(clock() - start)
        assert found[0].paper_id == paper_id
    # The paper whose query touches the most postings.
    cost = [0] * len(index.vocab)
    for term in range(len(index.vocab)):
        cost[term] = index.post_off[term + 1] - index.post_off[term]
    worst_row = max(range(len(ids)), key=lambda r: sum(cost[t] for t in index.fwd_terms[index.fwd_off[r]:index.fwd_off[r + 1]]))
    start = clock()
    index.similar_to(ids[worst_row])
    worst = clock() - start
    many = []
    for _ in range(5):
        seeds = rng.sample(ids, min(50, len(ids)))
        start = clock()
        index.similar_to_many(seeds)
        many.append(clock() - start)
    return {"load_s": load, "loaded_rss_mb": rss, "similar_med_s": statistics.median(single),
            "similar_max_s": max(single), "similar_worst_paper_s": worst,
            "many_med_s": statistics.median(many), "many_max_s": max(many)}


def _spawn(mode: str, count: int, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(count), str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run(sizes: Iterable[int] = (1000, 10_000, 100_000)) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="pq-similar-") as folder:
        for count in sizes:
            path = Path(folder) / f"similar-{count}.bin"
            row = _spawn("build", count, path)
            row.update(_spawn("query", count, path))
            rows.append(row)
            print(f"  {count:,} papers done", file=sys.stderr)
    return rows


def table(rows: list[dict]) -> str:
    ms = 1000.0
    lines = [
        "| papers | build (s) | save (s) | file (MB) | file / text | build peak RSS (MB) | load (s) "
        "| RSS after load (MB) | similar_to median / worst of 20 (ms) | worst-case paper (ms) "
        "| similar_to_many, 50 seeds, median / worst of 5 (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['papers']:,} | {r['build_s']:.1f} | {r['save_s']:.2f} | {r['file_bytes'] / 1e6:.1f} "
            f"| {r['file_bytes'] / max(1, r['text_bytes']):.2f} | {r['build_rss_mb']:.0f} | {r['load_s']:.3f} "
            f"| {r['loaded_rss_mb']:.0f} | {r['similar_med_s'] * ms:.1f} / {r['similar_max_s'] * ms:.1f} "
            f"| {r['similar_worst_paper_s'] * ms:.1f} | {r['many_med_s'] * ms:.1f} / {r['many_max_s'] * ms:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "COUNT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, count, path = args.child
        work = _child_build if mode == "build" else _child_query
        print(json.dumps(work(int(count), Path(path))))
        return
    print(table(run(int(s) for s in args.sizes.split(","))))


if __name__ == "__main__":
    main()
