"""``paperqueue serve`` in a real browser: Debian's Chromium driven by
Playwright (sync API), ``paperqueue serve`` started as a child on a free
loopback port with its own PAPERQUEUE_HOME.

"Painted" is read from what xterm.js draws: the text of the terminal's rows
in its buffer (see ``browser_support``), so a test waits for a title from
the bundled sample to be on the screen. Effects of keys are checked in the
store, through ``paperqueue list --format json``.

Without Chromium the whole module is skipped, with one line saying how to
enable it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import browser_support as bs

if bs.chromium_path() is None:
    pytest.skip(bs.SKIP_REASON, allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402 - only with a browser to drive

FIRST = "Pushing Auto-regressive Models for 3D Shape Generation at Capacity and Scalability"
SECOND = "Dichotomy of Control: Separating What You Can Control from What You Cannot"
SEARCHED = "Relightify: Relightable 3D Faces from a Single Image via Diffusion Models"
PASSWORD = "sofa tablet 42 queue"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    launched = bs.launch(playwright)
    yield launched
    launched.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Pages, each in its own browser context; all closed after the test."""
    contexts: list[Any] = []

    def opener(**context_options: Any) -> Any:
        page = bs.new_page(browser, **context_options)
        contexts.append(page.context)
        return page

    yield opener
    for context in contexts:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - already gone with its browser
            pass


@pytest.fixture
def served(pq_home: Path) -> Iterator[bs.Served]:
    server = bs.start_serve(pq_home)
    yield server
    server.stop()


def painted(open_page: Callable[..., Any], url: str, **context_options: Any) -> Any:
    """A page at ``url`` once the queue's rows are drawn in it, keys going to the terminal."""
    page = open_page(**context_options)
    response = page.goto(url)
    assert response is not None and response.status == 200
    bs.wait_for_screen(page, SECOND[:40])
    bs.focus_terminal(page)
    return page


def new_app(served: bs.Served, before: list[int]) -> int:
    """The one app session started since ``before`` was taken."""
    started = bs.until(lambda: set(served.app_pids()) - set(before))
    assert len(started) == 1, started
    return started.pop()


def gone(pid: int) -> bool:
    return bs.until(lambda: not bs.alive(pid), timeout=10)


def test_the_page_paints_the_queue(served: bs.Served, open_page: Callable[..., Any]) -> None:
    page = painted(open_page, served.url)
    text = bs.screen(page)
    assert "Inbox" in text and "79 papers" in text
    assert FIRST[:40] in text and SECOND[:40] in text
    assert page.title() == "paperqueue"


def test_keys_land_in_the_store(served: bs.Served, open_page: Callable[..., Any], tmp_path: Path) -> None:
    page = painted(open_page, served.url)
    page.keyboard.press("j")
    page.keyboard.press("s")
    page.keyboard.press("r")
    states = bs.until(lambda: (p := bs.papers(served.home)[SECOND])["starred"] and p["read"] and p)
    assert states, "the star and the read mark never reached the store"
    page.keyboard.press("/")
    page.keyboard.type("Relightify")
    page.keyboard.press("Enter")
    text = bs.wait_for_screen(page, "(1)")  # the list's title counts what the search kept
    assert SEARCHED[:40] in text and FIRST[:40] not in text
    page.keyboard.press("s")  # on the one paper found
    assert bs.until(lambda: bs.papers(served.home)[SEARCHED]["starred"]), "the found paper was not starred"
    store = bs.papers(served.home)
    assert {title for title, paper in store.items() if paper["starred"]} == {SECOND, SEARCHED}
    assert {title for title, paper in store.items() if paper["read"]} == {SECOND}
    page.screenshot(path=str(bs.artifacts(tmp_path) / "serve-browser-keys.png"))


def test_a_second_tab_reads_only_and_the_first_closing_frees_the_queue(
    served: bs.Served, open_page: Callable[..., Any]
) -> None:
    first = painted(open_page, served.url)
    [writer] = served.app_pids()
    assert bs.until(lambda: bs.lock_holder(served.home) == writer)
    second = open_page()
    second.goto(served.url)
    text = bs.wait_for_screen(second, "read-only")
    assert SECOND[:40] in bs.wait_for_screen(second, SECOND[:40])
    reader = new_app(served, [writer])
    assert "read-only" in text
    bs.focus_terminal(second)
    second.keyboard.press("s")
    assert "Cannot star" in bs.wait_for_screen(second, "Cannot star")
    # The first tab closes: its app ends, and a new tab writes.
    first.close()
    assert gone(writer), "the closed tab's app still runs"
    third = painted(open_page, served.url)
    new_writer = new_app(served, [reader])
    assert bs.until(lambda: bs.lock_holder(served.home) == new_writer)
    third.keyboard.press("s")
    assert bs.until(lambda: bs.papers(served.home)[FIRST]["starred"]), "the new tab could not write"
    assert bs.alive(reader)  # the read-only tab is still open


@pytest.mark.parametrize("how", ["closed", "killed"])
def test_a_browser_that_goes_away_frees_the_queue(
    served: bs.Served, playwright: Any, tmp_path: Path, how: str
) -> None:
    """The browser ends without closing its page: Playwright closes it, or it
    is killed outright (SIGKILL, as in a crash)."""
    if how == "closed":
        browser, lone = bs.launch(playwright), None
    else:
        lone = bs.LoneChromium(playwright, tmp_path / "profile")
        browser = lone.browser
    try:
        page = bs.new_page(browser)
        page.goto(served.url)
        bs.wait_for_screen(page, SECOND[:40])
        [app] = served.app_pids()
        assert bs.until(lambda: bs.lock_holder(served.home) == app)
    finally:
        if lone is None:
            browser.close()
        else:
            lone.kill()
    assert gone(app), f"the app of a {how} browser still runs"
    done = subprocess.run(  # needs the queue's lock
        [sys.executable, "-m", "paperqueue", "undo"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PAPERQUEUE_HOME": str(served.home)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert served.process.poll() is None  # serve goes on


def test_a_wrong_password_is_refused(pq_home: Path, open_page: Callable[..., Any]) -> None:
    server = bs.start_serve(pq_home, "--password", env={"PAPERQUEUE_SERVE_PASSWORD": PASSWORD})
    try:
        refused = open_page(http_credentials={"username": "me", "password": "not " + PASSWORD})
        response = refused.goto(server.url)
        assert response is not None and response.status == 401
        assert "paperqueue is starting" not in refused.content()
        assert bs.screen(refused) == ""
        assert server.app_pids() == []  # no app for it
        page = painted(open_page, server.url, http_credentials={"username": "me", "password": PASSWORD})
        assert "79 papers" in bs.screen(page)
        assert len(server.app_pids()) == 1
    finally:
        out, err = server.stop()
    assert PASSWORD not in out + err


def test_sigterm_with_a_page_open_ends_its_app(served: bs.Served, open_page: Callable[..., Any]) -> None:
    page = painted(open_page, served.url)
    [app] = served.app_pids()
    served.process.send_signal(signal.SIGTERM)
    try:
        served.process.wait(5)
    except subprocess.TimeoutExpired:
        pytest.fail("serve did not stop within 5 s of SIGTERM with a page open")
    assert served.process.returncode == 0
    assert gone(app)
    ended = page.locator(".ended")
    ended.wait_for(state="visible", timeout=10_000)
    assert "This paperqueue session has ended." in ended.inner_text()
    assert bs.lock_holder(served.home) in (None, app) and not bs.alive(app)
