"""A big import streams into the store in bounded chunks (issue 9 item 18):
what the import holds grows with what lookups need (keys, ids, titles),
not with the papers' records and abstracts.

The import runs in a child process (``paperqueue import``, as a person runs
it) and its peak memory is measured by the go-between of
``test_import_limits`` (MEASURE), which sees that child alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_import_limits import run_import

ENTRIES = 60_000
# The whole-import code held every record and abstract until the commit:
# 177 MB for these 60,000 entries (45 MB of file). Streamed, the import
# holds its lookups and about one shard at a time: 55 MB measured.
CAP_MB = 100

_WORDS = "model data learning network training graph signal protein sample method result theory".split()


def write_bib(path: Path, count: int) -> Path:
    """``count`` distinct entries with abstracts of about 90 words; most carry a DOI."""
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            words = " ".join(_WORDS[(n * 7 + i * 3) % len(_WORDS)] for i in range(90))
            doi = f"  doi = {{10.{1000 + n % 9000}/mem.{n:07d}}},\n" if n % 5 else ""
            handle.write(
                f"@article{{m{n:07d},\n  title = {{Study number {n} of streamed imports}},\n"
                f"  author = {{Smith, Anna and Wang, Wei}},\n  journal = {{Journal of Tests}},\n"
                f"  year = {{{1990 + n % 35}}},\n{doi}  abstract = {{{words} {n}}}\n}}\n\n"
            )
    return path


def export_json(home: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "paperqueue", "export", "--format", "json"],
        env={**os.environ, "PAPERQUEUE_HOME": str(home)}, capture_output=True, text=True, check=True, timeout=300,
    )
    return json.loads(done.stdout)


def test_a_big_dry_run_stays_under_the_same_cap(tmp_path: Path, pq_home: Path) -> None:
    bib = write_bib(tmp_path / "big.bib", ENTRIES)
    run = run_import(pq_home, "--dry-run", bib)  # (old code: 140 MB)
    assert run.code == 0, run.err
    assert f"would import: {ENTRIES:,} new, 0 already in the queue" in run.out
    assert run.peak_mb < CAP_MB, f"peak {run.peak_mb:.0f} MB for {ENTRIES:,} entries"


def test_a_big_import_stays_under_a_memory_cap(tmp_path: Path, pq_home: Path) -> None:
    bib = write_bib(tmp_path / "big.bib", ENTRIES)
    run = run_import(pq_home, bib)
    assert run.code == 0, run.err
    assert f"{ENTRIES:,} new, 0 already in the queue" in run.out
    assert run.peak_mb < CAP_MB, f"peak {run.peak_mb:.0f} MB for {ENTRIES:,} entries"
    # Every paper landed, with its abstract, and the queue counts them.
    papers = export_json(pq_home)
    assert len(papers) == ENTRIES
    by_title = {paper["title"]: paper for paper in papers}
    last = by_title[f"Study number {ENTRIES - 1} of streamed imports"]
    assert last["abstract"].endswith(f" {ENTRIES - 1}")
    assert by_title["Study number 7 of streamed imports"]["doi"] == "10.1007/mem.0000007"
