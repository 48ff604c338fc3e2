"""BibTeX parse time per entry on the benchmark's synthetic .bib.

    .venv/bin/python benchmarks/bibtex_bench.py [--entries 20000] [--repeats 3] [--profile]
        [--save FILE | --compare FILE]

Timing only (no pass/fail).  ``--save`` writes the parsed papers (pickled)
and ``--compare`` checks that a later run gives exactly the same papers and
problem lines: a guard for speed work that must not change behaviour.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_bib  # noqa: E402

from paperqueue.core.importers.bibtex import parse_bibtex  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        text = write_bib(Path(folder) / "bench.bib", args.entries).read_text(encoding="utf-8")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(parse_bibtex, text)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        result = parse_bibtex(text)
        best = min(best, time.perf_counter() - start)
    papers, problems = result
    print(f"{args.entries} entries, {len(papers)} papers, {len(problems)} problems: "
          f"best of {args.repeats} {best:.3f} s, {best / args.entries * 1e6:.1f} us per entry")
    if args.save:
        args.save.write_bytes(pickle.dumps(result))
    if args.compare:
        expected = pickle.loads(args.compare.read_bytes())
        same = expected == result
        print("same papers and problems as", args.compare, "->", same)
        if not same:
            for index, (old, new) in enumerate(zip(expected[0], papers)):
                if old != new:
                    print("first difference at paper", index, "\n", old, "\n", new)
                    break
            sys.exit(1)


if __name__ == "__main__":
    main()
