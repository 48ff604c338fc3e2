"""Driving ``paperqueue serve`` from a real browser: Debian's Chromium,
through Playwright's sync API, with the browser's path given explicitly
(Playwright's own browser download is not used).

Used by ``tests/test_serve_browser.py`` and ``benchmarks/serve_bench.py``.

What the terminal shows is read from xterm.js's own buffer, the text it
draws on its canvas: textual-serve's ``textual.js`` keeps its xterm.js
``Terminal`` in a local object (``this.terminal = new Terminal(...)``), so a
script run before the page's own scripts catches that assignment and keeps
the terminal in ``window.__pq``, with a note of every frame xterm.js draws.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_VARIABLE = "PAPERQUEUE_CHROMIUM"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
SKIP_REASON = (
    "real-browser tests need Chromium: apt-get install chromium "
    f"(or set {CHROMIUM_VARIABLE}=/path/to/chromium)"
)
# Without the background-networking flags Chromium tries hosts on the
# network (updates, safe browsing); these tests reach 127.0.0.1 only.
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}

# Runs in every page before textual.js. When textual.js stores its xterm.js
# terminal (``this.terminal = ...``), an accessor on Object.prototype sees
# the assignment, keeps the terminal, and gives the object its own plain
# property, so nothing else changes. ``drawn`` is when (performance.now(),
# ms since the page's navigation began) a frame drawn by xterm.js first
# showed ``marker`` (set by the caller; none: never recorded);
# ``firstOutput`` when the app's first output reached the terminal.
INIT_SCRIPT = """
(() => {
  const state = {terminal: null, frames: 0, drawn: null, marker: null, firstOutput: null};
  window.__pq = state;
  const screenText = (terminal) => {
    const buffer = terminal.buffer.active;
    const rows = [];
    for (let y = 0; y < terminal.rows; y++) {
      const line = buffer.getLine(buffer.viewportY + y);
      rows.push(line ? line.translateToString(true) : '');
    }
    return rows.join('\\n');
  };
  state.screenText = () => (state.terminal ? screenText(state.terminal) : null);
  Object.defineProperty(Object.prototype, 'terminal', {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true, enumerable: true});
      if (state.terminal === null && value && value.buffer && typeof value.onRender === 'function') {
        state.terminal = value;
        const write = value.write.bind(value);
        value.write = (data, callback) => {
          if (state.firstOutput === null) { state.firstOutput = performance.now(); }
          return write(data, callback);
        };
        value.onRender(() => {
          state.frames += 1;
          if (state.drawn === null && state.marker && screenText(value).includes(state.marker)) {
            state.drawn = performance.now();
          }
        });
      }
    },
  });
})();
"""


def chromium_path() -> str | None:
    """The Chromium to drive: ``$PAPERQUEUE_CHROMIUM``, else Debian's, else
    a ``chromium`` on the PATH; None when there is none."""
    named = os.environ.get(CHROMIUM_VARIABLE)
    if named:
        return named if Path(named).is_file() else None
    if DEBIAN_CHROMIUM.is_file():
        return str(DEBIAN_CHROMIUM)
    return shutil.which("chromium")


def launch(playwright: Any, path: str | None = None) -> Any:
    """A headless Chromium, launched by Playwright."""
    return playwright.chromium.launch(executable_path=path or chromium_path(), args=CHROMIUM_ARGS, headless=True)


class LoneChromium:
    """A Chromium started by us (not by Playwright), so that a test can kill
    it outright as a crash or a power cut would; Playwright drives it over
    the DevTools protocol."""

    def __init__(self, playwright: Any, profile: Path) -> None:
        self.process = subprocess.Popen(
            [chromium_path() or "chromium", "--headless", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             f"--user-data-dir={profile}", *CHROMIUM_ARGS, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,  # its helpers (renderer, GPU, network) go with it
        )
        endpoint = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                endpoint = found.group(1)
                break
        if endpoint is None:
            self.kill()
            raise RuntimeError("Chromium did not say where its DevTools listen")
        self.browser = playwright.chromium.connect_over_cdp(endpoint)

    def kill(self) -> None:
        """SIGKILL to Chromium and every process it started; no goodbye to anyone."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()


def new_page(browser: Any, marker: str | None = None, **context_options: Any) -> Any:
    """A page in a context of its own (own cookies, own credentials), with
    the terminal catcher installed; ``marker`` is the text whose first drawn
    frame is timed (see ``drawn_ms``)."""
    context = browser.new_context(viewport=VIEWPORT, **context_options)
    script = INIT_SCRIPT
    if marker is not None:
        script += f"\nwindow.__pq.marker = {json.dumps(marker)};\n"
    context.add_init_script(script)
    return context.new_page()


def screen(page: Any) -> str:
    """The terminal's rows as text, as xterm.js draws them ('' before it exists)."""
    return page.evaluate("() => window.__pq && window.__pq.screenText() || ''")


def wait_for_screen(page: Any, text: str, timeout: float = 30) -> str:
    """The screen, once ``text`` is drawn on it (the test fails after ``timeout`` s)."""
    try:
        page.wait_for_function(
            "(text) => window.__pq && window.__pq.terminal && window.__pq.screenText().includes(text)",
            arg=text, timeout=timeout * 1000, polling=50,
        )
    except Exception as failure:  # Playwright's TimeoutError: say what was on the screen instead
        raise AssertionError(f"{text!r} never showed in the browser; the screen was:\n{screen(page)}") from failure
    return screen(page)


def drawn_ms(page: Any, timeout: float = 60) -> tuple[float, float]:
    """Milliseconds from the start of the page's navigation to the first
    frame xterm.js drew that showed the page's marker, and to the app's
    first output reaching the terminal."""
    handle = page.wait_for_function(
        "() => window.__pq && window.__pq.drawn && [window.__pq.drawn, window.__pq.firstOutput]",
        timeout=timeout * 1000, polling=20,
    )
    drawn, first_output = handle.json_value()
    return float(drawn), float(first_output)


def focus_terminal(page: Any) -> None:
    """Keys typed go to the terminal (its hidden textarea), as after a click, but without the click."""
    page.locator("textarea.xterm-helper-textarea").focus()


class Served:
    """A ``paperqueue serve`` child process on a free loopback port."""

    def __init__(self, process: subprocess.Popen[str], url: str, home: Path) -> None:
        self.process = process
        self.url = url
        self.home = home

    def app_pids(self) -> list[int]:
        """The app sessions serve started (its child processes)."""
        return children(self.process.pid)

    def stop(self) -> tuple[str, str]:
        """SIGTERM, and what serve printed; an app left running (serve broken) is killed."""
        apps = {pid: _cmdline(pid) for pid in self.app_pids()}
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.communicate()
        finally:
            for app, cmdline in apps.items():  # only if still that same process
                if cmdline and _cmdline(app) == cmdline:
                    try:
                        os.kill(app, signal.SIGKILL)
                    except ProcessLookupError:
                        pass


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def start_serve(
    home: Path, *options: str, env: dict[str, str] | None = None, app: Sequence[str] | None = None
) -> Served:
    """``paperqueue serve --port 0`` with ``PAPERQUEUE_HOME=home``; with
    ``app``, the same server starting ``app`` (a command) for each tab."""
    if app is None:
        command = [sys.executable, "-m", "paperqueue", "serve", "--port", "0", *options]
    else:
        program = (
            "import sys\n"
            "from paperqueue.serving import server\n"
            f"server.app_command = lambda: {list(app)!r}\n"
            "from paperqueue.cli import main\n"
            "raise SystemExit(main(sys.argv[1:]))\n"
        )
        command = [sys.executable, "-c", program, "serve", "--port", "0", *options]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, **(env or {}), "PAPERQUEUE_HOME": str(home)},
    )
    line = process.stdout.readline() if process.stdout else ""
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not found:
        process.kill()
        out, err = process.communicate()
        raise RuntimeError(f"serve did not say where it listens: {line!r} {out!r} {err!r}")
    return Served(process, found.group(0), home)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def until(check: Callable[[], Any], timeout: float = 15, step: float = 0.05) -> Any:
    """``check()``'s first true answer within ``timeout`` seconds, else its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer or time.monotonic() >= deadline:
            return answer
        time.sleep(step)


def lock_holder(home: Path) -> int | None:
    """The pid the queue's lock file names (None: none)."""
    try:
        return int((home / "queue.lock").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def papers(home: Path) -> dict[str, dict[str, Any]]:
    """The store as ``paperqueue list --format json`` reads it (it works while an app holds the lock), by title."""
    done = subprocess.run(
        [sys.executable, "-m", "paperqueue", "list", "--all", "--format", "json"],
        check=False, capture_output=True, text=True, cwd=ROOT, timeout=60, env={**os.environ, "PAPERQUEUE_HOME": str(home)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"paperqueue list failed: {done.stderr}")
    return {paper["title"]: paper for paper in json.loads(done.stdout)}


def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: ``$PAPERQUEUE_ARTIFACTS`` when set, else the test's tmp_path."""
    named = os.environ.get("PAPERQUEUE_ARTIFACTS")
    folder = Path(named) if named else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder
