"""Peak memory of ``paperqueue import`` on large BibTeX or JSON files, and where it goes.

    .venv/bin/python benchmarks/import_memory.py [--entries 100000 1000000] [--sizes]
        [--trace] [--keep DIR] [--no-search] [--format bibtex|json]

For each size: writes a .bib of realistic entries (title, 1-6 authors,
journal or booktitle, year, a DOI on most, an abstract of about 100 words),
or with ``--format json`` a paperqueue JSON export of the same papers (as
``export --format json`` writes it, with stars, tags and notes on some),
in a temporary folder and imports it into an empty PAPERQUEUE_HOME twice:

- ``paperqueue import FILE`` itself, as a person runs it: its wall time and
  peak RSS (``ru_maxrss`` from ``wait4`` in a small go-between, so nothing
  inherited from this process counts): the number the 600 MB target is for;
- an instrumented child doing the same import: its peak while reading, its
  RSS when the commit starts and after it; with ``--sizes`` the deep sizes
  of what the merge holds when the commit starts (measuring them allocates,
  so that child's own peak is then no measure of the import).

``--trace`` runs the child again under tracemalloc and prints the lines
that hold the most memory at that moment (slow: about three times the
plain run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import papers  # noqa: E402

TARGET_MB = 600
_VENUES = [
    ("article", "journal", "Journal of Machine Learning Research"),
    ("article", "journal", "Transactions on Pattern Analysis and Machine Intelligence"),
    ("inproceedings", "booktitle", "Advances in Neural Information Processing Systems"),
    ("article", "journal", "Physical Review Letters"),
]
_NAMES = ["Smith", "Wang", "Kumar", "Nguyen", "M{\\\"u}ller", "Garc{\\'\\i}a", "Kim", "Rossi", "Okafor", "Ivanov"]
_GIVEN = ["Anna", "Wei", "J.", "Maria", "Ravi", "Thi", "Lars", "Yuki"]


def write_bib(path: Path, count: int, seed: int = 7) -> Path:
    """``count`` entries with abstracts of about 100 words."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for number, (title, abstract) in enumerate(papers(count, seed)):
            kind, field, venue = _VENUES[number % len(_VENUES)]
            authors = " and ".join(f"{rng.choice(_NAMES)}, {rng.choice(_GIVEN)}" for _ in range(rng.randint(1, 6)))
            words = abstract.split(" ")[: rng.randint(80, 120)]
            doi = f"  doi = {{10.{1000 + number % 9000}/mem.{number:07d}}},\n" if number % 5 else ""
            handle.write(
                f"@{kind}{{mem{number:07d},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
                f"  {field} = {{{venue}}},\n  year = {{{1990 + number % 35}}},\n{doi}"
                f"  abstract = {{{' '.join(words)}}}\n}}\n\n"
            )
    return path


def write_json(path: Path, count: int, seed: int = 7) -> Path:
    """A paperqueue JSON export of the papers :func:`write_bib` writes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for number, (title, abstract) in enumerate(papers(count, seed)):
            kind, _field, venue = _VENUES[number % len(_VENUES)]
            authors = [f"{rng.choice(_GIVEN)} {rng.choice(_NAMES)}" for _ in range(rng.randint(1, 6))]
            doi = f"10.{1000 + number % 9000}/mem.{number:07d}" if number % 5 else None
            row = {
                "key": f"doi:{doi}" if doi else f"title:mem{number:07d}", "arxiv_id": None, "doi": doi,
                "title": title, "abstract": " ".join(abstract.split(" ")[: rng.randint(80, 120)]),
                "authors": authors, "published": str(1990 + number % 35), "updated": None, "categories": [],
                "upvotes": None, "comments": None, "pdf_url": None, "links": [],
                "primary_link": f"https://doi.org/{doi}" if doi else None,
                "starred": number % 4 == 0, "read": number % 3 == 0, "added_at": "2024-01-01T00:00:00Z",
                "starred_at": "2024-01-02T00:00:00Z" if number % 4 == 0 else None, "read_at": None,
                "batches": ["big"], "tags": ["t1"] if number % 2 else [], "note": "a note" if number % 10 == 0 else "",
                "entry_type": kind, "venue": venue,
            }
            handle.write(("," if number else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        handle.write("\n]\n")
    return path


# The child: imports FILE as `paperqueue import` does, and when reading has
# ended (the commit starts) prints one JSON line about what is held.
_CHILD = r"""
import json, os, sys, tracemalloc
from pathlib import Path
trace = sys.argv[2] == "trace"
search = sys.argv[3] == "search"
sizes = sys.argv[4] == "sizes"
if trace:
    tracemalloc.start(1)
from paperqueue.core.store import commit as commit_module
from paperqueue.core.store import Store
from paperqueue.core import importing
from paperqueue.core.importing import import_file
if not search:  # no search index written: what the store side alone needs
    class _NoIndex:  # a search index that is never current: the import drops the texts
        def __init__(self, path):
            pass

        def generation(self):
            return None

        def discard(self):
            pass

        def close(self):
            pass

    importing.SearchIndex = _NoIndex

def status_mb(field):
    # From /proc/self/status: this process's own memory (VmHWM: its peak
    # RSS since exec, not inherited from the parent like ru_maxrss).
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024

def deep(obj, seen):
    total, stack = 0, [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)
        if isinstance(o, dict):
            stack.extend(o.keys()); stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
        elif hasattr(o, "__dict__") and not isinstance(o, type):
            stack.append(vars(o))
        elif hasattr(o, "__slots__"):
            stack.extend(getattr(o, s) for s in o.__slots__ if hasattr(o, s))
    return total

def top(label):
    snap = tracemalloc.take_snapshot()
    report[label] = [(str(s.traceback[0]), round(s.size / 2**20, 1), s.count) for s in snap.statistics("lineno")[:12]]

report = {}
original, original_write_all = commit_module.commit, commit_module._write_all
writes = []
def write_all(jobs, *args, **kwargs):
    writes.append(len(jobs))
    if trace and len(writes) == 2:  # the index shards: records built, abstracts written
        top("top_in_commit")
    return original_write_all(jobs, *args, **kwargs)
def commit(store, merge, *args, **kwargs):
    report["peak_mb_reading"] = status_mb("VmHWM")
    report["rss_mb_at_commit"] = status_mb("VmRSS")
    if trace:  # (before measuring sizes: the measuring allocates)
        report["traced_mb_at_commit"] = tracemalloc.get_traced_memory()[0] / 2**20
        top("top_at_commit")
    if sizes:
        seen = {id(store)}  # (the chunks point at the store)
        for name in ("details", "new", "chunks", "_new_titles", "_new_dois", "_new_arxiv"):
            report[f"merge.{name}_mb"] = deep(getattr(merge, name), seen) / 2**20
        del seen
    return original(store, merge, *args, **kwargs)
commit_module.commit, commit_module._write_all = commit, write_all
store = Store.open()
try:
    # As `paperqueue import` does: the new papers are not read back into memory.
    result = import_file(store, Path(sys.argv[1]), refresh=False)
    report["rss_mb_after_commit"] = status_mb("VmRSS")
    if sizes:
        report["store.papers_mb"] = deep(store.papers, set()) / 2**20
finally:
    store.close()
report["peak_mb"] = status_mb("VmHWM")
if trace:
    report["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
report["summary"] = result.summary()
print(json.dumps(report))
"""


# Runs `paperqueue import FILE` and reports its peak RSS: measured by this
# small go-between (os.wait4), which is small itself, so the high-water mark
# a child inherits through fork/exec is not this benchmark's.
_MEASURE = r"""
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
_pid, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as handle:
    json.dump({"code": os.waitstatus_to_exitcode(status), "peak_kb": usage.ru_maxrss}, handle)
"""


def run_cli(path: Path, home: Path) -> tuple[float, float]:
    """(peak MB, wall seconds) of `paperqueue import FILE` into ``home``."""
    env = {**os.environ, "PAPERQUEUE_HOME": str(home)}
    report = home.parent / f"{home.name}.measure.json"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _MEASURE, str(report), sys.executable, "-m", "paperqueue", "import", str(path)],
                   env=env, check=True)
    wall = time.perf_counter() - start
    measured = json.loads(report.read_text())
    if measured["code"] != 0:
        raise SystemExit(f"paperqueue import failed ({measured['code']})")
    return measured["peak_kb"] / 1024, wall


def run_child(path: Path, home: Path, trace: bool, search: bool = True, sizes: bool = False) -> tuple[dict, float]:
    """(the child's report, wall seconds)."""
    env = {**os.environ, "PAPERQUEUE_HOME": str(home)}
    out = home.parent / "child.out"
    start = time.perf_counter()
    with out.open("wb") as handle:
        code = subprocess.call([sys.executable, "-c", _CHILD, str(path), "trace" if trace else "plain",
                                "search" if search else "nosearch", "sizes" if sizes else "nosizes"],
                               stdout=handle, env=env)
    wall = time.perf_counter() - start
    text = out.read_text()
    if code != 0 or not text.strip():
        raise SystemExit(f"the import child failed ({code}): {text[-2000:]}")
    return json.loads(text.splitlines()[-1]), wall


_PARTS = ["merge.details", "merge.new", "merge.chunks", "merge._new_titles", "merge._new_dois", "store.papers"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--trace", action="store_true", help="also run under tracemalloc: the lines holding most")
    parser.add_argument("--keep", type=Path, help="write the .bib files here and keep them")
    parser.add_argument("--no-search", action="store_true", help="also import without the search index (its share)")
    parser.add_argument("--sizes", action="store_true", help="deep sizes of what the merge holds (allocates)")
    parser.add_argument("--format", choices=("bibtex", "json"), default="bibtex", help="the kind of file imported")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        base = args.keep or Path(folder)
        base.mkdir(parents=True, exist_ok=True)
        for count in args.entries:
            bib = base / (f"mem{count}.bib" if args.format == "bibtex" else f"mem{count}.json")
            if not bib.exists():
                (write_bib if args.format == "bibtex" else write_json)(bib, count)
            cli_peak, cli_wall = run_cli(bib, Path(folder) / f"cli{count}")
            print(f"{count:>9,} entries: paperqueue import peaks at {cli_peak:,.0f} MB, {cli_wall:,.1f} s", flush=True)
            report, wall = run_child(bib, Path(folder) / f"home{count}", trace=False, sizes=args.sizes)
            rows.append((f"{count:,}", bib.stat().st_size / 2**20, cli_wall, cli_peak, report))
            print(f"{count:>9,} entries: instrumented child {wall:,.1f} s; {report['summary']}", flush=True)
            if args.no_search:
                report, wall = run_child(bib, Path(folder) / f"plain{count}", trace=False, search=False, sizes=args.sizes)
                rows.append((f"{count:,}*", bib.stat().st_size / 2**20, wall, report["peak_mb"], report))
            if args.trace:
                traced, _wall = run_child(bib, Path(folder) / f"trace{count}", trace=True)
                print(f"  tracemalloc: {traced['traced_mb_at_commit']:,.0f} MB held when the commit starts, "
                      f"{traced['traced_peak_mb']:,.0f} MB at the peak")
                for label, title in (("top_at_commit", "when the commit starts"), ("top_in_commit", "when index shards are written")):
                    print(f"  lines holding most {title}:")
                    for where, size, blocks in traced.get(label, []):
                        print(f"    {size:>8,.1f} MB {blocks:>10,} blocks  {where}")
    print()
    parts = _PARTS if args.sizes else []
    print(f"{'entries':>9} {'file MB':>8} {'time s':>7} {'peak MB':>8} {'read MB':>8} {'at commit':>9} {'after':>6}  "
          + " ".join(f"{part:>13}" for part in parts))
    for count, size, wall, peak, report in rows:
        flag = "" if peak < TARGET_MB else f"  over {TARGET_MB}"
        print(f"{count:>9} {size:>8,.0f} {wall:>7,.1f} {peak:>8,.0f} {report['peak_mb_reading']:>8,.0f} "
              f"{report['rss_mb_at_commit']:>9,.0f} {report['rss_mb_after_commit']:>6,.0f}  "
              + " ".join(f"{report[part + '_mb']:>13,.1f}" for part in parts) + flag)
    print("\ntime s, peak MB: `paperqueue import FILE` (its peak RSS); read MB: the instrumented child's peak until")
    print("reading ended; at commit, after: its RSS then and after the commit.")
    if args.sizes:
        print("The last columns: deep sizes (MB) of what the import holds when the commit starts (store.papers:")
        print("after it; objects shared with a column to its left are not counted again).")
    if args.no_search:
        print("entries*: the instrumented import without writing the search index (its own time and peak).")


if __name__ == "__main__":
    main()
