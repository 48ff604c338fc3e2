"""The app served to a browser (``App.is_web``, as under ``paperqueue
serve``): links, copies, PDFs and exports go to the person's browser,
never to a browser, clipboard or viewer on the server's machine. The real
browser is driven in tests/test_serve_browser.py; here Pilot with
``is_web`` on records what the app asks of its driver."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from paperqueue import desktop
from paperqueue.ui.app import PaperQueueApp

from pilot_helpers import make_app, notifications, paper_list, seed_store, settle, wait_loaded


class Browser:
    """What the app asked of the browser."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, bool]] = []
        self.delivered: list[dict] = []


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    seen = Browser()
    monkeypatch.setattr(PaperQueueApp, "is_web", property(lambda self: True))
    monkeypatch.setattr(PaperQueueApp, "open_url", lambda self, url, *, new_tab=True: seen.opened.append((url, new_tab)))

    def deliver(self, path_or_file, **options) -> str:  # noqa: ANN001
        body = path_or_file.read() if hasattr(path_or_file, "read") else Path(path_or_file).read_bytes()
        seen.delivered.append({"body": body, **options})
        return "key"

    monkeypatch.setattr(PaperQueueApp, "deliver_text", deliver)
    monkeypatch.setattr(PaperQueueApp, "deliver_binary", deliver)

    def server_side(*args: object, **kwargs: object) -> desktop.Outcome:
        raise AssertionError("served to a browser, the server's desktop was used")

    monkeypatch.setattr(desktop, "system_copy", server_side)
    monkeypatch.setattr(desktop, "open_url", server_side)
    return seen


async def test_o_opens_a_new_browser_tab_and_y_copies_to_the_browser_only(pq_home: Path, browser: Browser) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        link = paper_list(app).paper.primary_link
        await pilot.press("o")
        await settle(pilot)
        assert browser.opened == [(link, True)]
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == link  # OSC 52: the page hands it to navigator.clipboard
        assert any(n.startswith("Copied link to the browser's clipboard") for n in notifications(app)), notifications(app)


async def test_a_link_that_is_not_a_web_address_is_not_opened(pq_home: Path, tmp_path: Path, browser: Browser) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        app.open_link("javascript:alert(document.cookie)")
        await settle(pilot)
        assert browser.opened == []
        assert any(n.startswith("Not a web address, not opened") for n in notifications(app))


async def test_w_downloads_the_view_through_the_browser(pq_home: Path, tmp_path: Path, browser: Browser,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "server-downloads"))
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        titles = [paper.display_title for paper in paper_list(app).queue.rows]
        view = paper_list(app).queue.view
        await pilot.press("W", "m")
        await settle(pilot)
    assert len(browser.delivered) == 1
    sent = browser.delivered[0]
    assert sent["save_filename"] == f"paperqueue-{view}-{dt.date.today().isoformat()}.md"
    assert sent["mime_type"] == "text/markdown"
    lines = sent["body"].splitlines()
    assert len(lines) == len(titles) and all(line.startswith("- [ ] [") for line in lines)
    assert not (tmp_path / "server-downloads").exists()  # nothing left on the server


async def test_p_sends_the_cached_pdf_to_the_browser(pq_home: Path, browser: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    from paperqueue.ui import fulltext

    seed_store(pq_home)
    pdf = pq_home / "cached.pdf"
    pdf.write_bytes(b"%PDF-1.4 cached\n")
    monkeypatch.setattr(fulltext, "get_pdf", lambda client, store, paper, progress: (pdf, False))
    monkeypatch.setattr(fulltext, "hand_over_pdf", lambda path: pytest.fail("a viewer on the server was started"))
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("P")
        await settle(pilot)
    assert [(d["body"], d["open_method"], d["mime_type"]) for d in browser.delivered] == [(b"%PDF-1.4 cached\n", "browser", "application/pdf")]
    name = browser.delivered[0]["save_filename"]
    assert name.endswith(".pdf") and "/" not in name and ":" not in name
