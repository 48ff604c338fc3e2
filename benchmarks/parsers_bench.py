"""Parser timings: microseconds per line or entry for each import format.

    .venv/bin/python benchmarks/parsers_bench.py [--lines 100000] [--repeats 3]

Timings only (no pass/fail): the tests check that every parser is linear
(tests/importers/test_import_performance.py); this shows how fast.  The id
list is timed twice, recognising the lines alone and building the records
too, since the records cost more than the parsing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from paperqueue.core.importers.arxiv_feed import parse_atom  # noqa: E402
from paperqueue.core.importers.rss_feed import parse_rss  # noqa: E402
from paperqueue.core.importers.hf_json import parse_hf  # noqa: E402
from paperqueue.core.importers.id_list import parse_id_line, parse_ids  # noqa: E402


def _ids(n: int) -> str:
    return "".join(f"{2301 + i % 12:04d}.{i % 100000:05d}\n" for i in range(n))


def _urls(n: int) -> str:
    return "".join(f"https://arxiv.org/abs/{2301 + i % 12:04d}.{i % 100000:05d}v2\n" for i in range(n))


def _atom(n: int) -> str:
    entry = (
        "<entry><id>http://arxiv.org/abs/{id}v1</id><title>On R\\'enyi entropies of {i}</title>"
        "<summary>We follow Sch\\\"utze; $O(n^2)$ time; code at https://github.com/a/b\\_{i}.</summary>"
        "<author><name>Goran Glava\\v{{s}}</name></author><author><name>Ana Silva</name></author></entry>"
    )
    body = "".join(entry.format(id=f"2403.{i % 100000:05d}", i=i) for i in range(n))
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>'


def _rss(n: int) -> str:
    item = (
        "<item><title>Title {i}</title><link>https://arxiv.org/abs/{id}</link>"
        "<description>arXiv:{id}v1 Announce Type: new \nAbstract: A plain abstract of some length, "
        "with a link https://github.com/a/b{i} and nothing else.</description>"
        "<dc:creator>Ada Lovelace, Alan Turing and Grace Hopper</dc:creator></item>"
    )
    body = "".join(item.format(id=f"2403.{i % 100000:05d}", i=i) for i in range(n))
    return f'<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>{body}</channel></rss>'


def _hf(n: int) -> str:
    row = {"paper": {"id": "", "title": "A Title", "summary": "An abstract. " * 40,
                     "authors": [{"name": "Alice Smith"}] * 5, "upvotes": 3}, "numComments": 1}
    rows = []
    for i in range(n):
        rows.append({**row, "paper": {**row["paper"], "id": f"2403.{i % 100000:05d}"}})
    return json.dumps(rows)


def _best(call, text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call(text)
        best = min(best, time.perf_counter() - start)
    return best


def _recognise(text: str) -> None:
    for line in text.split("\n"):
        parse_id_line(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n, feed_n = args.lines, max(1, args.lines // 20)
    rows = [
        ("id list, bare ids: recognise lines", _recognise, _ids(n), n),
        ("id list, bare ids: parse_ids", parse_ids, _ids(n), n),
        ("id list, abs URLs: parse_ids", parse_ids, _urls(n), n),
        ("id list, 1-digit junk lines", parse_ids, "1\n" * n, n),
        ("Atom entries with TeX", parse_atom, _atom(feed_n), feed_n),
        ("RSS items", parse_rss, _rss(feed_n), feed_n),
        ("HF daily-papers rows", parse_hf, _hf(feed_n), feed_n),
    ]
    print("| input | count | total (s) | per item (µs) |")
    print("|---|---:|---:|---:|")
    for label, call, text, count in rows:
        seconds = _best(call, text, args.repeats)
        print(f"| {label} | {count:,} | {seconds:.3f} | {seconds / count * 1e6:.2f} |")


if __name__ == "__main__":
    main()
