"""paperqueue keystrokes while a PDF downloads (issue 14): one ``j``/``k``
in a real terminal while ``P`` downloads a PDF from a slow loopback
server, against the same presses with nothing under way.

    .venv/bin/python benchmarks/fulltext_keys.py [--papers 1000] [--terminals 120x40,80x24]
        [--presses 40] [--megabytes 40] [--seconds 40] [--work DIR]

Uses the tmux harness of ``keystroke.py`` (one control-mode client, a
press settles once the screen is unchanged for 150 ms). The store holds
``--papers`` synthetic papers and, on the first row, one arXiv paper whose
PDF ``PAPERQUEUE_ARXIV_WEB`` points at a server on 127.0.0.1 that sends
``--megabytes`` (with its length, so the status line shows a percentage)
in 64 KB pieces spread over ``--seconds``.

Cases, at each terminal size: idle (``j`` and ``k`` in turn), then the same
presses right after ``P`` while the status line says "downloading the PDF"
before and after each press (the progress text is left out when screens
are compared; presses during which the download ended are left out). Each
case starts from a fresh copy of the store, so the PDF is never cached.
Nothing here asserts a time: the table says whether the settled median
while downloading stays within 2x the idle one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import keystroke  # noqa: E402
import synth  # noqa: E402
from keystroke import PAPERQUEUE, Case, Running, Tmux, clock, fresh_copy, judged, median, ms, p90, parse_size, ratio, say  # noqa: E402

ARXIV_ID = "1706.03762"
CHUNK = 64 * 1024
# The status line's progress ("45% downloading the PDF") runs to the end of
# the line: left out when screens are compared, as keystroke.py does for imports.
ACTIVITY = re.compile(rb"(\d+% )?(importing|indexing for search|fetching|fetched|downloading the PDF).*$")


def masked(screen: bytes) -> bytes:
    status, _, rest = screen.partition(b"\n")
    return ACTIVITY.sub(b"", status) + b"\n" + rest


keystroke.masked = masked  # Running.press compares screens through it


def downloading(status: bytes) -> bool:
    return b"downloading the PDF" in status


class SlowPdf:
    """``/pdf/<id>`` on 127.0.0.1: ``size`` bytes of a PDF-looking body,
    dripped in CHUNK pieces over ``seconds``."""

    def __init__(self, size: int, seconds: float) -> None:
        pieces = max(1, size // CHUNK)
        pause = seconds / pieces

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if not self.path.startswith("/pdf/"):
                    self.send_error(404)
                    return
                head = b"%PDF-1.4\n% paperqueue benchmark\n"
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pdf")
                    self.send_header("Content-Length", str(pieces * CHUNK))
                    self.end_headers()
                    for number in range(pieces):
                        piece = head + b"0" * (CHUNK - len(head)) if number == 0 else b"0" * CHUNK
                        self.wfile.write(piece)
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    pass  # the app quit (enough presses)

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_store(work: Path, count: int) -> Path:
    """``count`` synthetic papers, then one arXiv paper (the newest: the first row)."""
    store = work / f"store-{count}"
    if (work / f"store-{count}.ready").exists():
        return store
    shutil.rmtree(store, ignore_errors=True)
    page = synth.write_page(work / f"page-{count}.txt", count, keystroke.SEED)
    rows = work / "arxiv.json"
    rows.write_text(json.dumps([{"paper": {"id": ARXIV_ID, "title": "Attention Is All You Need",
                                           "summary": "The dominant sequence transduction models.",
                                           "authors": [{"name": "Ashish Vaswani"}]}}]))
    env = {**os.environ, "PAPERQUEUE_HOME": str(store)}
    for path in (page, rows):
        subprocess.run([str(PAPERQUEUE), "import", str(path)], env=env, check=True, stdout=subprocess.DEVNULL)
    page.unlink()
    (work / f"store-{count}.ready").touch()
    return store


def env_for(home: Path, server: SlowPdf) -> dict[str, str]:
    return {"PAPERQUEUE_HOME": str(home), "PAPERQUEUE_ARXIV_WEB": server.url, "PAPERQUEUE_ARXIV_DELAY": "0.1",
            "DISPLAY": "", "WAYLAND_DISPLAY": "", "BROWSER": ""}


def shows(count: int):
    return lambda text: f"/{count + 1:,}" in text.splitlines()[0] if text else False


def run_case(tmux: Tmux, size: tuple[int, int], store: Path, count: int, server: SlowPdf, work: Path,
             presses: int, case: Case, during_download: bool) -> None:
    cycles = 0
    while len(case.presses) < presses and cycles < 4:
        cycles += 1
        home = fresh_copy(store, work / "run-home")
        app = Running(tmux, f"pdf{'busy' if during_download else 'idle'}-{size[0]}", size, [str(PAPERQUEUE)], env_for(home, server))
        try:
            app.wait_ready(shows(count))
            if during_download:
                tmux.send(app.name, "P")
                deadline = clock() + 30
                while not downloading(tmux.capture(app.name).split(b"\n", 1)[0]):
                    if clock() > deadline:
                        case.stuck.append(f"the download never showed:\n{app.text()}")
                        return
                    time.sleep(0.01)
                case.imports += 1
            keys = "jk"
            while len(case.presses) < presses:
                press = app.press(keys[len(case.presses) % 2])
                if during_download and not (downloading(press.status_before) and downloading(press.status_after)):
                    case.left_out += 1
                    break
                case.presses.append(press)
        finally:
            app.stop()
            shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000, help="synthetic papers in the store (default 1000)")
    parser.add_argument("--terminals", default="120x40,80x24", help="terminal sizes (default 120x40,80x24)")
    parser.add_argument("--presses", type=int, default=40, help="presses per case (default 40)")
    parser.add_argument("--megabytes", type=int, default=40, help="the PDF's size (default 40 MB)")
    parser.add_argument("--seconds", type=float, default=40.0, help="how long the server takes to send it (default 40 s)")
    parser.add_argument("--work", type=Path, help="keep the store here between runs (default: a temp folder, removed)")
    args = parser.parse_args(argv)
    if shutil.which("tmux") is None:
        print("fulltext_keys benchmark: needs tmux", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="paperqueue-pdfkeys-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["PAPERQUEUE_HOME"] = str(work / "parent-home")  # never the real data folder
    server = SlowPdf(args.megabytes * 1024 * 1024, args.seconds)
    tmux = Tmux()
    began = clock()
    try:
        print(keystroke.header(), flush=True)
        say(f"a store of {args.papers:,} papers and one arXiv paper")
        store = make_store(work, args.papers)
        for size in [parse_size(t) for t in args.terminals.split(",")]:
            idle = Case(f"{args.papers + 1:,} papers, idle")
            busy = Case(f"{args.papers + 1:,} papers, while P downloads a {args.megabytes} MB PDF over {args.seconds:g} s")
            for case, during in ((idle, False), (busy, True)):
                say(f"{size[0]}x{size[1]}: {case.label}")
                run_case(tmux, size, store, args.papers, server, work, args.presses, case, during)
            print()
            print(f"Terminal {size[0]}x{size[1]}: one `j`/`k`, from `send-keys` to the screen's first and last change (ms)")
            print()
            print("| Case | Presses | First change, median | Settled, median | Settled, p90 |")
            print("|---|---:|---:|---:|---:|")
            for case in (idle, busy):
                values = case.settled()
                print(f"| {case.label} | {len(values)} | {ms(median(case.firsts()))} | {ms(median(values))} | {ms(p90(values))} |")
            got = ratio(median(busy.settled()), median(idle.settled()))
            print(f"\nSettled median while downloading / idle: target ≤ 2×: {judged(got, 2.0)}; "
                  f"p90 ratio {ratio(p90(busy.settled()), p90(idle.settled())) or 0:.2f}×; "
                  f"{busy.imports} downloads, {busy.left_out} presses left out (the download ended)"
                  + (f"; {len(busy.stuck)} never showed" if busy.stuck else ""), flush=True)
        print(f"\nRun took {clock() - began:.0f} s; load average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}.")
    finally:
        tmux.close()
        server.close()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
