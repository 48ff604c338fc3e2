"""Full-text timings: arXiv HTML to text, opening a cached text, and the rest.

    .venv/bin/python benchmarks/fulltext_bench.py [--size-mb 1.5] [--repeats 7]

The page is the real arXiv HTML kept for the tests
(tests/data/real/fulltext/, "Attention Is All You Need", trimmed to 58 KB
with its math, tables, figures and references), its document's sections
repeated until the page is ``--size-mb`` (a typical 30-page paper with its
MathML is about 1.5 MB). Times are the median and best of ``--repeats``
runs in this process (the first run, which warms imports, not counted):

- converting the page to text (target: under 300 ms);
- opening the cached text: reading ``<stem>.txt`` and splitting its first
  screen of lines (target: under 100 ms);
- for information: a 30-page PDF's text (made with fpdf2), adding the
  text to the full-text index, and a search in it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from paperqueue.core.fulltext.cache import FullTextCache  # noqa: E402
from paperqueue.core.fulltext.html_text import html_to_text  # noqa: E402
from paperqueue.core.fulltext.pdf_text import pdf_to_text  # noqa: E402
from paperqueue.core.fulltext.search_index import FullTextIndex  # noqa: E402

PAGE = ROOT / "tests" / "data" / "real" / "fulltext" / "arxiv-1706.03762v7-trimmed.html"
MB = 1024 * 1024


def big_page(size: int) -> str:
    """The real page with its document's content repeated to ``size`` bytes."""
    page = PAGE.read_text(encoding="utf-8")
    start = page.index("<div id=\"abstract1\"")
    end = page.index("</article>")
    body = page[start:end]
    copies = max(1, size // len(body.encode("utf-8")))
    return page[:start] + body * copies + page[end:]


def timed(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    run()  # warm
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def make_pdf(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    paragraph = ("Self-attention relates positions of a sequence to compute a representation of it; "
                 "we measure BLEU on newstest2014 and report the training cost in FLOPs. ") * 6
    for _ in range(pages):
        pdf.add_page()
        for _ in range(5):
            pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.5)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    html = big_page(int(args.size_mb * MB))
    html_bytes = len(html.encode("utf-8"))
    text = html_to_text(html)
    rows = []

    median, best = timed(lambda: html_to_text(html), args.repeats)
    rows.append(("arXiv HTML to text", f"{html_bytes / MB:.2f} MB page, {html.count('<math'):,} formulas", median, best, 0.300))

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        cache = FullTextCache(home)
        cache.store_text("arxiv:1706.03762", text, "html", "From arXiv's HTML version", "https://arxiv.org/html/1706.03762")

        def open_cached() -> None:
            found = cache.read_text("arxiv:1706.03762")
            assert found is not None
            found.text.split("\n", 60)[:60]

        median, best = timed(open_cached, args.repeats)
        rows.append(("open the cached text (first screen)", f"{len(text.encode('utf-8')) / MB:.2f} MB of text", median, best, 0.100))

        index = FullTextIndex(cache.index_path)
        median, best = timed(lambda: index.add("arxiv:1706.03762", text), args.repeats)
        rows.append(("add the text to the full-text index", f"{len(text.encode('utf-8')) / MB:.2f} MB of text", median, best, None))
        for number in range(200):
            index.add(f"arxiv:other{number}", text[: 60_000])
        median, best = timed(lambda: index.search("multi-head attention"), args.repeats)
        rows.append(("full-text search, 201 texts", "two words", median, best, None))
        index.close()

        pdf = home / "paper.pdf"
        pdf.write_bytes(make_pdf(30))
        median, best = timed(lambda: pdf_to_text(pdf), max(1, args.repeats // 2))
        rows.append(("PDF to text (pypdf)", f"30 pages, {pdf.stat().st_size / 1024:.0f} KB", median, best, None))

    print("| step | input | median (ms) | best (ms) | target | result |")
    print("|---|---|---:|---:|---:|---|")
    for step, what, median, best, target in rows:
        goal = f"< {target * 1000:.0f} ms" if target else ""
        result = ("met" if median < target else "missed") if target else ""
        print(f"| {step} | {what} | {median * 1000:.1f} | {best * 1000:.1f} | {goal} | {result} |")


if __name__ == "__main__":
    main()
