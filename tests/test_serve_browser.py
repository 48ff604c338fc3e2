"""``paperqueue serve`` in a real browser: Debian's Chromium driven by
Playwright (sync API), ``paperqueue serve`` started as a child on a free
loopback port with its own PAPERQUEUE_HOME.

"Painted" is read from what xterm.js draws: the text of the terminal's rows
in its buffer (see ``browser_support``), so a test waits for a title from
the bundled sample to be on the screen. Effects of keys are checked in the
store, through ``paperqueue list --format json``.

Without Chromium the whole module is skipped, with one line saying how to
enable it; with ``PAPERQUEUE_REQUIRE_BROWSER=1`` (CI) a missing Chromium
fails instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import browser_support as bs
import pytest

if bs.chromium_path() is None:
    if os.environ.get("PAPERQUEUE_REQUIRE_BROWSER"):
        pytest.fail(f"PAPERQUEUE_REQUIRE_BROWSER is set: {bs.SKIP_REASON}", pytrace=False)
    pytest.skip(bs.SKIP_REASON, allow_module_level=True)

from playwright.sync_api import sync_playwright

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
        with contextlib.suppress(Exception):  # already gone with its browser
            context.close()


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


def search(page: Any, words: str) -> None:
    """``/``, the words, ``enter``, typed at once as a person does: each key
    reaches the app in its own message, and the words still land in the
    box in order (ui/typeahead.py)."""
    page.keyboard.type("/" + words)
    bs.wait_for_screen(page, "search: " + words)
    page.keyboard.press("Enter")


def new_app(served: bs.Served, before: list[int]) -> int:
    """The one app session started since ``before`` was taken."""
    started = bs.until(lambda: set(served.app_pids()) - set(before))
    assert len(started) == 1, started
    return started.pop()


def assert_queue_is_free(home: Path) -> None:
    """A command that needs the queue's lock gets it."""
    done = subprocess.run(
        [sys.executable, "-m", "paperqueue", "undo"], check=False, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PAPERQUEUE_HOME": str(home)},
    )
    assert done.returncode == 0, done.stdout + done.stderr


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
    search(page, "Relightify")
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
    assert_queue_is_free(served.home)
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
    assert_queue_is_free(served.home)


def stay_on_this_machine(context: Any, served: bs.Served) -> list[str]:
    """Every request not to ``served`` answered by a stub in the browser
    (nothing leaves the machine); the URLs asked for, in order."""
    asked: list[str] = []

    def stub(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="a stand-in for the paper's page\n")

    context.route(lambda url: not url.startswith(served.url), stub)
    return asked


def test_o_opens_the_link_in_a_new_tab(served: bs.Served, open_page: Callable[..., Any]) -> None:
    page = painted(open_page, served.url)
    asked = stay_on_this_machine(page.context, served)
    link = bs.papers(served.home)[FIRST]["primary_link"]
    with page.context.expect_page() as opened:
        page.keyboard.press("o")
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == link
    assert asked[:1] == [link]  # (the browser may ask that site for a favicon next)
    assert "Opened in a new browser tab" in bs.wait_for_screen(page, "Opened in a new browser tab")


def test_a_blocked_new_tab_becomes_a_link_to_click(served: bs.Served, open_page: Callable[..., Any]) -> None:
    page = open_page()
    page.add_init_script("window.open = () => null;")  # a popup blocker: what window.open gives when it refuses
    page.goto(served.url)
    bs.wait_for_screen(page, SECOND[:40])
    bs.focus_terminal(page)
    link = bs.papers(served.home)[FIRST]["primary_link"]
    page.keyboard.press("o")
    box = page.locator("#pq-open")
    box.wait_for(timeout=10_000)
    assert "blocked a new tab" in box.inner_text()
    assert box.locator("a").get_attribute("href") == link
    box.locator("button").click()
    assert box.count() == 0
    assert page.evaluate("() => document.activeElement.className").startswith("xterm-helper-textarea")


def test_y_copies_the_link_to_the_browsers_clipboard(served: bs.Served, open_page: Callable[..., Any]) -> None:
    page = painted(open_page, served.url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url.rstrip("/"))
    link = bs.papers(served.home)[SECOND]["primary_link"]
    page.keyboard.press("j")
    page.keyboard.press("y")
    bs.wait_for_screen(page, "to the browser's clipboard")
    assert bs.until(lambda: page.evaluate("() => navigator.clipboard.readText()") == link, timeout=10)


def test_W_b_downloads_the_view_as_bibtex(served: bs.Served, open_page: Callable[..., Any], tmp_path: Path) -> None:
    page = painted(open_page, served.url)
    search(page, "diffusion")
    bs.wait_for_screen(page, SEARCHED[:40])
    shown = {title for title, paper in bs.papers(served.home).items() if "diffusion" in (title + paper["abstract"]).lower()}
    downloads: list[Any] = []
    page.context.on("page", lambda tab: tab.on("download", lambda download: downloads.append(download)))
    page.on("download", lambda download: downloads.append(download))
    page.keyboard.press("W")
    bs.wait_for_screen(page, "BibTeX")
    page.keyboard.press("b")
    for _ in range(300):  # Playwright's events arrive while it is called, so wait through it
        if downloads:
            break
        page.wait_for_timeout(50)
    assert downloads, f"no download came; the screen was:\n{bs.screen(page)}"
    [download] = downloads
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert download.suggested_filename.endswith(".bib")
    assert text.count("@") == len(shown) > 1
    assert "Relightify" in text and "Dichotomy of Control" not in text


# Records what a copy event copied from a text box (the page's fallback
# copies through a selected, off-screen textarea).
COPY_WATCH = """
window.__pqCopied = [];
document.addEventListener('copy', (event) => {
  const box = event.target;
  if (box && typeof box.value === 'string') {
    window.__pqCopied.push(box.value.substring(box.selectionStart, box.selectionEnd));
  }
}, true);
"""


@pytest.mark.parametrize("copy_command", ["works", "refused"])
def test_y_without_a_secure_context_copies_or_shows_the_link_selected(
    playwright: Any, pq_home: Path, copy_command: str
) -> None:
    """Served by a name that is not localhost over http, the page has no
    navigator.clipboard: the link goes through the copy command, or where
    the browser refuses that too, it is shown selected for ctrl+c."""
    server = bs.start_serve(pq_home, "--password", env={"PAPERQUEUE_SERVE_PASSWORD": PASSWORD})
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    browser = playwright.chromium.launch(
        executable_path=bs.chromium_path(), args=[*bs.CHROMIUM_ARGS, "--host-resolver-rules=MAP paperqueue.test 127.0.0.1"]
    )
    try:
        page = bs.new_page(browser, http_credentials={"username": "me", "password": PASSWORD})
        page.context.add_init_script(COPY_WATCH)
        if copy_command == "refused":
            page.context.add_init_script("document.execCommand = () => false;")
        page.goto(f"http://paperqueue.test:{port}/")
        bs.wait_for_screen(page, SECOND[:40])
        assert page.evaluate("() => window.isSecureContext") is False
        bs.focus_terminal(page)
        link = bs.papers(pq_home)[FIRST]["primary_link"]
        page.keyboard.press("y")
        if copy_command == "works":
            page.wait_for_function("() => window.__pqCopied.length > 0", timeout=15_000)
            assert page.evaluate("() => window.__pqCopied") == [link]
            assert page.locator("#pq-copy").count() == 0
        else:
            shown = page.locator("#pq-copy textarea")
            shown.wait_for(state="visible", timeout=15_000)
            assert shown.input_value() == link
            assert page.evaluate(
                "() => { const a = document.activeElement; return a.closest('#pq-copy') !== null"
                " && a.selectionStart === 0 && a.selectionEnd === a.value.length; }"
            ), "the link is not selected for ctrl+c"
            assert "press Ctrl+C" in page.locator("#pq-copy").inner_text()
            page.keyboard.press("Escape")  # closes the box, keys go to the app again
            shown.wait_for(state="detached", timeout=5_000)
            page.keyboard.press("j")
            page.keyboard.press("s")
            assert bs.until(lambda: bs.papers(pq_home)[SECOND]["starred"]), "keys did not reach the app after the box"
    finally:
        browser.close()
        server.stop()


OKAPI_BIB = """@article{okapi2024,
  title = {The Okapi Estimator Converges},
  author = {Doe, Jane},
  year = {2024},
  eprint = {2401.00001},
  archivePrefix = {arXiv},
}
"""


def test_P_sends_the_pdf_to_the_browser(
    pq_home: Path, open_page: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``P`` fetches the PDF (from a stand-in arXiv on the loopback host)
    and hands it to the browser as a new tab, not to a viewer on the server."""
    from fulltext_server import PDF, pdf_answer
    from net_server import NetServer, serve_sources

    arxiv = NetServer()
    try:
        arxiv.route("/pdf/2401.00001", pdf_answer())
        serve_sources(monkeypatch, arxiv)
        bib = tmp_path / "okapi.bib"
        bib.write_text(OKAPI_BIB, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "paperqueue", "import", str(bib)], check=False, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        server = bs.start_serve(pq_home)
        try:
            page = open_page()
            page.goto(server.url)
            bs.wait_for_screen(page, "The Okapi Estimator Converges")
            bs.focus_terminal(page)
            answers: list[tuple[Any, bytes]] = []

            def through(route: Any) -> None:  # the server's answer, as it came, on its way to the tab
                answer = route.fetch()
                answers.append((answer, answer.body()))
                route.fulfill(response=answer)

            page.context.route("**/download/**", through)
            with page.context.expect_page() as opened:
                page.keyboard.press("P")
            tab = opened.value
            tab.wait_for_load_state()
            assert "/download/" in tab.url
            response, body = answers[0]
            assert response.url == tab.url and response.status == 200
            assert body == PDF
            assert response.headers["content-type"] == "application/pdf"
            assert response.headers["content-disposition"] == "inline; filename*=UTF-8''2401.00001.pdf"
            assert [request.path for request in arxiv.requests] == ["/pdf/2401.00001"]
            assert "Opening the PDF in a new browser tab" in bs.wait_for_screen(page, "Opening the PDF")
        finally:
            server.stop()
    finally:
        arxiv.stop()
