"""Shared fixtures: every test gets its own PAPERQUEUE_HOME, never the real one."""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# No test asserts a wall-clock time, hypothesis's per-example deadline included
# (timings belong in `make bench`).
settings.register_profile("paperqueue", deadline=None)
settings.load_profile("paperqueue")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "seeds" / "trending-papers.txt"
_REAL_HOME = Path(os.path.expanduser("~")) / ".local" / "share" / "paperqueue"
_REAL_HOME_EXISTED = _REAL_HOME.exists()


@pytest.fixture(autouse=True)
def pq_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "pqhome"
    monkeypatch.setenv("PAPERQUEUE_HOME", str(home))
    # Headless: no browser, no X clipboard, whatever the developer's shell has.
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    yield home
    assert os.environ.get("PAPERQUEUE_HOME") == str(home), "a test removed PAPERQUEUE_HOME mid-test"


_LOOPBACK_NAMES = frozenset({"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def _loopback(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): this machine
    name = (host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)).strip("[]").rstrip(".").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests reach 127.0.0.1 / ::1 / localhost only: any other connection (or
    name lookup) made in this process is refused and fails the test by name."""
    reached: list[str] = []
    connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def refuse(where: object) -> None:
        reached.append(repr(where))
        raise OSError(101, f"{request.node.nodeid} tried to reach {where!r}: tests use the loopback address only")

    def guarded_connect(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple) and not _loopback(address[0]):
            refuse(address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if isinstance(address, tuple) and not _loopback(address[0]):
            refuse(address)
        return connect_ex(self, address)

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
        if not _loopback(host):
            reached.append(repr(host))
            raise socket.gaierror(socket.EAI_NONAME, f"{request.node.nodeid} looked up {host!r}: tests use the loopback address only")
        return getaddrinfo(host, *args, **kwargs)

    # Child processes (a `paperqueue fetch` run by a test) are not guarded by
    # the patches below: every source they could use by default points at a
    # closed loopback port unless the test points it at its own server.
    for name in ("PAPERQUEUE_ARXIV_RSS", "PAPERQUEUE_ARXIV_API", "PAPERQUEUE_ARXIV_WEB", "PAPERQUEUE_HF_API", "PAPERQUEUE_CROSSREF_API"):
        monkeypatch.setenv(name, "http://127.0.0.1:9/nowhere")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield
    if reached:
        pytest.fail(f"{request.node.nodeid} tried to reach {', '.join(reached)} (tests use the loopback address only)")


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001
    if not _REAL_HOME_EXISTED and _REAL_HOME.exists():
        raise RuntimeError(f"tests touched the real data folder {_REAL_HOME}")


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def umask() -> Iterator[None]:
    """A common umask that would leave new files 0644 and folders 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    """A file's permission bits, the link's own for a link."""
    return stat.S_IMODE(os.lstat(path).st_mode)
