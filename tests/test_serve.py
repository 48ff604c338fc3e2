"""``paperqueue serve``, the server half: started as a child process on a
free loopback port, spoken to with aiohttp's client (the real-browser tests
are separate)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse 7 battery"
URL_RE = re.compile(r"""\b(?:https?|wss?)://[^\s"'<>)]+""")


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url  # http://127.0.0.1:PORT/
        self.netloc = urlsplit(url).netloc

    def app_pids(self) -> list[int]:
        """The app subprocesses serve started (its children)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def stop(self) -> tuple[str, str]:
        apps = self.app_pids()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            out, err = self.process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            pytest.fail("serve did not stop within 5 s of SIGTERM")
        finally:
            for app in apps:  # left running only when serve is broken: not left behind by the tests
                try:
                    if b"paperqueue" in Path(f"/proc/{app}/cmdline").read_bytes():
                        os.kill(app, signal.SIGKILL)
                except (OSError, ProcessLookupError):
                    pass
        return out, err


def start_serve(*options: str, env: dict[str, str] | None = None) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "paperqueue", "serve", "--port", "0", *options],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not found:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"serve did not say where it listens: {line!r} {out!r} {err!r}")
    return Served(process, found.group(0))


@pytest.fixture
def served() -> Iterator[Served]:
    server = start_serve()
    yield server
    server.stop()


@pytest.fixture
def guarded() -> Iterator[Served]:
    server = start_serve("--password", env={"PAPERQUEUE_SERVE_PASSWORD": PASSWORD})
    yield server
    server.stop()


def auth(password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": aiohttp.encode_basic_auth("me", password)}


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(url, headers=headers or {}) as response:
        return response.status, (await response.read()).decode("utf-8", "replace")


def websocket_url(page: str) -> str:
    found = re.search(r'data-session-websocket-url="([^"]*)"', page)
    assert found, page
    return found.group(1)


async def screen_text(socket_: aiohttp.ClientWebSocketResponse, until: bytes) -> str:
    """What the app drew, escape sequences dropped, once ``until`` shows (or 20 s passed)."""
    drawn = b""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while loop.time() < deadline:
        try:
            message = await asyncio.wait_for(socket_.receive(), deadline - loop.time())
        except TimeoutError:
            break
        if message.type == aiohttp.WSMsgType.BINARY:
            drawn += message.data
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            break
        if until.lower() in re.sub(rb"\x1b\[[0-9;?<>]*[ -/]*[@-~]", b"", drawn).lower():
            break
    return re.sub(rb"\x1b\[[0-9;?<>]*[ -/]*[@-~]", b"", drawn).decode("utf-8", "replace")


async def test_page_loads_nothing_from_another_host(served: Served) -> None:
    status, page = await get(served.url)
    assert status == 200
    urls = URL_RE.findall(page)
    assert urls, page  # the websocket and the static files, absolute
    assert {urlsplit(url).netloc for url in urls} == {served.netloc}, urls
    for url in urls:
        if url.startswith("http"):
            assert (await get(url))[0] == 200, url  # what the page loads is there
    assert "//" not in re.sub(URL_RE, "", page)  # no protocol-relative address either


async def test_urls_follow_the_address_the_browser_used(served: Served, guarded: Served) -> None:
    port = served.netloc.split(":")[1]
    _, page = await get(served.url, {"Host": f"localhost:{port}"})
    assert websocket_url(page) == f"ws://localhost:{port}/ws"
    assert f"http://localhost:{port}/static/js/textual.js" in page
    # From another machine (a password is needed for a name other than localhost):
    _, page = await get(guarded.url, {"Host": "example.test:1234", **auth()})
    assert websocket_url(page) == "ws://example.test:1234/ws"
    assert all("//example.test:1234/" in url for url in URL_RE.findall(page))


async def test_public_url_names_the_page_addresses() -> None:
    server = start_serve("--public-url", "https://papers.example.org/pq/")
    try:
        _, page = await get(server.url, {"Host": "papers.example.org"})
        assert websocket_url(page) == "wss://papers.example.org/pq/ws"
        assert {url.split("/pq/")[0] for url in URL_RE.findall(page)} == {"wss://papers.example.org", "https://papers.example.org"}
    finally:
        server.stop()


async def test_without_a_password_only_this_machine_is_answered(served: Served) -> None:
    # A web page whose DNS name points at 127.0.0.1 (rebinding) gets nothing...
    status, page = await get(served.url, {"Host": "attacker.example:80"})
    assert status == 421 and "data-session" not in page
    # ...and another site's page cannot open the app's websocket.
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(served.url + "ws", headers={"Origin": "http://attacker.example"})
        assert refused.value.status == 403
    assert served.app_pids() == []


@pytest.mark.parametrize("path", ["", "static/js/textual.js", "static/fonts/RobotoMono-VariableFont_wght.ttf", "download/abc"])
async def test_a_password_guards_every_path(guarded: Served, path: str) -> None:
    for headers in ({}, auth("wrong"), {"Authorization": "Basic !!!"}):
        assert (await get(guarded.url + path, headers))[0] == 401
    status, _ = await get(guarded.url + path, auth())
    assert status == (404 if path.startswith("download") else 200)  # no such download, but past the password


async def test_a_password_guards_the_websocket(guarded: Served) -> None:
    async with aiohttp.ClientSession() as client:
        for headers in ({}, auth("wrong")):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(guarded.url + "ws", headers=headers)
            assert refused.value.status == 401
        assert guarded.app_pids() == []  # nothing started for them
        async with client.ws_connect(guarded.url + "ws", headers=auth()) as socket_:
            assert await screen_text(socket_, b"Inbox")
            [app] = guarded.app_pids()
            environment = Path(f"/proc/{app}/environ").read_bytes()
            assert PASSWORD.encode() not in environment and b"PAPERQUEUE_SERVE_PASSWORD" not in environment
            assert Path(f"/proc/{app}/cmdline").read_bytes().split(b"\0")[1:3] == [b"-m", b"paperqueue"]
            assert PASSWORD.encode() not in Path(f"/proc/{app}/cmdline").read_bytes()
            assert PASSWORD.encode() not in Path(f"/proc/{guarded.process.pid}/cmdline").read_bytes()
    out, err = guarded.stop()
    assert PASSWORD not in out + err


def test_other_addresses_need_a_password(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "PAPERQUEUE_SERVE_PASSWORD"}
    for host in ("0.0.0.0", "192.0.2.7", "example.test"):
        done = subprocess.run(
            [sys.executable, "-m", "paperqueue", "serve", "--host", host, "--port", str(port)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
        )
        assert done.returncode == 2
        assert done.stdout == ""
        assert len(done.stderr.splitlines()) == 1 and "password" in done.stderr
    # --password with no variable and no terminal to ask on: refused at once too, no prompt
    done = subprocess.run(
        [sys.executable, "-m", "paperqueue", "serve", "--host", "0.0.0.0", "--port", str(port), "--password"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and "Password" not in done.stdout + done.stderr
    with socket.socket() as client, pytest.raises(ConnectionRefusedError):
        client.connect(("127.0.0.1", port))


def test_password_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(PASSWORD + "\n")
    server = start_serve("--password-file", str(secret))
    try:
        assert asyncio.run(get(server.url))[0] == 401
        assert asyncio.run(get(server.url, auth()))[0] == 200
    finally:
        server.stop()


async def holder(home: Path, apps: list[int]) -> int | None:
    """Which of ``apps`` the queue's lock file names, once one of them does (10 s at most)."""
    for _ in range(100):
        try:
            pid = int((home / "queue.lock").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pid = None
        if pid in apps:
            return pid
        await asyncio.sleep(0.1)
    return None


async def test_one_tab_writes_the_others_read(served: Served, pq_home: Path) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(served.url + "ws?width=120&height=30") as first:
            await screen_text(first, b"Inbox")
            [writer] = served.app_pids()
            assert await holder(pq_home, [writer]) == writer
            second = await client.ws_connect(served.url + "ws?width=120&height=30")
            assert "read-only" in (await screen_text(second, b"read-only")).lower()
            [reader] = set(served.app_pids()) - {writer}
        # The first tab closed: its app ended, and a new tab writes again.
        for _ in range(100):
            if served.app_pids() == [reader]:
                break
            await asyncio.sleep(0.1)
        async with client.ws_connect(served.url + "ws?width=120&height=30") as third:
            await screen_text(third, b"Inbox")
            [new_writer] = set(served.app_pids()) - {reader}
            assert await holder(pq_home, [new_writer, reader]) == new_writer
        await second.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
async def test_stopping_ends_the_apps_and_frees_the_queue(served: Served, stop: signal.Signals) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(served.url + "ws") as socket_:
            await screen_text(socket_, b"Inbox")
            [app] = served.app_pids()
            served.process.send_signal(stop)
            await asyncio.get_running_loop().run_in_executor(None, lambda: served.process.wait(5))
    assert served.process.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(app, 0)
    # The queue is free to write: a command that needs the lock gets it.
    done = subprocess.run([sys.executable, "-m", "paperqueue", "undo"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_browser_that_vanishes_frees_the_queue(served: Served) -> None:
    """The connection drops without a websocket goodbye (a tab killed, a
    network gone): its app ends and the queue can be written again."""
    host, port = served.netloc.split(":")
    with socket.create_connection((host, int(port))) as raw:
        raw.sendall(
            f"GET /ws?width=100&height=30 HTTP/1.1\r\nHost: {served.netloc}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        received = b""
        while b"Inbox" not in received:  # the app painted: it holds the queue
            chunk = raw.recv(65536)
            assert chunk, received[:200]
            received += chunk
        assert received.startswith(b"HTTP/1.1 101")
        [app] = served.app_pids()
        locked = subprocess.run([sys.executable, "-m", "paperqueue", "undo"], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert locked.returncode == 1, locked.stdout  # the app has the queue
    for _ in range(100):  # gone without a trace, at most 10 s
        try:
            os.kill(app, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the app of a vanished connection still runs")
    done = subprocess.run([sys.executable, "-m", "paperqueue", "undo"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert served.process.poll() is None  # serve itself goes on


async def test_an_app_outlives_no_serve_that_was_killed(served: Served) -> None:
    """serve killed outright (SIGKILL: no chance to end its apps) while a
    tab is open: the app notices its pipe from serve closed, saves, leaves
    and frees the queue, instead of holding the lock with no one to serve."""
    async with aiohttp.ClientSession() as client:
        async with client.ws_connect(served.url + "ws") as socket_:
            await screen_text(socket_, b"Inbox")
            [app] = served.app_pids()
            served.process.kill()
            served.process.wait(5)
    for _ in range(100):  # gone, at most 10 s
        try:
            os.kill(app, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.1)
    else:
        os.kill(app, signal.SIGKILL)
        pytest.fail("the app of a killed serve still runs")
    done = subprocess.run([sys.executable, "-m", "paperqueue", "undo"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("driver", ["paperqueue.serving.driver:ServedDriver", "textual.drivers.web_driver:WebDriver"])
def test_a_served_app_leaves_when_its_input_from_serve_closes(pq_home: Path, driver: str) -> None:
    """The app's end of the pipe from serve closes (serve gone) while its
    output is still read: with serve's driver it saves and leaves at once;
    Textual's own web driver would go on running (and holding the queue)."""
    env = {**os.environ, "TEXTUAL_DRIVER": driver, "COLUMNS": "100", "ROWS": "30"}
    app = subprocess.Popen([sys.executable, "-m", "paperqueue"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    drawn = bytearray()
    try:
        def read() -> None:
            while chunk := app.stdout.read1(65536):
                drawn.extend(chunk)

        threading.Thread(target=read, daemon=True).start()
        for _ in range(300):  # painted: the queue is open and locked
            if b"Inbox" in drawn:
                break
            time.sleep(0.1)
        assert b"Inbox" in drawn
        app.stdin.close()
        try:
            code = app.wait(10)
        except subprocess.TimeoutExpired:
            code = None
        if driver.startswith("paperqueue"):
            assert code == 0
        else:
            assert code is None  # what the driver is for
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()


def test_a_taken_port_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "paperqueue", "serve", "--port", str(port)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, timeout=60,
        )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [f"paperqueue: cannot listen on 127.0.0.1:{port}: address already in use"]


async def test_what_an_app_writes_to_stderr_reaches_the_terminal_cleaned(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from paperqueue.serving import server

    script = (
        "import sys; sys.stderr.write('boom \\x1b[31mred\\x1b]0;title\\x07 \\x1b[2Jdone\\r\\n'); sys.stderr.flush(); "
        "print('__GANGLION__', flush=True)"
    )
    monkeypatch.setattr(server, "app_command", lambda: [sys.executable, "-c", script])

    async def ignore(*_: object) -> None:
        return None

    session = server.Session("app", write_bytes=ignore, write_str=ignore, close=ignore, download_manager=server.DownloadManager())
    await session.start(80, 24)
    await session.stop()
    captured = capsys.readouterr()
    assert "boom red done\n" in captured.err
    assert "\x1b" not in captured.err + captured.out and "\x07" not in captured.err + captured.out


@pytest.mark.parametrize(
    ("url", "opened"),
    [("https://arxiv.org/abs/2401.00001", True), ("http://example.org/a", True), ("javascript:alert(1)", False),
     (" JavaScript:alert(1)", False), ("data:text/html,<script>1</script>", False), ("file:///etc/passwd", False)],
)
async def test_the_browser_opens_web_links_only(url: str, opened: bool) -> None:
    import json

    from paperqueue.serving import server

    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    async def ignore(*_: object) -> None:
        return None

    session = server.Session("app", write_bytes=ignore, write_str=send, close=ignore, download_manager=server.DownloadManager())
    await session.on_meta(json.dumps({"type": "open_url", "url": url, "new_tab": True}).encode())
    assert sent == ([json.dumps(["open_url", {"url": url, "new_tab": True}])] if opened else [])
