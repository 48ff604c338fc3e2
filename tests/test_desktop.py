"""Clipboard and browser helpers never raise and never touch the terminal."""

from __future__ import annotations

import sys

import pytest

from paperqueue import desktop


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(desktop, "_system_clipboard_missing", None)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="headless Linux has no pyperclip mechanism")
def test_pyperclip_without_display_reports_instead_of_raising() -> None:
    outcome = desktop.system_copy("https://arxiv.org/abs/2403.01234")
    assert not outcome.ok
    assert "PyperclipException" in outcome.detail
    # The missing mechanism is remembered: no second child process.
    again = desktop.system_copy("x")
    assert again == outcome


def test_graphical_session_detection(monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert not desktop.has_graphical_session()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert desktop.has_graphical_session()


def test_open_url_with_a_failing_browser_reports(monkeypatch) -> None:
    monkeypatch.setenv("BROWSER", "false")
    outcome = desktop.open_url("https://arxiv.org/abs/2403.01234", timeout=10)
    assert not outcome.ok and outcome.detail
