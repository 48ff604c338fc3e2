"""``paperqueue doctor``: where things are and what copying can use.

Everything here only looks: the store is not opened (its ``meta.json`` is
read for the count, its ``settings.json`` for the full-text cache's cap),
the writer lock is tried and let go at once, and the
clipboard is judged the way pyperclip would choose a mechanism, without
copying anything. Textual's version comes from the package metadata, so the
doctor does not import the UI.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path

from paperqueue import __version__
from paperqueue.core.fulltext.cache import FOLDER as FULLTEXT_FOLDER
from paperqueue.core.fulltext.cache import FullTextCache
from paperqueue.core.fulltext.settings import cache_cap
from paperqueue.core.lock import StoreLock, StoreLockedError, who_holds
from paperqueue.core.paths import ENV_HOME
from paperqueue.core.store import layout
from paperqueue.core.text import one_line

Line = tuple[str, str]
Which = Callable[[str], str | None]

# Terminals known to take OSC 52 copies, by $TERM_PROGRAM and by $TERM.
_OSC52_PROGRAMS = {
    "iTerm.app": "iTerm2",
    "WezTerm": "WezTerm",
    "ghostty": "Ghostty",
    "mintty": "mintty",
    "kitty": "kitty",
    "Alacritty": "Alacritty",
}
_OSC52_TERMS = {"xterm-kitty": "kitty", "alacritty": "Alacritty", "foot": "foot", "foot-extra": "foot", "xterm-ghostty": "Ghostty", "wezterm": "WezTerm"}


def diagnose(
    home: Path,
    env: Mapping[str, str] | None = None,
    *,
    system: str | None = None,
    which: Which = shutil.which,
) -> list[Line]:
    """Labelled findings about the store in ``home`` and the environment.

    ``system`` is ``platform.system()`` (or ``"WSL"``) unless given; ``which``
    finds commands. Both are there for tests.
    """
    env = os.environ if env is None else env
    system = system or _system()
    found = [
        ("store", _where(home, env)),
        ("size on disk", _size(home)),
        ("full texts", _fulltext(home)),
        ("papers", _count(home)),
        ("writer lock", _lock(home)),
        ("clipboard", clipboard(env, system, which)),
        ("OSC 52", osc52(env)),
        ("git", git(which)),
        ("sync", _sync(home)),
        ("python", f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"),
        ("textual", _version("textual")),
        ("paperqueue", __version__),
    ]
    # Paths, the lock's note and the environment come from outside: no
    # control sequence reaches the terminal (each line of a value is cleaned).
    return [(label, "\n".join(one_line(line) for line in value.splitlines())) for label, value in found]


def render(lines: list[Line]) -> str:
    """One line per finding, values aligned; long values keep their indent."""
    width = max((len(label) for label, _ in lines), default=0)
    out = []
    for label, value in lines:
        first, *rest = value.splitlines() or [""]
        out.append(f"{label.ljust(width)}  {first}".rstrip())
        out.extend(f"{'':{width}}  {more}".rstrip() for more in rest)
    return "\n".join(out) + "\n"


# -- the store -------------------------------------------------------------------


def _where(home: Path, env: Mapping[str, str]) -> str:
    explicit = env.get(ENV_HOME)
    if explicit and _same(Path(explicit).expanduser(), home):
        origin = f"from ${ENV_HOME}"
    elif explicit:
        origin = f"given directly (${ENV_HOME} says {one_line(explicit)})"
    else:
        origin = f"the default; set ${ENV_HOME} to use another folder"
    missing = "" if home.exists() else "; it does not exist yet"
    return f"{one_line(str(home))} ({origin}{missing})"


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _size(home: Path) -> str:
    """The data folder without the full-text cache (up to its cap of PDFs:
    it has its own line)."""
    if not home.is_dir():
        return "nothing on disk yet"
    total = files = 0
    cache = False
    for folder, dirs, names in os.walk(home):
        if folder == str(home) and FULLTEXT_FOLDER in dirs:
            dirs.remove(FULLTEXT_FOLDER)
            cache = True
        for name in names:
            try:
                info = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            total += info.st_size
            files += 1
    apart = ", not counting the full-text cache" if cache else ""
    return f"{human_size(total)} in {files} file{'' if files == 1 else 's'}{apart}"


def _fulltext(home: Path) -> str:
    """What the full-text cache holds and its cap (from the store's settings)."""
    return FullTextCache(home, cache_cap(_settings(home))).size().describe()


def _settings(home: Path) -> dict:
    """The store's settings as ``settings.json`` holds them (empty when it
    is missing or unreadable: the store sets a damaged one aside on open)."""
    try:
        data = json.loads((home / layout.SETTINGS).read_bytes())
        found = data["settings"]["1"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def _count(home: Path) -> str:
    path = home / layout.META
    if not path.exists():
        if (home / layout.V1_PAPERS).exists():
            return f"a first-layout store ({layout.V1_PAPERS}); paperqueue will convert it when it opens the store"
        if layout.shards(home, layout.INDEX):
            return f"{layout.META} is missing; paperqueue will recount the index when it opens the store"
        return "no store yet"
    try:
        data = json.loads(path.read_bytes())
        count = data["meta"]["1"]["count"]
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"count is {count!r}")
    except OSError as error:
        return f"{layout.META} is unreadable ({error.strerror or error})"
    except (ValueError, KeyError, TypeError) as error:
        reason = "not valid JSON" if isinstance(error, ValueError) else f"no paper count: {error}"
        return f"{layout.META} is unreadable ({reason}); paperqueue will set it aside when it opens the store"
    return f"{count:,}"


def _lock(home: Path) -> str:
    path = home / layout.LOCK
    if not os.path.lexists(path):
        return "free (no paperqueue has opened this store yet)"
    lock = StoreLock(path)
    try:
        lock.acquire()
    except StoreLockedError as error:
        return f"held by {who_holds(path, error.note).describe()}: this one would open the queue read-only"
    except OSError as error:
        return f"could not check ({error.strerror or error})"
    lock.release()
    return "free"


# -- the clipboard ---------------------------------------------------------------


def _sync(home: Path) -> str:
    """Whether this store syncs, through what, and when it last did (no
    remote or folder is contacted)."""
    from paperqueue.core.sync.git import load_remote
    from paperqueue.core.sync.git_process import shown_url
    from paperqueue.core.sync.settings import SyncError, load_settings

    try:
        settings = load_settings(home)
        remote = load_remote(home) if settings is not None else None
    except SyncError as error:
        return str(error)
    if settings is None:
        return "not set up (paperqueue sync init folder PATH, or sync init git URL)"
    where = f"through git, {shown_url(remote.url)}" if remote is not None else f"through the folder {settings.folder}"
    return f"{where}; this device is {settings.device}; last sync {settings.last_sync or 'none yet'}"


def _system() -> str:
    name = platform.system()
    if name == "Linux":
        try:
            with open("/proc/version", encoding="utf-8", errors="replace") as handle:
                if "microsoft" in handle.read().lower():
                    return "WSL"
        except OSError:
            pass
    return name


def clipboard(env: Mapping[str, str], system: str, which: Which = shutil.which) -> str:
    """The mechanism pyperclip would pick, or why there is none."""
    if system == "Windows" or "cygwin" in system.lower():
        return "yes: the Windows clipboard"
    if system == "WSL":
        return "yes: clip.exe (Windows Subsystem for Linux)" if which("clip.exe") else "no: clip.exe is not on PATH in WSL"
    if system == "Darwin":
        return "yes: pbcopy" if which("pbcopy") else "no: pbcopy is missing"
    if env.get("WAYLAND_DISPLAY") and which("wl-copy") and which("wl-paste"):
        return "yes: wl-copy (Wayland)"
    if env.get("DISPLAY"):
        for command in ("xclip", "xsel"):
            if which(command):
                return f"yes: {command} (X11)"
        if which("klipper") and which("qdbus"):
            return "yes: klipper (KDE)"
        if any(importlib.util.find_spec(name) for name in ("qtpy", "PyQt5")):
            return "yes: Qt"
        hint = "wl-clipboard, xclip or xsel" if env.get("WAYLAND_DISPLAY") else "xclip or xsel"
        return f"no: a display is set but no copy command was found; install {hint}"
    if env.get("WAYLAND_DISPLAY"):
        return "no: Wayland without wl-copy and wl-paste; install wl-clipboard"
    return "no: no display ($DISPLAY and $WAYLAND_DISPLAY are unset); copies go through OSC 52 only"


def osc52(env: Mapping[str, str]) -> str:
    """Whether the terminal probably takes OSC 52 copies (a guess from the environment)."""
    notes = [_terminal_guess(env)]
    if env.get("SSH_TTY") or env.get("SSH_CONNECTION"):
        notes.append("over SSH: OSC 52 is the way to reach your local clipboard")
    return "\n".join(notes)


def _terminal_guess(env: Mapping[str, str]) -> str:
    program = env.get("TERM_PROGRAM", "")
    term = env.get("TERM", "")
    if env.get("TMUX"):
        return "inside tmux: yes if tmux has `set -g set-clipboard on` and the outer terminal takes OSC 52"
    if env.get("STY") or term.startswith("screen"):
        return "inside GNU screen: unlikely (screen does not pass OSC 52 on)"
    if program in _OSC52_PROGRAMS:
        return f"likely: {_OSC52_PROGRAMS[program]} takes OSC 52"
    if term in _OSC52_TERMS or env.get("KITTY_WINDOW_ID"):
        return f"likely: {_OSC52_TERMS.get(term, 'kitty')} takes OSC 52"
    if env.get("WT_SESSION"):
        return "likely: Windows Terminal takes OSC 52"
    if program == "vscode":
        return "probably: recent VS Code terminals take OSC 52"
    if program == "Apple_Terminal":
        return "unlikely: macOS Terminal ignores OSC 52 (iTerm2, WezTerm or kitty take it)"
    if env.get("VTE_VERSION"):
        return "unlikely: GNOME Terminal and other VTE terminals ignore OSC 52"
    if env.get("XTERM_VERSION"):
        return "maybe: xterm takes OSC 52 only when its allowWindowOps/disallowedWindowOps resources allow it"
    shown = program or term or "not set"
    return f"unknown terminal (TERM_PROGRAM/TERM: {shown})"


def git(which: Which = shutil.which) -> str:
    """Whether git is installed (sync through git runs it; a folder does not need it)."""
    program = which("git")
    if program is None:
        return "no: git is not installed (or not on PATH); sync through git needs it, sync through a folder does not"
    try:
        done = subprocess.run([program, "--version"], capture_output=True, text=True, errors="replace", timeout=10,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return f"no: {program} does not run"
    return f"yes: {done.stdout.strip() or 'a git that does not say its version'} ({program})"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"
