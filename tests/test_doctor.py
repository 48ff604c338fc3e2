"""``paperqueue doctor``: the store, the lock, the clipboard and OSC 52, from fake environments."""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

import pytest

from paperqueue.core import doctor
from paperqueue.core.doctor import clipboard, diagnose, human_size, osc52, render
from paperqueue.core.importers.page import ParsedPaper
from paperqueue.core.store import Store


def fake_which(*found: str):
    return lambda name: f"/usr/bin/{name}" if name in found else None


def lines(home: Path, env: dict[str, str], **kw) -> dict[str, str]:
    kw.setdefault("system", "Linux")
    kw.setdefault("which", fake_which())
    return dict(diagnose(home, env, **kw))


def make_store(home: Path, n: int = 3) -> None:
    store = Store.open(home)
    store.add_papers([ParsedPaper(f"Paper {i}", "Text.", None, ()) for i in range(n)], source="test")
    store.close()


def test_no_store_yet_and_nothing_created(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    found = lines(home, {"PAPERQUEUE_HOME": str(home)})
    assert found["store"] == f"{home} (from $PAPERQUEUE_HOME; it does not exist yet)"
    assert found["size on disk"] == "nothing on disk yet"
    assert found["papers"] == "no store yet"
    assert found["writer lock"].startswith("free")
    assert not home.exists(), "the doctor only looks"


def test_existing_store_count_size_and_free_lock(pq_home: Path) -> None:
    make_store(pq_home, 3)
    total = sum(p.stat().st_size for p in pq_home.rglob("*") if p.is_file())
    files = sum(1 for p in pq_home.rglob("*") if p.is_file())
    found = lines(pq_home, dict(os.environ))
    assert found["store"] == f"{pq_home} (from $PAPERQUEUE_HOME)"
    assert found["papers"] == "3"
    assert found["size on disk"] == f"{human_size(total)} in {files} files"
    assert found["writer lock"] == "free"
    # Trying the lock left it usable.
    Store.open(pq_home).close()


def test_lock_held_by_an_open_store_is_reported(pq_home: Path) -> None:
    make_store(pq_home)
    holder = Store.open(pq_home)
    try:
        found = lines(pq_home, {})
    finally:
        holder.close()
    assert found["writer lock"] == f"held by another paperqueue app (pid {os.getpid()}): this one would open the queue read-only"
    assert lines(pq_home, {})["writer lock"] == "free"


def test_default_location_and_a_home_given_directly(tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    home.mkdir()
    assert lines(home, {})["store"] == f"{home} (the default; set $PAPERQUEUE_HOME to use another folder)"
    assert lines(home, {"PAPERQUEUE_HOME": "/nowhere"})["store"] == f"{home} (given directly ($PAPERQUEUE_HOME says /nowhere))"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "meta.json is unreadable (not valid JSON); paperqueue will set it aside when it opens the store"),
        (b'{"meta": {}}', "meta.json is unreadable (no paper count: '1'); paperqueue will set it aside when it opens the store"),
        (b'{"meta": {"1": {"count": "many"}}}', "meta.json is unreadable (no paper count: count is 'many'); paperqueue will set it aside when it opens the store"),
        (b'{"meta": {"1": {"count": 123456}}}', "123,456"),
    ],
)
def test_meta_json_is_read_alone(tmp_path: Path, content: bytes, expected: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "meta.json").write_bytes(content)
    assert lines(home, {})["papers"] == expected


def test_missing_meta_with_an_index_and_a_first_layout_store(pq_home: Path, tmp_path: Path) -> None:
    make_store(pq_home)
    (pq_home / "meta.json").unlink()
    assert "recount the index" in lines(pq_home, {})["papers"]
    old = tmp_path / "old"
    old.mkdir()
    (old / "papers.json").write_text("{}")
    assert "first-layout store" in lines(old, {})["papers"]


def test_human_sizes() -> None:
    assert human_size(0) == "0 B"
    assert human_size(1023) == "1023 B"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(5 * 1024**2) == "5.0 MiB"
    assert human_size(3 * 1024**5) == "3072.0 TiB"


@pytest.mark.parametrize(
    ("env", "system", "commands", "expected"),
    [
        ({}, "Windows", (), "yes: the Windows clipboard"),
        ({}, "Darwin", ("pbcopy",), "yes: pbcopy"),
        ({}, "Darwin", (), "no: pbcopy is missing"),
        ({}, "WSL", ("clip.exe",), "yes: clip.exe (Windows Subsystem for Linux)"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "Linux", ("wl-copy", "wl-paste"), "yes: wl-copy (Wayland)"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "Linux", ("wl-copy", "xsel"), "yes: xsel (X11)"),
        ({"DISPLAY": ":0"}, "Linux", ("xclip", "xsel"), "yes: xclip (X11)"),
        ({"DISPLAY": ":0"}, "Linux", ("klipper", "qdbus"), "yes: klipper (KDE)"),
        ({"DISPLAY": ":0"}, "Linux", (), "no: a display is set but no copy command was found; install xclip or xsel"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "Linux", (), "no: Wayland without wl-copy and wl-paste; install wl-clipboard"),
        ({}, "Linux", ("xclip", "wl-copy", "wl-paste"), "no: no display ($DISPLAY and $WAYLAND_DISPLAY are unset); copies go through OSC 52 only"),
    ],
)
def test_clipboard_is_judged_like_pyperclip(monkeypatch, env, system, commands, expected) -> None:
    monkeypatch.setattr(doctor.importlib.util, "find_spec", lambda name: None)  # no Qt
    assert clipboard(env, system, fake_which(*commands)) == expected


def test_clipboard_never_copies(monkeypatch, tmp_path: Path) -> None:
    import pyperclip

    def refuse(*_args):
        raise AssertionError("the doctor must not copy")

    monkeypatch.setattr(pyperclip, "copy", refuse)
    monkeypatch.setattr(pyperclip, "paste", refuse)
    assert lines(tmp_path, {"DISPLAY": ":0"}, which=fake_which("xclip"))["clipboard"] == "yes: xclip (X11)"


@pytest.mark.parametrize(
    ("env", "start"),
    [
        ({"TERM_PROGRAM": "iTerm.app"}, "likely: iTerm2"),
        ({"TERM_PROGRAM": "WezTerm"}, "likely: WezTerm"),
        ({"TERM": "xterm-kitty"}, "likely: kitty"),
        ({"TERM": "alacritty"}, "likely: Alacritty"),
        ({"TERM": "foot"}, "likely: foot"),
        ({"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, "likely: Ghostty"),
        ({"WT_SESSION": "abc"}, "likely: Windows Terminal"),
        ({"TERM_PROGRAM": "vscode"}, "probably: recent VS Code"),
        ({"TERM_PROGRAM": "tmux", "TMUX": "/tmp/tmux-1/default,1,0"}, "inside tmux: yes if tmux has `set -g set-clipboard on`"),
        ({"TERM": "screen-256color", "STY": "1.pts"}, "inside GNU screen: unlikely"),
        ({"TERM_PROGRAM": "Apple_Terminal"}, "unlikely: macOS Terminal"),
        ({"VTE_VERSION": "7600", "TERM": "xterm-256color"}, "unlikely: GNOME Terminal"),
        ({"TERM": "xterm-256color"}, "unknown terminal (TERM_PROGRAM/TERM: xterm-256color)"),
        ({}, "unknown terminal (TERM_PROGRAM/TERM: not set)"),
    ],
)
def test_osc52_guesses(env, start) -> None:
    assert osc52(env).startswith(start)
    assert "SSH" not in osc52(env)


def test_osc52_over_ssh_says_so() -> None:
    for env in ({"SSH_TTY": "/dev/pts/3"}, {"SSH_CONNECTION": "10.0.0.2 5000 10.0.0.1 22", "TMUX": "x"}):
        guess, ssh = osc52(env).splitlines()
        assert ssh == "over SSH: OSC 52 is the way to reach your local clipboard"
    assert guess.startswith("inside tmux")


def test_versions_and_render(pq_home: Path) -> None:
    found = lines(pq_home, {"TERM_PROGRAM": "WezTerm", "SSH_TTY": "/dev/pts/1"})
    assert found["textual"] == metadata.version("textual")
    assert found["python"].split()[1] == ".".join(map(str, sys.version_info[:3]))
    text = render(list(found.items()))
    rows = text.splitlines()
    assert rows[0].startswith("store         ") and rows[0].endswith("(the default; set $PAPERQUEUE_HOME to use another folder; it does not exist yet)")
    assert "OSC 52        likely: WezTerm takes OSC 52" in rows
    assert "              over SSH: OSC 52 is the way to reach your local clipboard" in rows
    assert text.endswith("\n") and render([]) == "\n"


# -- issue 9 item 15: nothing raw reaches the terminal; a stale pid is not "another paperqueue"

import fcntl
import subprocess
import textwrap


def _hold_lock_elsewhere(path: Path) -> subprocess.Popen:
    """A process that is not paperqueue holding the lock (like ``flock FILE sleep``)."""
    script = textwrap.dedent(
        """
        import fcntl, os, sys
        fd = os.open(sys.argv[1], os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("ready", flush=True)
        sys.stdin.read()
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child


def _dead_pid() -> int:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(gone.stdout)


def test_control_sequences_in_the_folder_path_never_reach_the_terminal(tmp_path: Path) -> None:
    home = tmp_path / "pq\x1b]0;pwned\x07\x1b[2Jhome\nnext"
    make_store(home)
    text = render(diagnose(home, {"PAPERQUEUE_HOME": str(home)}, system="Linux", which=fake_which()))
    assert "\x1b" not in text and "\x07" not in text
    found = dict(diagnose(home, {"PAPERQUEUE_HOME": str(home)}, system="Linux", which=fake_which()))
    assert "\n" not in found["store"] and "pq" in found["store"] and "home" in found["store"]


def test_the_lock_note_is_cleaned_before_it_is_printed(pq_home: Path) -> None:
    make_store(pq_home)
    (pq_home / "queue.lock").write_bytes(b"\x1b]52;c;ZXZpbA==\x07\x1b[31m")
    fd = os.open(pq_home / "queue.lock", os.O_RDWR)  # another open file: a conflicting flock
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        text = render(diagnose(pq_home, {}, system="Linux", which=fake_which()))
    finally:
        os.close(fd)
    assert "\x1b" not in text and "\x07" not in text
    assert "held by" in text


def test_a_stale_pid_is_not_called_another_paperqueue(pq_home: Path) -> None:
    make_store(pq_home)
    dead = _dead_pid()
    (pq_home / "queue.lock").write_text(f"{dead} app")  # left by a paperqueue that was killed
    holder = _hold_lock_elsewhere(pq_home / "queue.lock")
    try:
        found = lines(pq_home, {})["writer lock"]
    finally:
        holder.stdin.close()
        holder.wait()
    assert "another paperqueue" not in found
    assert f"pid {holder.pid}" in found and "not paperqueue" in found
    assert f"pid {dead} (not running)" in found


def test_a_live_holder_the_note_names_is_described_as_what_it_is(pq_home: Path) -> None:
    make_store(pq_home)
    holder = _hold_lock_elsewhere(pq_home / "queue.lock")
    try:
        (pq_home / "queue.lock").write_text(f"{holder.pid} import")  # the note says import, the command line disagrees
        from paperqueue.core.lock import Note, who_holds

        described = who_holds(pq_home / "queue.lock", Note.parse(f"{holder.pid} import".encode())).describe()
    finally:
        holder.stdin.close()
        holder.wait()
    assert described == f"another paperqueue import (pid {holder.pid})", "the kernel and the note agree"


def test_sync_says_whether_it_is_set_up_through_what_and_when_it_last_ran(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.cli import main

    make_store(pq_home)
    assert lines(pq_home, {})["sync"] == "not set up (paperqueue sync init folder PATH, or sync init git URL)"
    folder = tmp_path / "Sync"
    assert main(["sync", "init", "folder", str(folder)]) == 0
    found = lines(pq_home, {})["sync"]
    device = found.split("this device is ")[1].split(";")[0]
    assert found == f"through the folder {folder}; this device is {device}; last sync none yet"
    (pq_home / "sync.json").write_text("{", encoding="utf-8")
    damaged = lines(pq_home, {})["sync"]
    assert "damaged" in damaged and "sync init" in damaged and "\n" not in damaged
