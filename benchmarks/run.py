"""paperqueue benchmark: prints one Markdown table (paste it into the README).

    .venv/bin/python benchmarks/run.py [--sizes 1000,10000,100000] [--quick] [--keep]

Everything happens in a fresh temp folder (PAPERQUEUE_HOME points there for
the whole run). Start-up numbers are timed from the parent, from just before
spawning the child to reading its first-frame marker (children.py), so
interpreter start counts. Baselines (a 40-line Textual app, a DataTable, a
single-file TinyDB star, a 1 KB atomic write) run on the same data.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import platform
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

CHILDREN = HERE / "children.py"
SEED = 1
DATATABLE_TIMEOUT = 60.0
clock = time.perf_counter
_SPAWNED = itertools.count(1)


@dataclass
class Reps:
    render: int = 3  # first render, floor, DataTable (each a fresh process)
    session: int = 5  # end jump, j, star through the app
    star: int = 20  # direct set_state + flush, and the 1 KB write
    naive: int = 5  # single-file TinyDB star (capped by NAIVE_BUDGET)


QUICK = Reps(render=2, session=3, star=10, naive=3)
NAIVE_BUDGET = 20.0  # seconds of naive stars per size; at least two are run


@dataclass
class Child:
    seconds: float | None  # to the marker (or to exit without one); None on timeout
    rss_mb: float | None  # peak resident set size
    output: str


def median(values):
    return statistics.median(values) if values else None


# -- processes -----------------------------------------------------------------


def spawn(argv: list[str], env: dict, logs: Path, marker: bytes | None, timeout: float = 600) -> Child:
    """Run ``argv``; time from just before the spawn to ``marker`` on its
    stdout (or to its exit). Peak RSS comes from wait4 of this child alone."""
    logs.mkdir(parents=True, exist_ok=True)
    err_path = logs / f"child-{next(_SPAWNED):03d}.err"
    with err_path.open("wb") as err:
        start = clock()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env, bufsize=0)
        seen, buffer, deadline = None, b"", start + timeout
        fd = proc.stdout.fileno()
        while True:
            left = deadline - clock()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                proc.kill()
                break
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            buffer += chunk
            if marker and seen is None and marker in buffer:
                seen = clock()
        _, status, usage = os.wait4(proc.pid, 0)
        ended = clock()
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
    timed_out = clock() >= deadline
    if proc.returncode != 0 and not timed_out:
        tail = err_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{tail}")
    if timed_out and (marker is None or seen is None):
        return Child(None, None, buffer.decode(errors="replace"))
    elapsed = (seen if marker else ended) - start
    return Child(elapsed, usage.ru_maxrss / 1024, buffer.decode(errors="replace"))


def child(mode: str, *args: object) -> list[str]:
    return [sys.executable, str(CHILDREN), mode, *map(str, args)]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# -- data --------------------------------------------------------------------------


def make_page(work: Path, count: int) -> tuple[Path, Path]:
    """The synthetic page and a file of its titles, one per line (cached per run)."""
    page, titles = work / f"page-{count}.txt", work / f"titles-{count}.txt"
    if not page.exists():
        synth.write_page(page, count, SEED)
        with titles.open("w", encoding="utf-8") as handle:
            handle.writelines(f"{title}\n" for title, _ in synth.papers(count, SEED))
    return page, titles


def make_bib(work: Path, count: int) -> Path:
    """A BibTeX file with the page's titles and abstracts (cached per run)."""
    bib = work / f"papers-{count}.bib"
    if not bib.exists():
        synth.write_bib(bib, count, SEED)
    return bib


def keystrokes(queries: list[str]) -> list[str]:
    """The search box's text after each key of each query."""
    return [query[:i] for query in queries for i in range(1, len(query) + 1)]


def search_queries(keystrokes: int = 20) -> list[str]:
    """Queries typed at every size: a frequent word, a rare word, a frequent
    plus a rare word (20 keystrokes in all). Rare means few words in a sample
    of 2,000 abstracts even start with it, as the last word is a prefix."""
    counts = Counter(w for _, abstract in synth.papers(2000, SEED) for w in re.findall(r"[a-z]+", abstract.lower()))
    words = sorted(counts)

    def as_prefix(word: str) -> int:
        i, total = bisect.bisect_left(words, word), 0
        while i < len(words) and words[i].startswith(word):
            total, i = total + counts[words[i]], i + 1
        return total

    frequent = [w for w, _ in counts.most_common(100)]
    five, two = (next(w for w in frequent if len(w) == n) for n in (5, 2))
    rare = [w for w in words if len(w) == 6 and 2 <= as_prefix(w) <= 8]
    queries = [five, rare[0], f"{two} {rare[len(rare) // 2]}"]
    assert sum(map(len, queries)) == keystrokes, queries
    return queries


# -- measurements ----------------------------------------------------------------------


def bench_import(page: Path, home: Path, env: dict, logs: Path) -> dict:
    script = Path(sys.executable).with_name("paperqueue")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "paperqueue"]
    run = spawn([*argv, "import", str(page)], {**env, "PAPERQUEUE_HOME": str(home)}, logs, marker=None)
    return {"import_s": run.seconds, "import_rss": run.rss_mb,
            "store_mb": folder_bytes(home) / 1e6, "input_mb": page.stat().st_size / 1e6}


def bench_plain_fts(work: Path, count: int, env: dict, logs: Path) -> float:
    """The yardstick for imports (children.py ``plain``): SQLite alone
    indexing the page's titles and abstracts, in a child of its own so that
    neither its memory nor its garbage stays in this process."""
    path = work / f"plain-fts-{count}.sqlite"
    path.unlink(missing_ok=True)
    run = spawn(child("plain", count, path), env, logs, marker=None)
    path.unlink(missing_ok=True)
    return float(run.output.split("RESULT ", 1)[1])


def bench_settle(home: Path, queries: list[str], env: dict, logs: Path) -> dict:
    """Search SQL before and after the index settles, and the settling (children.py ``settle``)."""
    run = spawn(child("settle", home, json.dumps(keystrokes(queries))), env, logs, marker=None)
    return json.loads(run.output.split("RESULT ", 1)[1])


def bench_first_render(home: Path, titles: Path, count: int, env: dict, logs: Path, reps: Reps) -> dict:
    """The app, the floor and the DataTable, interleaved so drifting load hits all three."""
    app, floor, table, rss = [], [], [], []
    table_reps = reps.render if count <= 10_000 else 1
    for rep in range(reps.render):
        run = spawn(child("app", home, count), env, logs, marker=b"FIRST-RENDER")
        app.append(run.seconds)
        rss.append(run.rss_mb)
        floor.append(spawn(child("floor", titles), env, logs, marker=b"FIRST-RENDER").seconds)
        if rep < table_reps:
            timeout = DATATABLE_TIMEOUT if count > 10_000 else 600
            table.append(spawn(child("datatable", titles, count), env, logs, b"FIRST-RENDER", timeout).seconds)
    return {"render": median(app), "floor": median(floor), "render_rss": max(rss),
            "datatable": None if None in table else median(table)}


def bench_session(home: Path, count: int, queries: list[str], env: dict, logs: Path, reps: Reps) -> dict:
    run = spawn(child("session", home, count, reps.session, json.dumps(queries)), env, logs, marker=None)
    data = json.loads(run.output.split("RESULT ", 1)[1])
    keys = data["search"]
    worst = max(keys, key=lambda k: k["total"])
    return {"end": median(data["end"]), "step": median(data["step"]),
            "end_handler": median(data["end_handler"]), "step_handler": median(data["step_handler"]),
            "search_med": median([k["total"] for k in keys]), "search_worst": worst["total"],
            "search_worst_at": worst, "search_keys": keys,
            "app_star_handler": median(data["star_handler"]), "app_star_disk": median(data["star_disk"]),
            "session_rss": run.rss_mb}


def bench_star_direct(home: Path, folder: Path, reps: Reps) -> tuple[float, float]:
    """set_state + flush of one paper (fsynced) on a Store opened here, and a
    1 KB ``atomic_write_bytes`` beside it, alternated so both see the same disk."""
    from paperqueue.core.atomic import atomic_write_bytes
    from paperqueue.core.store import Store

    target, data = folder / "atomic" / "one-kb.bin", os.urandom(1024)
    store = Store.open(home)
    try:
        paper = max(store.papers.values(), key=lambda p: p.id)
        stars, writes = [], []
        for _ in range(reps.star):  # an even count leaves the star as it was
            new = store.state(paper.key).with_star(not store.state(paper.key).starred, store.clock())
            start = clock()
            store.set_state(paper.key, new)
            store.flush()
            middle = clock()
            atomic_write_bytes(target, data)
            stars.append(middle - start)
            writes.append(clock() - middle)
    finally:
        store.close()
    return median(stars), median(writes)


def bench_naive_star(work: Path, count: int, reps: Reps) -> float:
    """TinyDB's default JSONStorage, one file with every paper and its abstract."""
    from tinydb import TinyDB

    path = work / f"naive-{count}.json"
    docs = {str(i): {"title": t, "abstract": a, "starred": False, "read": False}
            for i, (t, a) in enumerate(synth.papers(count, SEED), start=1)}
    path.write_text(json.dumps({"papers": docs}), encoding="utf-8")
    del docs
    db, times, spent = TinyDB(path), [], 0.0
    try:
        while len(times) < reps.naive and (len(times) < 2 or spent < NAIVE_BUDGET):
            start = clock()
            db.table("papers").update({"starred": len(times) % 2 == 0}, doc_ids=[count // 2 + 1])
            times.append(clock() - start)
            spent += times[-1]
    finally:
        db.close()
        path.unlink()
    return median(times)


def run_size(count: int, work: Path, queries: list[str], reps: Reps) -> dict:
    logs, home = work / "logs", work / f"home-{count}"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    env["PAPERQUEUE_HOME"] = str(home)
    page, titles = make_page(work, count)
    bib = make_bib(work, count)
    row = {"n": count}
    # Imports and the plain index alternate, so drifting load hits both.
    say(f"{count:,}: plain FTS5 index, page import, plain FTS5, BibTeX import, plain FTS5")
    plain = [bench_plain_fts(work, count, env, logs)]
    row |= bench_import(page, home, env, logs)
    plain.append(bench_plain_fts(work, count, env, logs))
    bib_home = work / f"home-bib-{count}"
    row["bib_s"] = bench_import(bib, bib_home, env, logs)["import_s"]
    shutil.rmtree(bib_home, ignore_errors=True)
    plain.append(bench_plain_fts(work, count, env, logs))
    row["plain"] = plain
    row["page_ratio"] = row["import_s"] / statistics.mean(plain[:2])
    row["bib_ratio"] = row["bib_s"] / statistics.mean(plain[1:])
    say(f"{count:,}: search before and after the index settles")
    row |= bench_settle(home, queries, env, logs)
    say(f"{count:,}: first render (app, floor, DataTable)")
    row |= bench_first_render(home, titles, count, env, logs, reps)
    say(f"{count:,}: session (end jump, search, star via the app)")
    row |= bench_session(home, count, queries, env, logs, reps)
    say(f"{count:,}: star to disk, 1 KB write, naive TinyDB star")
    row["star"], row["atomic"] = bench_star_direct(home, work, reps)
    row["naive"] = bench_naive_star(work, count, reps)
    return row


def say(text: str) -> None:
    print(f"  ... {text}", file=sys.stderr, flush=True)


# -- the table ------------------------------------------------------------------------


def ms(seconds: float | None, timeout: float | None = None) -> str:
    if seconds is None:
        return f">{timeout:.0f} s" if timeout else "n/a"
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"


def verdict(ok: bool, shown: str) -> str:
    return f"met ({shown})" if ok else f"**missed** ({shown})"


def table(rows: list[dict]) -> str:
    small, big = rows[0], rows[-1]
    at_big = f"at {big['n']:,}"
    ratio = lambda a, b: a / b if a is not None and b else None  # noqa: E731
    x = lambda v: "n/a" if v is None else f"{v:.2f}×"  # noqa: E731
    jump = [ratio(r["end"], r["step"]) for r in rows]
    lines = []

    def add(name, cells, target="", result=""):
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {target} | {result} |")

    per = lambda f: [f(r) for r in rows]  # noqa: E731
    add("Plain FTS5 index of the same titles and abstracts, SQLite alone (s, 3 runs)",
        per(lambda r: " / ".join(f"{v:.2f}" for v in r["plain"])))
    add("Import of the page, `paperqueue import` (s)", per(lambda r: f"{r['import_s']:.2f}"))
    add("↳ page import / plain FTS5", per(lambda r: x(r["page_ratio"])), f"≤ 2.0× {at_big}",
        verdict(big["page_ratio"] <= 2.0, x(big["page_ratio"])))
    add("Import of a .bib with the same papers (s)", per(lambda r: f"{r['bib_s']:.2f}"))
    add("↳ BibTeX import / plain FTS5", per(lambda r: x(r["bib_ratio"])), f"≤ 2.0× {at_big}",
        verdict(big["bib_ratio"] <= 2.0, x(big["bib_ratio"])))
    add("Search index settling after the import, in the background (s)", per(lambda r: f"{r['settle_s']:.2f}"))
    add("Search SQL per keystroke before / after settling, median (ms)",
        per(lambda r: f"{ms(median(r['sql_before']))} / {ms(median(r['sql_after']))}"))
    add("Search SQL per keystroke before / after settling, worst (ms)",
        per(lambda r: f"{ms(max(r['sql_before']))} / {ms(max(r['sql_after']))}"))
    stores = per(lambda r: r["store_mb"] / r["input_mb"])
    add("Store on disk / input size", per(lambda r: f"{r['store_mb'] / r['input_mb']:.2f}× ({r['store_mb']:,.0f} MB)"),
        "≤ 2×", verdict(max(stores) <= 2, f"worst {max(stores):.2f}×"))
    add("First render, process start → rows (ms, median)", per(lambda r: ms(r["render"])))
    grow = ratio(big["render"], small["render"])
    add(f"↳ vs {small['n']:,}", per(lambda r: x(ratio(r["render"], small["render"]))), f"≤ 1.3× {at_big}",
        verdict(grow <= 1.3, x(grow)))
    add("Floor: Textual app with 40 static lines (ms)", per(lambda r: ms(r["floor"])))
    floors = [ratio(r["render"], r["floor"]) for r in (small, big)]
    add("↳ first render / floor", per(lambda r: x(ratio(r["render"], r["floor"]))),
        f"≤ 2× at {small['n']:,} and {big['n']:,}", verdict(max(floors) <= 2, " / ".join(map(x, floors))))
    add("DataTable with N rows, first render (ms)", per(lambda r: ms(r["datatable"], DATATABLE_TIMEOUT)))
    add("End jump `G`, key → last row drawn (ms, median)", per(lambda r: ms(r["end"])))
    add("One step `j`, key → row drawn (ms, median)", per(lambda r: ms(r["step"])))
    add("↳ handlers alone, `G` / `j` (ms)", per(lambda r: f"{ms(r['end_handler'])} / {ms(r['step_handler'])}"))
    add("↳ end / j", per(lambda r: x(ratio(r["end"], r["step"]))))
    jump_grow = ratio(jump[-1], jump[0])
    add(f"↳ end/j vs {small['n']:,}", per(lambda r: x(ratio(ratio(r["end"], r["step"]), jump[0]))),
        f"≤ 1.3× {at_big}", verdict(jump_grow <= 1.3, x(jump_grow)))
    add(f"Search keystroke → results applied, median of {len(big['search_keys'])} (ms)",
        per(lambda r: ms(r["search_med"])), f"≤ 30 ms {at_big}",
        verdict(big["search_med"] <= 0.030, f"{ms(big['search_med'])} ms"))
    add("Search keystroke, worst (ms)", per(lambda r: ms(r["search_worst"])), f"≤ 100 ms {at_big}",
        verdict(big["search_worst"] <= 0.100, f"{ms(big['search_worst'])} ms"))
    add("Star to disk: `set_state` + `flush` (ms, median)", per(lambda r: ms(r["star"])))
    star_grow = ratio(big["star"], small["star"])
    add(f"↳ vs {small['n']:,}", per(lambda r: x(ratio(r["star"], small["star"]))), f"≤ 1.3× {at_big}",
        verdict(star_grow <= 1.3, x(star_grow)))
    add("1 KB `atomic_write_bytes` (ms, median)", per(lambda r: ms(r["atomic"])))
    vs_write = [ratio(r["star"], r["atomic"]) for r in rows]
    add("↳ star / 1 KB write", per(lambda r: x(ratio(r["star"], r["atomic"]))), "≤ 2×",
        verdict(max(vs_write) <= 2, f"worst {x(max(vs_write))}"))
    add("Star in the app `s`: key handler / on disk (ms)",
        per(lambda r: f"{ms(r['app_star_handler'])} / {ms(r['app_star_disk'])}"))
    add("Naive star: TinyDB `JSONStorage`, one file (ms)", per(lambda r: ms(r["naive"])))
    rss = max(big["render_rss"], big["import_rss"])
    add("Peak RSS: first render / import (MB)", per(lambda r: f"{r['render_rss']:.0f} / {r['import_rss']:.0f}"),
        f"≤ 600 MB {at_big}", verdict(rss <= 600, f"{rss:.0f} MB"))
    add("Peak RSS: interactive session (MB)", per(lambda r: f"{r['session_rss']:.0f}"))
    head = "| Measurement | " + " | ".join(f"{r['n']:,} papers" for r in rows) + " | Target | Result |"
    rule = "|---|" + "---:|" * len(rows) + "---|---|"
    return "\n".join([head, rule, *lines])


NOTES = """
How: start-up rows time from just before `Popen` in this script to reading the child's marker, written
after the first frame in which the list (or the floor's lines, or the DataTable's rows) was drawn and
encoded (headless `run_test`, 120×40); interpreter start included. App, floor and DataTable runs are
interleaved. Keys go through Pilot in one headless session: `G`/`j` time key → first frame that drew
the cursor row (0.6 s pause between keys for the position save); search types into the box one key at
a time, key → `_apply_search` done for that text; `s` times the action handler, and a thread polls the
state shard until the change is on disk. Direct star: `set_state` + `flush` (fsync, atomic rename) on a
`Store` opened here. Naive star: TinyDB `JSONStorage`, one file holding every paper and abstract,
`update(doc_ids=[k])`. Peak RSS: `wait4` of each child; the render child stays until the whole queue
and search index are loaded.
Import ratios: the plain FTS5 index is built by SQLite alone in a child process (contentless,
`detail=none`, no prefix indexes, default tokenizer, one transaction, `executemany` from a list made
beforehand; only the build is timed), before the page import, between the two imports and
after the BibTeX import; each import is divided by the mean of the two builds around it. The import
is the whole `paperqueue import` process (interpreter start, parsing, merging, the store's shards
with fsync, and its search index). The import puts new papers in a search table without prefix
indexes; the app moves them into the prefix table in the background (settling, timed here on a
`Store` opened in a child process, before the app sessions); searches give the same ids before and
after (checked), only the SQL time differs. The .bib holds the page's titles and abstracts, with
authors (TeX accents), venues, pages, DOIs on half and arXiv eprints on a third."""


def header() -> str:
    from importlib.metadata import version

    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1).strip() if found else "unknown CPU"
    except OSError:
        cpu = "unknown CPU"
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    return (f"Machine: {os.cpu_count()} CPUs, {cpu}; Python {platform.python_version()}; "
            f"Textual {version('textual')}; {platform.system()} {platform.release()}; load average at start {load}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated paper counts (default 1000,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 1000,5000, fewer repetitions")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (printed at the end)")
    args = parser.parse_args(argv)
    default = "1000,5000" if args.quick else "1000,10000,100000"
    sizes = sorted({int(s.replace("_", "")) for s in (args.sizes or default).split(",")})
    reps = QUICK if args.quick else Reps()
    work = Path(tempfile.mkdtemp(prefix="paperqueue-bench-"))
    os.environ["PAPERQUEUE_HOME"] = str(work / "parent-home")  # never the real data folder
    began = clock()
    try:
        print(header(), flush=True)
        queries = search_queries()
        say(f"search queries typed at each size: {queries}")
        rows = [run_size(count, work, queries, reps) for count in sizes]
        print()
        print(table(rows))
        print()
        big = rows[-1]
        worst = big["search_worst_at"]
        print(f"Queries typed ({len(big['search_keys'])} keystrokes): {', '.join(repr(q) for q in queries)}. "
              f"Worst keystroke at {big['n']:,}: {worst['query']!r} ({worst['hits']:,} hits; "
              f"SQLite {ms(worst['sql'])} ms, applying the filter on the UI thread {ms(worst['apply'])} ms). "
              f"Each keystroke at {big['n']:,}, ms (hits): "
              + ", ".join(f"{k['query']!r} {ms(k['total'])} ({k['hits']:,})" for k in big["search_keys"]) + ".")
        print(NOTES)
        load = " ".join(f"{v:.2f}" for v in os.getloadavg())
        print(f"Run took {clock() - began:.0f} s; load average at the end {load}.")
    finally:
        if args.keep:
            print(f"Temp folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
