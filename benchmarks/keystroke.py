"""paperqueue keystroke benchmark in a real terminal: how long one ``j``
keeps the screen changing, against a list-plus-reader floor app.

    .venv/bin/python benchmarks/keystroke.py [--sizes 1000,100000] [--terminals 120x40,200x60]
        [--presses 50] [--no-import] [--no-fetch] [--no-idle] [--quick] [--work DIR]

Each case starts an app in its own detached tmux session (``-x``/``-y`` set
the terminal size), waits until it is idle (its screen unchanged and its
process using under 3% of a CPU for a second), then presses ``j`` through
``tmux send-keys`` and polls ``tmux capture-pane -p -e`` (text and colours)
until the screen has not changed for 150 ms. For each press it records
the time from just before ``send-keys`` to the first and to the last poll
that saw a different screen ("settled"). Polling goes through one tmux
control-mode client (``tmux -C``, attached to a session of its own), so a
poll costs about 0.4 ms instead of a process spawn, and the polls are a
couple of milliseconds apart: the times are that coarse.

Cases, at each terminal size, in this order:

- the floor (``keystroke_floor.py``: a stock OptionList and a reader pane
  showing a 1,600-character abstract), started the same way;
- paperqueue on a store of each size (``paperqueue import`` of a synthetic
  page from ``synth.py``), idle;
- paperqueue on each store while a 10,000-paper page handed over by
  ``paperqueue import`` is imported by the open app. An in-app import of
  10,000 papers lasts a second or two, so this case starts the app on a
  fresh copy of the store for each import and presses ``j`` while the
  status line says "importing"; a press counts when "importing" was shown
  before it and still is once the screen settled (the progress text is
  left out of the comparison). Presses during which the import ended are
  counted apart (the list is rebuilt then) and left out;
- paperqueue on each store during a fetch (``R``) of 20 feed subscriptions,
  each on a loopback host of its own (127.0.0.2 to 127.0.0.21) that answers
  after 5 s with 100 new items; presses count while the status line says
  "fetching" before and after them (those during which the fetch ended,
  and the list is rebuilt, are left out, as for imports);
- the floor again, so a change of the machine's load during the run shows;
  the floor's figures are both floor runs together.

Every app run starts from a copy of a store that was opened once by the
app until idle (so its search index is settled), with the cursor on the
first row of All. Nothing here asserts a time; the table says which of the
issue's targets were met in this run.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

FLOOR = HERE / "keystroke_floor.py"
PAPERQUEUE = Path(sys.executable).parent / "paperqueue"
SETTLE = 0.150  # seconds without a change after which the screen counts as settled
POLL = 0.002  # seconds slept between two polls
PRESS_TIMEOUT = 10.0  # seconds: a press that changed nothing by then counts as unchanged
READY_TIMEOUT = 300.0
IMPORT_PAPERS = 10_000
HANDOVER_TIMEOUT = 30.0  # seconds for the app to show a handed-over import
SEED = 1
clock = time.perf_counter

# The status line's background activity (import or indexing progress, its
# percentage first: "45% importing: reading") runs to the end of the line:
# left out when screens are compared.
ACTIVITY = re.compile(rb"(\d+% )?(importing|indexing for search|fetching|fetched).*$")
FETCH_FEEDS = 20  # feed subscriptions, each on a loopback host of its own
FETCH_ITEMS = 100  # new items in each feed's answer
FETCH_DELAY = 5.0  # seconds each feed waits before it answers


def say(text: str) -> None:
    print(f"  ... {text}", file=sys.stderr, flush=True)


# -- tmux ---------------------------------------------------------------------------


class Tmux:
    """One tmux control-mode client; commands go in on its stdin, their
    output comes back between ``%begin`` and ``%end`` lines."""

    def __init__(self) -> None:
        self.prefix = f"pqkey{os.getpid()}"
        self.home = f"{self.prefix}-ctl"
        self.sessions: set[str] = set()
        self.proc = subprocess.Popen(
            ["tmux", "-C", "new-session", "-s", self.home, "-x", "80", "-y", "24", "sleep 86400"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
        )
        self.out = os.fdopen(self.proc.stdout.fileno(), "rb", buffering=1 << 16, closefd=False)

    def run(self, command: str) -> bytes:
        self.proc.stdin.write(command.encode() + b"\n")
        body: list[bytes] | None = None
        while True:
            line = self.out.readline()
            if not line:
                raise RuntimeError("the tmux control client ended")
            if line.startswith(b"%begin "):
                # flags 1: the answer to a command of this client (not the attach's own block)
                body = [] if line.split()[3:4] == [b"1"] else None
            elif body is not None and line.startswith((b"%end ", b"%error ")):
                if line.startswith(b"%error "):
                    raise RuntimeError(f"tmux {command.split()[0]}: {b''.join(body).decode(errors='replace').strip()}")
                return b"".join(body)
            elif body is not None:
                body.append(line)

    def start(self, tag: str, size: tuple[int, int], argv: list[str], env: dict[str, str]) -> tuple[str, int]:
        """A detached session running ``argv``; its name and the app's pid."""
        name = f"{self.prefix}-{tag}"
        options = " ".join(f"-e {shlex.quote(f'{k}={v}')}" for k, v in env.items())
        command = "exec " + " ".join(shlex.quote(a) for a in argv)
        self.run(f"new-session -d -s {name} -x {size[0]} -y {size[1]} {options} {shlex.quote(command)}")
        self.sessions.add(name)
        self.run(f"set-option -t {name} remain-on-exit on")  # a crash stays readable
        pid = int(self.run(f"display-message -p -t {name} '#{{pane_pid}}'").strip())
        return name, pid

    def capture(self, name: str, colours: bool = True) -> bytes:
        return self.run(f"capture-pane -p {'-e ' if colours else ''}-t {name}")

    def dead(self, name: str) -> bool:
        return self.run(f"display-message -p -t {name} '#{{pane_dead}}'").strip() == b"1"

    def send(self, name: str, key: str) -> None:
        self.run(f"send-keys -t {name} {key}")

    def kill(self, name: str) -> None:
        if name in self.sessions:
            self.sessions.discard(name)
            try:
                self.run(f"kill-session -t {name}")
            except RuntimeError:
                pass

    def close(self) -> None:
        for name in list(self.sessions):
            self.kill(name)
        try:
            self.run(f"kill-session -t {self.home}")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# -- one app in tmux ------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Running:
    """An app in a tmux session."""

    def __init__(self, tmux: Tmux, tag: str, size: tuple[int, int], argv: list[str], env: dict[str, str]) -> None:
        self.tmux = tmux
        self.home = Path(env.get("PAPERQUEUE_HOME", "."))
        self.name, self.pid = tmux.start(tag, size, argv, env)

    def text(self) -> str:
        return self.tmux.capture(self.name, colours=False).decode(errors="replace")

    def wait_ready(self, shown, timeout: float = READY_TIMEOUT) -> None:
        """Until ``shown(screen text)`` holds and the app has been idle for a second."""
        deadline = clock() + timeout
        last_screen, last_cpu, since = None, None, clock()
        while True:
            if self.tmux.dead(self.name):
                raise RuntimeError(f"{self.name} ended before it was ready:\n{self.text()}")
            screen, cpu = self.tmux.capture(self.name), cpu_seconds(self.pid)
            if screen != last_screen or cpu is None or last_cpu is None or cpu - last_cpu > 0.03:
                last_screen, last_cpu, since = screen, cpu, clock()
            elif clock() - since >= 1.0 and shown(self.text()):
                return
            if clock() > deadline:
                raise RuntimeError(f"{self.name} was not idle within {timeout:.0f} s:\n{self.text()}")
            time.sleep(0.1)

    def press(self, key: str = "j") -> Press:
        """Press ``key``; poll until the screen changed and then has not
        changed for SETTLE (a press that changes nothing within
        PRESS_TIMEOUT is recorded as unchanged)."""
        raw = self.tmux.capture(self.name)
        status_before = raw.split(b"\n", 1)[0]
        start = clock()
        self.tmux.send(self.name, key)
        first = last = None
        screen = masked(raw)
        while True:
            now = clock()
            if last is not None and now - (start + last) >= SETTLE:
                break
            if now - start > PRESS_TIMEOUT:
                break
            time.sleep(POLL)
            polled = clock()
            raw = self.tmux.capture(self.name)
            current = masked(raw)
            if current != screen:
                screen = current
                last = polled - start
                if first is None:
                    first = last
        return Press(first, last, status_before, raw.split(b"\n", 1)[0])

    def stop(self, quit_key: str | None = "q", timeout: float = 30.0) -> None:
        """Quit with ``quit_key`` (else hang up), and wait for the process to end."""
        if quit_key and alive(self.pid):
            self.tmux.send(self.name, quit_key)
            deadline = clock() + timeout
            while alive(self.pid) and clock() < deadline:
                time.sleep(0.05)
        self.tmux.kill(self.name)  # a hang-up, if it still runs
        deadline = clock() + timeout
        while alive(self.pid) and clock() < deadline:
            time.sleep(0.05)


def masked(screen: bytes) -> bytes:
    status, _, rest = screen.partition(b"\n")
    return ACTIVITY.sub(b"", status) + b"\n" + rest


@dataclass
class Press:
    first: float | None  # seconds to the first changed screen (None: nothing changed)
    settled: float | None  # seconds to the last changed screen
    status_before: bytes = b""
    status_after: bytes = b""


@dataclass
class Case:
    label: str
    presses: list[Press] = field(default_factory=list)
    left_out: int = 0  # presses during which an import ended
    stuck: list[str] = field(default_factory=list)  # hand-overs the app never ran (what it was doing)
    imports: int = 0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and end

    def settled(self) -> list[float]:
        return [p.settled for p in self.presses if p.settled is not None]

    def firsts(self) -> list[float]:
        return [p.first for p in self.presses if p.first is not None]

    @property
    def unchanged(self) -> int:
        return sum(p.settled is None for p in self.presses)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


# -- the cases ----------------------------------------------------------------------


def run_floor(tmux: Tmux, size: tuple[int, int], presses: int, case: Case) -> None:
    app = Running(tmux, f"floor-{size[0]}", size, [sys.executable, str(FLOOR)], {})
    try:
        app.wait_ready(lambda text: "╰" in text)
        case.presses += [app.press() for _ in range(presses)]
    finally:
        app.stop()


def pq_env(home: Path) -> dict[str, str]:
    return {"PAPERQUEUE_HOME": str(home)}


def shows_queue(count: int):
    return lambda text: f"/{count:,}" in text.splitlines()[0] if text else False


def fresh_copy(store: Path, to: Path) -> Path:
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(store, to, symlinks=True)
    (to / "queue.lock").unlink(missing_ok=True)
    return to


def run_idle(tmux: Tmux, size: tuple[int, int], store: Path, count: int, work: Path, presses: int, case: Case) -> None:
    home = fresh_copy(store, work / "run-home")
    app = Running(tmux, f"pq{count}-{size[0]}", size, [str(PAPERQUEUE)], pq_env(home))
    try:
        app.wait_ready(shows_queue(count))
        case.presses += [app.press() for _ in range(presses)]
    finally:
        app.stop()
        shutil.rmtree(home, ignore_errors=True)


def stuck_report(app: Running, handed: subprocess.Popen) -> str:
    """What the app was doing when it had not started a handed-over import
    after HANDOVER_TIMEOUT: its threads' Python stacks (with py-spy, when
    on the PATH or in $PY_SPY), saved next to the work folder's stores."""
    spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
    stacks = ""
    if spy:
        stacks = subprocess.run([spy, "dump", "--pid", str(app.pid)], capture_output=True, text=True).stdout
    requests = app.home / "requests"
    waiting = sorted(p.name for p in requests.iterdir()) if requests.is_dir() else []
    return f"requests folder: {waiting}\nscreen:\n{app.text()}\n{stacks}"


def importing(status: bytes) -> bool:
    return b"importing" in status


def run_importing(tmux: Tmux, size: tuple[int, int], store: Path, count: int, page: Path, work: Path,
                  presses: int, case: Case) -> None:
    """Presses while the open app imports ``page``, one fresh store copy per import."""
    cycles = 0
    while len(case.presses) < presses and cycles < 4 * presses:
        cycles += 1
        home = fresh_copy(store, work / "run-home")
        app = Running(tmux, f"pqimp{count}-{size[0]}", size, [str(PAPERQUEUE)], pq_env(home))
        handed, handed_ok = None, False
        try:
            app.wait_ready(shows_queue(count))
            handed = subprocess.Popen(
                [str(PAPERQUEUE), "import", str(page)], env={**os.environ, **pq_env(home)},
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            deadline = clock() + HANDOVER_TIMEOUT
            while not importing(tmux.capture(app.name).split(b"\n", 1)[0]):
                if handed.poll() is not None or clock() > deadline:
                    break
                time.sleep(0.002)
            else:
                handed_ok = True
            if not handed_ok:
                # The import never showed: it ended unseen, or the app never ran it.
                if handed.poll() is None:
                    case.stuck.append(stuck_report(app, handed))
                continue
            case.imports += 1
            while len(case.presses) < presses:
                press = app.press()
                if not importing(press.status_before):
                    break
                if importing(press.status_after):
                    case.presses.append(press)
                else:
                    case.left_out += 1
                    break
        finally:
            if handed is not None:
                try:
                    handed.wait(timeout=120 if handed_ok else 1)
                except subprocess.TimeoutExpired:
                    handed.kill()
                    handed.wait()
                handed.stderr.close()
            app.stop()
            shutil.rmtree(home, ignore_errors=True)


class SlowFeeds:
    """FETCH_FEEDS RSS feeds on 127.0.0.2, 127.0.0.3, ... each answering
    after FETCH_DELAY with FETCH_ITEMS items never seen before."""

    def __init__(self) -> None:
        import itertools
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        numbers = itertools.count()
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                time.sleep(FETCH_DELAY)
                with lock:
                    first = next(numbers) * FETCH_ITEMS
                items = "".join(
                    f"<item><title>Fetched paper {n}: a study of slow feeds</title>"
                    f"<link>https://example.org/fetched/{n}</link><description>An abstract of {n}.</description></item>"
                    for n in range(first, first + FETCH_ITEMS)
                )
                body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
                        f"<link>https://example.org/</link><description>d</description>{items}</channel></rss>").encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the app quit before the answer came (enough presses)

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.servers = [ThreadingHTTPServer((f"127.0.0.{2 + n}", 0), Handler) for n in range(FETCH_FEEDS)]
        self.threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in self.servers]
        for thread in self.threads:
            thread.start()

    def urls(self) -> list[str]:
        return [f"http://{server.server_address[0]}:{server.server_address[1]}/feed.xml" for server in self.servers]

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def fetching(status: bytes) -> bool:
    return b"fetching" in status


def run_fetching(tmux: Tmux, size: tuple[int, int], store: Path, count: int, feeds: SlowFeeds, work: Path,
                 presses: int, case: Case) -> None:
    """Presses while the open app fetches FETCH_FEEDS slow feeds (R), one
    fresh store copy (with the subscriptions) per fetch."""
    from paperqueue.core.subscriptions import Subscription, Subscriptions, feed_params

    template = fresh_copy(store, work / f"store-{count}-feeds")
    book = Subscriptions(template)
    for number, url in enumerate(feeds.urls()):
        book.add(Subscription(f"feed {number + 1:02d}", "feed", feed_params(url)))
    cycles = 0
    try:
        while len(case.presses) < presses and cycles < 4 * presses:
            cycles += 1
            home = fresh_copy(template, work / "run-home")
            app = Running(tmux, f"pqfetch{count}-{size[0]}", size, [str(PAPERQUEUE)], pq_env(home))
            try:
                app.wait_ready(shows_queue(count))
                tmux.send(app.name, "R")
                deadline = clock() + HANDOVER_TIMEOUT
                while not fetching(tmux.capture(app.name).split(b"\n", 1)[0]):
                    if clock() > deadline:
                        case.stuck.append(f"the fetch never showed\nscreen:\n{app.text()}")
                        break
                    time.sleep(0.002)
                else:
                    case.imports += 1
                    while len(case.presses) < presses:
                        press = app.press()
                        if not fetching(press.status_before):
                            break
                        if fetching(press.status_after):
                            case.presses.append(press)
                        else:
                            case.left_out += 1
                            break
            finally:
                app.stop()
                shutil.rmtree(home, ignore_errors=True)
    finally:
        shutil.rmtree(template, ignore_errors=True)


# -- stores ---------------------------------------------------------------------------


def make_store(work: Path, tmux: Tmux, count: int) -> Path:
    """A store of ``count`` synthetic papers, opened once by the app until
    idle (its search index settled); kept in ``work`` between runs."""
    store, ready = work / f"store-{count}", work / f"store-{count}.ready"
    if ready.exists():
        return store
    shutil.rmtree(store, ignore_errors=True)
    page = work / f"page-{count}.txt"
    say(f"writing a page of {count:,} papers")
    synth.write_page(page, count, SEED)
    say(f"importing it (paperqueue import) into {store}")
    subprocess.run([str(PAPERQUEUE), "import", str(page)], env={**os.environ, **pq_env(store)}, check=True,
                   stdout=subprocess.DEVNULL)
    page.unlink()
    say("opening it once in the app until idle")
    app = Running(tmux, f"warm{count}", (120, 40), [str(PAPERQUEUE)], pq_env(store))
    try:
        app.wait_ready(shows_queue(count))
    finally:
        app.stop()
    ready.touch()
    return store


def import_page(work: Path) -> Path:
    page = work / f"import-{IMPORT_PAPERS}.txt"
    if not page.exists():
        say(f"writing the page of {IMPORT_PAPERS:,} papers to import")
        synth.write_page(page, IMPORT_PAPERS, SEED + 100)  # other titles: all new papers
    return page


# -- the table -------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.0f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def judged(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return f"met ({value:.2f}×)" if value <= limit else f"**missed** ({value:.2f}×)"


def table(size: tuple[int, int], floor: Case, idle: dict[int, Case], busy: dict[int, Case]) -> str:
    lines = [
        f"Terminal {size[0]}x{size[1]}: one `j`, from `send-keys` to the screen's first and last change (ms)",
        "",
        "| Case | Presses | First change, median | Settled, median | Settled, p90 | Target | Result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]

    def row(case: Case, target: str = "", result: str = "") -> None:
        values = case.settled()
        count = f"{len(values)}" + (f" ({case.unchanged} unchanged)" if case.unchanged else "")
        lines.append(f"| {case.label} | {count} | {ms(median(case.firsts()))} | {ms(median(values))} "
                     f"| {ms(p90(values))} | {target} | {result} |")

    floor_median, floor_p90 = median(floor.settled()), p90(floor.settled())
    row(floor)
    sizes = sorted(idle)
    for count in sizes:
        case = idle[count]
        m, p = median(case.settled()), p90(case.settled())
        row(case)
        lines.append(f"| ↳ settled median / floor's | | | | | ≤ 1.2× | {judged(ratio(m, floor_median), 1.2)} |")
        lines.append(f"| ↳ settled p90 / floor's | | | | | ≤ 1.5× | {judged(ratio(p, floor_p90), 1.5)} |")
    if len(sizes) > 1:
        small, big = idle[sizes[0]], idle[sizes[-1]]
        lines.append(f"| ↳ settled median, {sizes[-1]:,} / {sizes[0]:,} papers | | | | | ≤ 1.2× "
                     f"| {judged(ratio(median(big.settled()), median(small.settled())), 1.2)} |")
    for key in sorted(busy, key=lambda k: (k, "") if isinstance(k, int) else k):
        case = busy[key]
        count = key if isinstance(key, int) else key[0]
        row(case)
        lines.append(f"| ↳ settled median / idle median at {count:,} | | | | | ≤ 2× "
                     f"| {judged(ratio(median(case.settled()), median(idle[count].settled())) if count in idle else None, 2.0)} |")
    return "\n".join(lines)


def header() -> str:
    from importlib.metadata import version

    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1).strip() if found else "unknown CPU"
    except OSError:
        cpu = "unknown CPU"
    tmux = subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    return (f"Machine: {os.cpu_count()} CPUs, {cpu}; Python {platform.python_version()}; Textual {version('textual')}; "
            f"{tmux}; load average at start {load}")


def parse_size(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000", help="store sizes, comma-separated (default 1000,100000)")
    parser.add_argument("--terminals", default="120x40,200x60", help="terminal sizes (default 120x40,200x60)")
    parser.add_argument("--presses", type=int, default=50, help="j presses per case (default 50)")
    parser.add_argument("--no-import", action="store_true", help="leave out the cases during an import")
    parser.add_argument("--no-fetch", action="store_true", help="leave out the cases during a fetch (R)")
    parser.add_argument("--no-idle", action="store_true",
                        help="leave out the idle cases (to try a change to imports; the ratio to idle is then n/a)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 and 10,000 papers, 120x40, 15 presses")
    parser.add_argument("--work", type=Path, help="keep stores here between runs (default: a temp folder, removed)")
    args = parser.parse_args(argv)
    if shutil.which("tmux") is None:
        print("keystroke benchmark: needs tmux", file=sys.stderr)
        return 2
    if args.quick:
        args.sizes, args.terminals, args.presses = "1000,10000", "120x40", 15
    sizes = sorted({int(s.replace("_", "").replace(",", "")) for s in args.sizes.split(",")})
    terminals = [parse_size(t) for t in args.terminals.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="paperqueue-keys-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["PAPERQUEUE_HOME"] = str(work / "parent-home")  # never the real data folder
    began = clock()
    tmux = Tmux()
    try:
        print(header(), flush=True)
        stores = {count: make_store(work, tmux, count) for count in sizes}
        page = None if args.no_import else import_page(work)
        feeds = None if args.no_fetch else SlowFeeds()
        for size in terminals:
            def timed(case: Case, run) -> Case:
                say(f"{size[0]}x{size[1]}: {case.label}")
                load = os.getloadavg()[0]
                run(case)
                case.load = (load, os.getloadavg()[0])
                return case

            floor = Case("Floor: OptionList + reader pane (1,600-character abstract)")
            halves = [timed(Case("floor, first run"), lambda c: run_floor(tmux, size, args.presses, c))]
            idle = {count: timed(Case(f"paperqueue, {count:,} papers, idle"),
                                 lambda c, count=count: run_idle(tmux, size, stores[count], count, work, args.presses, c))
                    for count in ([] if args.no_idle else sizes)}
            busy = {} if page is None else {
                count: timed(Case(f"paperqueue, {count:,} papers, during a {IMPORT_PAPERS:,}-paper import"),
                             lambda c, count=count: run_importing(tmux, size, stores[count], count, page, work, args.presses, c))
                for count in sizes}
            if feeds is not None:
                busy.update({
                    (count, "fetch"): timed(Case(f"paperqueue, {count:,} papers, during a fetch of {FETCH_FEEDS} slow feeds"),
                                            lambda c, count=count: run_fetching(tmux, size, stores[count], count, feeds, work,
                                                                                args.presses, c))
                    for count in sizes})
            halves.append(timed(Case("floor, second run"), lambda c: run_floor(tmux, size, args.presses, c)))
            floor.presses = halves[0].presses + halves[1].presses
            print()
            print(table(size, floor, idle, busy))
            print()
            notes = [f"floor settled median {ms(median(h.settled()))} ms in its {h.label}" for h in halves]
            notes += [f"{c.label}: {c.imports} {'fetches' if 'fetch' in c.label else 'imports'}, {c.left_out} presses left out "
                      f"(the {'fetch' if 'fetch' in c.label else 'import'} ended during them)"
                      + (f", {len(c.stuck)} hand-overs the app never ran (see {work / 'stuck'})" if c.stuck else "")
                      for c in busy.values()]
            for c in busy.values():
                for number, report in enumerate(c.stuck, 1):
                    (work / "stuck").mkdir(exist_ok=True)
                    (work / "stuck" / f"{size[0]}x{size[1]}-{c.label.split(',')[1].strip()}-{number}.txt").write_text(report)
            notes += [f"load average {c.load[0]:.2f} → {c.load[1]:.2f} over {c.label}" for c in [*halves, *idle.values(), *busy.values()]]
            print("Notes: " + "; ".join(notes) + ".", flush=True)
        print()
        print(f"A press settles when `capture-pane -p -e` has shown the same screen for {SETTLE * 1000:.0f} ms; "
              f"polls are {POLL * 1000:.0f} ms apart plus about 0.4 ms each. Run took {clock() - began:.0f} s; "
              f"load average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}.")
    finally:
        tmux.close()
        if not args.no_fetch and "feeds" in locals() and feeds is not None:
            feeds.close()
        if (work / "stuck").exists():
            print(f"Kept {work}: see its stuck/ folder", file=sys.stderr)
        elif args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
