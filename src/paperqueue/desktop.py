"""The system clipboard and the web browser, kept at arm's length.

Both run in a child Python process with every stream captured and (for the
browser) a new session with no controlling terminal, so a helper such as
xclip or a text-mode browser can never draw over the app or take the
terminal. Call these from a worker thread: they block.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

_COPY = """
import sys
try:
    import pyperclip
    pyperclip.copy(sys.stdin.read())
except Exception as error:
    sys.stderr.write(type(error).__name__ + ": " + str(error).splitlines()[0] if str(error) else type(error).__name__)
    sys.exit(3)
"""

_OPEN = """
import sys, webbrowser
sys.exit(0 if webbrowser.open(sys.argv[1]) else 4)
"""

_system_clipboard_missing: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    detail: str = ""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _run_child(code: str, args: list[str], stdin: bytes | None, timeout: float) -> subprocess.CompletedProcess | str:
    """Run ``code`` in a child Python, detached, output captured; a string says why it could not run."""
    try:
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=_child_env(),
            start_new_session=True,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)


def system_copy(text: str, timeout: float = 5.0) -> Outcome:
    """Copy with pyperclip in a child process; remembers a missing mechanism."""
    global _system_clipboard_missing
    if _system_clipboard_missing is not None:
        return Outcome(False, _system_clipboard_missing)
    done = _run_child(_COPY, [], text.encode("utf-8"), timeout)
    if isinstance(done, str):
        return Outcome(False, done)
    if done.returncode == 0:
        return Outcome(True)
    detail = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
    if "PyperclipException" in detail:
        _system_clipboard_missing = detail
    return Outcome(False, detail)


def has_display() -> bool:
    """Whether a window can be shown here (a PDF viewer, say)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY"))


def has_graphical_session() -> bool:
    """Whether a browser can be started from here: a display, or one the
    person named in ``$BROWSER``."""
    return has_display() or bool(os.environ.get("BROWSER"))


def open_url(url: str, timeout: float = 15.0) -> Outcome:
    """Open ``url`` in the browser, detached from this terminal."""
    done = _run_child(_OPEN, [url], None, timeout)
    if isinstance(done, str):
        return Outcome(False, done)
    if done.returncode == 0:
        return Outcome(True)
    return Outcome(False, "no browser could be started")
