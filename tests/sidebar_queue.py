"""A queue with many tags and batches for the sidebar's tests (issue 10
item 7): the sample page split into 16 imports on different days, under
the names people's files get (dates in file names, two of the same day
differing only in their middle, one named by hand), and 25 tags, one only
on papers already read."""

from __future__ import annotations

import json
from pathlib import Path

from paperqueue.core.importing import import_file
from paperqueue.core.store import Store

from conftest import SAMPLE

# (file name, import day, name given with --name or None)
IMPORTS = [
    ("trending-papers.txt", "2026-02-20", None),
    ("trending-papers.txt", "2026-02-21", None),
    ("trending-papers.txt", "2026-02-23", None),
    ("hf-daily-papers-2026-02-24.json", "2026-02-24", None),
    ("hf-daily-papers-2026-02-25.json", "2026-02-25", None),
    ("arxiv_cs.LG_recent_submissions.atom", "2026-02-26", None),
    ("arxiv_cs.CL_recent_submissions.atom", "2026-02-26", None),
    ("zotero-library-export.bib", "2026-02-27", None),
    ("trending-papers.txt", "2026-03-02", None),
    ("reading-group.txt", "2026-03-03", "reading group"),
    ("trending-papers.txt", "2026-03-04", None),
    ("hf-daily-papers-2026-03-05.json", "2026-03-05", None),
    ("trending-papers.txt", "2026-03-09", None),
    ("trending-papers.txt", "2026-03-10", None),
    ("trending-papers.txt", "2026-03-11", None),
    ("trending-papers.txt", "2026-03-12", None),
]
TAGS = [
    "ml", "nlp", "vision", "rl", "theory", "diffusion", "llm", "agents", "audio",
    "3d", "optimization", "reading-group", "to-cite", "survey", "benchmarks",
    "robotics", "music", "graphs", "physics", "pruning", "scaling", "safety",
    "thesis-chapter-2", "later",
]


def build_many(home: Path, scratch: Path) -> None:
    """Fill ``home`` with the sample as 16 batches and 24 tags. Paper i of
    the page gets tags i % 24 and, for every third paper, (i + 7) % 24;
    papers 0-9 and every fifth one are read; papers 0-3 are also tagged
    "done" (a tag with no unread paper)."""
    scratch.mkdir(parents=True, exist_ok=True)
    first = Store.open(scratch / "one", clock=lambda: "2026-02-19T08:00:00Z")
    import_file(first, SAMPLE)
    rows = []
    for i, paper in enumerate(first.ordered_papers()):
        tags = [TAGS[i % len(TAGS)]] + ([TAGS[(i + 7) % len(TAGS)]] if i % 3 == 0 else []) + (["done"] if i < 4 else [])
        rows.append({"key": paper.key, "title": paper.title, "abstract": first.details(paper.key).abstract, "tags": tags, "read": i < 10 or i % 5 == 0})
    first.close()
    per = -(-len(rows) // len(IMPORTS))
    for n, (file, day, name) in enumerate(IMPORTS):
        path = scratch / str(n) / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rows[n * per:(n + 1) * per]), encoding="utf-8")
        store = Store.open(home, clock=lambda day=day: f"{day}T08:00:00Z")
        try:
            import_file(store, path, name=name)
        finally:
            store.close()


if __name__ == "__main__":
    import sys
    import tempfile

    build_many(Path(sys.argv[1]), Path(tempfile.mkdtemp()))
