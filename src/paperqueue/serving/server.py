"""The web server behind ``paperqueue serve``.

Built on textual-serve's parts (its app subprocess protocol, its download
manager, its JavaScript and fonts) with our own aiohttp application around
them, because textual-serve's ``Server`` does not do what we need:

- a password (HTTP Basic) guards every path: page, websocket, static files
  and downloads, compared in constant time;
- the page's URLs follow the address the browser used (or ``--public-url``),
  not the address listened on; without a password only loopback names are
  answered (a web page elsewhere cannot reach the server by a DNS name that
  points at 127.0.0.1), and a websocket from another site's page is refused;
- our own page, which loads nothing from outside the server;
- each browser connection runs ``<this python> -m paperqueue`` in its own
  session without the serve password in its environment, and stopping
  (ctrl+c, SIGTERM) ends them all within a few seconds, releasing the
  store's lock.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import html
import json
import os
import re
import signal
import socket
import sys
from pathlib import Path
from string import Template
from urllib.parse import quote, urlsplit

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from paperqueue.serving import PASSWORD_VARIABLE, is_loopback
from paperqueue.serving.driver import DRIVER

STATIC = Path(__import__("textual_serve").__file__).resolve().parent / "static"
PAGE = Path(__file__).resolve().parent / "page.html"
QUIT_WAIT = 1.5  # seconds an app is given to quit by itself when serve stops or its tab goes
TERM_WAIT = 1.0  # then seconds after SIGTERM before SIGKILL
_HOST_RE = re.compile(r"\A(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?\Z")
REALM = 'Basic realm="paperqueue", charset="UTF-8"'


class ServeError(Exception):
    """The server could not start (the port is taken, say)."""


def app_command() -> list[str]:
    """How each browser connection starts the app: this interpreter."""
    return [sys.executable, "-m", "paperqueue"]


def _host_name(host: str) -> str:
    """``host`` of a ``host[:port]`` Host header, without brackets, lowercase."""
    if host.startswith("["):
        return host[1 : host.index("]")].lower()
    return host.rsplit(":", 1)[0].lower()


class Session(AppService):
    """One browser connection's app subprocess."""

    _stderr_task: asyncio.Task[None] | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24):  # noqa: ANN202 - textual-serve's hook
        environment = self._build_environment(width=width, height=height)
        environment.pop(PASSWORD_VARIABLE, None)
        environment["TEXTUAL_DRIVER"] = DRIVER  # the app leaves (saving) if serve dies without ending it
        self._process = process = await asyncio.create_subprocess_exec(
            *app_command(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,  # ctrl+c in serve's terminal reaches serve, which ends the apps itself
        )
        self._stdin = process.stdin
        # What the app writes to stderr (a traceback, say) reaches serve's
        # terminal cleaned of control characters; textual-serve's own reader
        # would copy it raw, so it gets an empty stream instead.
        self._stderr_task = asyncio.create_task(_relay_stderr(process.stderr))
        process.stderr = asyncio.StreamReader()
        process.stderr.feed_eof()
        return process

    async def on_meta(self, data: bytes) -> None:
        """The app's requests to the browser; a link it opens must be a web
        address (a ``javascript:`` link from an imported file would run in
        the page)."""
        try:
            meta = json.loads(data)
        except ValueError:
            return
        if isinstance(meta, dict) and meta.get("type") == "open_url":
            url = meta.get("url")
            if not isinstance(url, str) or urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
                return
        await super().on_meta(data)

    async def stop(self) -> None:
        """Ask the app to quit; SIGTERM, then SIGKILL, if it does not."""
        process = self._process
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(self.send_meta({"type": "quit"}), QUIT_WAIT)
                await asyncio.wait_for(process.wait(), QUIT_WAIT)
            except (TimeoutError, OSError):
                await _end(process)
        for task in (self._task, self._stderr_task):
            if task is not None:
                try:
                    await asyncio.wait_for(task, TERM_WAIT)
                except TimeoutError:
                    pass
        self._task = self._stderr_task = None


async def _relay_stderr(stream: asyncio.StreamReader) -> None:
    from paperqueue.core.text import clean_text

    while True:
        try:
            line = await stream.readline()
        except ValueError:  # a line longer than the stream's limit: what there is of it
            line = await stream.read(65536)
        if not line:
            return
        text = clean_text(line.decode("utf-8", "replace").replace("\r\n", "\n"))
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
        sys.stderr.flush()


async def _end(process: asyncio.subprocess.Process) -> None:
    for stop in (process.terminate, process.kill):
        try:
            stop()
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(process.wait(), TERM_WAIT)
            return
        except TimeoutError:
            continue


class PaperServer:
    """The aiohttp application and the sessions it started."""

    def __init__(self, password: str | None = None, public_url: str | None = None) -> None:
        self.password = password.encode("utf-8") if password is not None else None
        self.public_url = public_url.rstrip("/") if public_url else None
        self.public_host = _host_name(urlsplit(self.public_url).netloc) if self.public_url else None
        self.page = Template(PAGE.read_text(encoding="utf-8"))
        self.downloads = DownloadManager()
        self.sessions: set[Session] = set()
        self.sockets: set[web.WebSocketResponse] = set()

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        app.add_routes(
            [
                web.get("/", self.index),
                web.get("/ws", self.websocket),
                web.get("/download/{key}", self.download),
                web.static("/static", STATIC, show_index=False),
            ]
        )
        return app

    # -- who may come in

    @web.middleware
    async def guard(self, request: web.Request, handler):  # noqa: ANN001, ANN201 - aiohttp's middleware shape
        host = request.headers.get("Host", "")
        if not _HOST_RE.match(host):
            return web.Response(status=400, text="Bad Host header\n")
        name = _host_name(host)
        if self.password is None and not is_loopback(name) and name != self.public_host:
            # Without a password only this machine may come in; a DNS name
            # pointing here (a rebinding attack from a web page) is refused.
            return web.Response(status=421, text="paperqueue serve answers on localhost only without a password\n")
        if self.password is not None and not self._authorized(request):
            return web.Response(status=401, text="A password is needed\n", headers={"WWW-Authenticate": REALM})
        response = await handler(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    def _authorized(self, request: web.Request) -> bool:
        kind, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if kind.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        _, colon, given = decoded.partition(b":")
        return bool(colon) and hmac.compare_digest(given, self.password or b"")

    def base_url(self, request: web.Request) -> str:
        """Where the browser reaches us: ``--public-url``, else the scheme
        and Host header of its request."""
        return self.public_url or f"{request.scheme}://{request.headers['Host']}"

    # -- the page, the websocket, downloads

    async def index(self, request: web.Request) -> web.Response:
        base = self.base_url(request)
        scheme, _, rest = base.partition(":")
        try:
            font_size = min(max(int(request.query.get("fontsize", "16")), 6), 64)
        except ValueError:
            font_size = 16
        text = self.page.substitute(
            static=html.escape(f"{base}/static", quote=True),
            websocket=html.escape(f"{'wss' if scheme == 'https' else 'ws'}:{rest}/ws", quote=True),
            font_size=str(font_size),
        )
        websocket_origin = f"{'wss' if scheme == 'https' else 'ws'}://{urlsplit(base).netloc}"
        policy = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:; font-src 'self'; connect-src 'self' {websocket_origin}; frame-ancestors 'none'"
        )
        headers = {"Content-Security-Policy": policy, "Cache-Control": "no-store"}  # its URLs depend on the request
        return web.Response(text=text, content_type="text/html", headers=headers)

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: the Host and password checks are all there is
        allowed = {f"{request.scheme}://{request.headers['Host']}".lower()}
        if self.public_url:
            parts = urlsplit(self.public_url)
            allowed.add(f"{parts.scheme}://{parts.netloc}".lower())
        return origin.lower() in allowed

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            return web.Response(status=403, text="A page from another site may not open paperqueue\n")
        socket_ = web.WebSocketResponse(heartbeat=15)
        await socket_.prepare(request)
        self.sockets.add(socket_)
        session = Session(
            " ".join(app_command()),
            write_bytes=socket_.send_bytes,
            write_str=socket_.send_str,
            close=socket_.close,
            download_manager=self.downloads,
        )
        try:
            width = min(max(int(request.query.get("width", "80")), 10), 1000)
            height = min(max(int(request.query.get("height", "24")), 5), 500)
        except ValueError:
            width, height = 80, 24
        try:
            self.sessions.add(session)
            await session.start(width, height)
            await self._relay(socket_, session)
        finally:
            await session.stop()  # the tab closed, or the browser went away (the heartbeat notices)
            self.sessions.discard(session)
            self.sockets.discard(socket_)
            await socket_.close()
        return socket_

    async def _relay(self, socket_: web.WebSocketResponse, session: Session) -> None:
        """The browser's keys, sizes and focus to the app."""
        async for message in socket_:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = json.loads(message.data)
            except (ValueError, TypeError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await session.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = data.get("width"), data.get("height")
                if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
                    await session.set_terminal_size(width, height)
            elif kind == "ping":
                await socket_.send_json(["pong", data])
            elif kind == "blur":
                await session.blur()
            elif kind == "focus":
                await session.focus()

    async def download(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        try:
            meta = await self.downloads.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="No such download\n") from None
        response = web.StreamResponse()
        content_type = meta.mime_type + (f"; charset={meta.encoding}" if meta.encoding else "")
        response.headers["Content-Type"] = content_type
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(meta.file_name, safe='')}"
        await response.prepare(request)
        async for chunk in self.downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def end_sessions(self) -> None:
        """Every app this server started, ended (their locks released)."""
        sessions = list(self.sessions)
        await asyncio.gather(*(session.stop() for session in sessions), return_exceptions=True)
        await asyncio.gather(*(s.close(code=1001, message=b"paperqueue serve stopped") for s in list(self.sockets)),
                             return_exceptions=True)


def _addresses_to_open(host: str, port: int) -> list[str]:
    if host in ("0.0.0.0", "::", ""):
        return [f"http://{socket.gethostname()}:{port}/", f"http://127.0.0.1:{port}/"]
    shown = f"[{host}]" if ":" in host else host
    return [f"http://{shown}:{port}/"]


async def _run(host: str, port: int, password: str | None, public_url: str | None) -> None:
    server = PaperServer(password, public_url)
    runner = web.AppRunner(server.make_app(), handle_signals=False, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port, shutdown_timeout=1.0)
    try:
        await site.start()
    except OSError as failure:
        await runner.cleanup()
        reason = os.strerror(failure.errno).lower() if failure.errno else str(failure)
        raise ServeError(f"cannot listen on {host}:{port}: {reason}") from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    bound = runner.addresses[0][1] if runner.addresses else port
    urls = _addresses_to_open(host, bound)
    if public_url:
        print(f"paperqueue serve: open {public_url}/ in a browser (listening on {' and '.join(urls)})", flush=True)
    else:
        print(f"paperqueue serve: open {' or '.join(urls)} in a browser", flush=True)
    print("Each tab runs its own paperqueue; the first one writes the queue, others open it read-only. "
          "ctrl+c stops.", flush=True)
    try:
        await stop.wait()
    finally:
        await server.end_sessions()
        await runner.cleanup()


def serve(host: str, port: int, password: str | None = None, public_url: str | None = None) -> None:
    """Serve the app until ctrl+c or SIGTERM."""
    try:
        asyncio.run(_run(host, port, password, public_url))
    except KeyboardInterrupt:  # ctrl+c before the server was up: nothing started yet
        pass
