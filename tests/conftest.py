"""Shared fixtures: every test gets its own PAPERQUEUE_HOME, never the real one."""

from __future__ import annotations

import os
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
