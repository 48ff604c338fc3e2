"""``paperqueue serve``'s first paint in a real browser, against a trivial
Textual app served the same way (issue 15: within 1.5x).

    .venv/bin/python benchmarks/serve_bench.py [--rounds 7] [--target 1.5]

Both apps are served by our server (``paperqueue.serving.server``) as child
processes on free loopback ports: paperqueue as ``paperqueue serve`` runs
it, the trivial app (``benchmarks/trivial_app.py``: a ListView of 79 static
rows and a Static) by the same server with its ``app_command`` pointed at
that file. Debian's Chromium (or ``$PAPERQUEUE_CHROMIUM``), headless,
driven by Playwright, opens each page in a fresh browser context.

"First rows drawn" is the time from the start of the page's navigation
(the browser's ``performance`` clock: request, page, textual.js, websocket,
the app's subprocess starting, its first output) to the first frame that
xterm.js drew on its canvas in which the list's second row shows: the
second paper's title from the bundled sample for paperqueue, "Row 02" for
the trivial app. It is read in the page, from xterm.js's render event and
its buffer (see ``tests/browser_support.py``). "First output" (shown, not
judged) is when the app's first bytes reached the terminal: the time
before it is the page, the websocket and the app starting.

paperqueue runs on the bundled sample in a fresh PAPERQUEUE_HOME; its
first-run import is done by one untimed open before the rounds, so every
timed open is of an existing store of 79 papers. The trivial app gets an
untimed open too. Rounds alternate which app goes first; after each open
the tab is closed and its app has ended before the next one starts.
Prints median and worst per app and the ratio of the medians; exits 1 when
the ratio is above the target, 0 (saying why) when there is no Chromium.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))

import browser_support as bs

PAPERQUEUE_MARKER = "Dichotomy of Control: Separating What You Can Control"  # the sample's second paper
TRIVIAL_MARKER = "Row 02"


def open_once(browser, served: bs.Served, marker: str) -> tuple[float, float]:
    """Milliseconds to the first rows drawn (and to the app's first output),
    for one fresh page; the tab closed and its app ended before returning."""
    page = bs.new_page(browser, marker=marker)
    try:
        page.goto(served.url)
        elapsed = bs.drawn_ms(page)
    finally:
        page.context.close()
    if not bs.until(lambda: not served.app_pids(), timeout=15):
        raise RuntimeError("a closed tab's app did not end within 15 s")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed opens of each app (default 7)")
    parser.add_argument("--target", type=float, default=1.5, help="largest ratio paperqueue / trivial app (default 1.5)")
    args = parser.parse_args()
    if bs.chromium_path() is None:
        print(f"serve_bench: skipped: {bs.SKIP_REASON}")
        return 0
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="serve-bench-") as scratch, sync_playwright() as playwright:
        home = Path(scratch) / "home"
        apps = {
            "paperqueue (79 papers)": (bs.start_serve(home), PAPERQUEUE_MARKER),
            "trivial Textual app (79 rows)": (
                bs.start_serve(Path(scratch) / "trivial-home", app=[sys.executable, str(HERE / "trivial_app.py")]),
                TRIVIAL_MARKER,
            ),
        }
        browser = bs.launch(playwright)
        try:
            for served, marker in apps.values():  # untimed: paperqueue's first-run import, caches
                open_once(browser, served, marker)
            papers = bs.papers(home)
            if len(papers) != 79:
                raise RuntimeError(f"the first-run import left {len(papers)} papers, not 79")
            times: dict[str, list[float]] = {name: [] for name in apps}
            outputs: dict[str, list[float]] = {name: [] for name in apps}
            names = list(apps)
            for round_ in range(args.rounds):
                for name in names if round_ % 2 == 0 else names[::-1]:
                    served, marker = apps[name]
                    drawn, first_output = open_once(browser, served, marker)
                    times[name].append(drawn)
                    outputs[name].append(first_output)
        finally:
            browser.close()
            for served, _ in apps.values():
                served.stop()

    print(f"paperqueue serve: page opened to first rows drawn, headless Chromium, {args.rounds} rounds "
          f"({platform.machine()}, {time.strftime('%Y-%m-%d')})")
    print(f"  {'app':32} {'median':>9} {'worst':>9} {'best':>9}   {'first output (median)':>21}")
    for name, values in times.items():
        print(f"  {name:32} {statistics.median(values):7.0f}ms {max(values):7.0f}ms {min(values):7.0f}ms"
              f"   {statistics.median(outputs[name]):19.0f}ms")
    ours, trivial = (statistics.median(values) for values in times.values())
    ratio = ours / trivial
    verdict = "ok" if ratio <= args.target else "MISSED"
    print(f"  ratio (medians): {ratio:.2f}x, target within {args.target:.1f}x: {verdict}")
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    raise SystemExit(main())
